using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using XNovu.NovuEmulator.Shared;

namespace XNovu.NovuEmulator.Workflows;

/// <summary>
/// The checks Novu's workflow DTOs make: a name, an identifier that is a slug (letters, digits, <c>-</c>,
/// <c>.</c>, <c>_</c>), steps that each have a name, a known type and object control values. Failures are one
/// 422 in Novu's validation shape.
/// </summary>
public static partial class WorkflowValidation
{
    public const int MaxIdentifierLength = 100;

    public static readonly string[] StepTypes = ["in_app", "email", "sms", "push", "chat", "delay", "digest", "throttle", "custom", "http_request"];

    public static bool IsSlug(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxIdentifierLength && SlugPattern().IsMatch(value);

    /// <summary>Novu's slugify for step ids: lower case, runs of anything else become one dash.</summary>
    public static string Slugify(string name)
    {
        var slug = new StringBuilder();
        foreach (var c in name.Trim().ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '.')
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        return slug.ToString().Trim('-') is { Length: > 0 } done ? done : "step";
    }

    public static readonly string[] Severities = ["high", "medium", "low", "none"];

    public static readonly string[] Origins = ["novu-cloud", "novu-cloud-v1", "external"];

    /// <summary>
    /// Reads a create (<paramref name="requireIdentifier"/>) or update body. An update must state
    /// <c>preferences</c> (Novu's <c>UpdateWorkflowDto</c> requires it; <c>{"user":null}</c> keeps the defaults).
    /// </summary>
    public static WorkflowInput? Read(JsonObject body, bool requireIdentifier, List<FieldError> errors, out string? workflowId)
    {
        workflowId = body["workflowId"].AsString();
        if (requireIdentifier && !IsSlug(workflowId))
        {
            errors.Add(new FieldError("workflowId",
                $"workflowId must be a slug of at most {MaxIdentifierLength} letters, digits, '-', '.' or '_'", body["workflowId"]?.DeepClone()));
        }

        var name = body["name"].AsString();
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add(new FieldError("name", "name should not be empty", body["name"]?.DeepClone()));
        }

        // Novu's DTO default: a workflow created without `active` is inactive.
        var active = Flag(body, "active", errors) ?? false;
        var isTranslationEnabled = Flag(body, "isTranslationEnabled", errors) ?? false;
        var validatePayload = Flag(body, "validatePayload", errors);
        var severity = OneOf(body, "severity", Severities, errors) ?? "none";
        OneOf(body, "origin", Origins, errors);

        JsonObject? userPreferences = null, workflowPreferences = null;
        if (body["preferences"] is JsonObject preferences)
        {
            userPreferences = WorkflowPreferences.Read(preferences["user"], "preferences.user", errors);
            workflowPreferences = WorkflowPreferences.Read(preferences["workflow"], "preferences.workflow", errors);
        }
        else if (body["preferences"] is not null || !requireIdentifier)
        {
            errors.Add(new FieldError("preferences", "preferences must be an object", body["preferences"]?.DeepClone()));
        }

        var tags = new List<string>();
        if (body["tags"] is JsonArray tagArray)
        {
            tags.AddRange(tagArray.Select(t => t.AsString()).OfType<string>());
        }

        var steps = new List<StepInput>();
        if (body["steps"] is not JsonArray stepArray)
        {
            errors.Add(new FieldError("steps", "steps must be an array", body["steps"]?.DeepClone()));
        }
        else
        {
            for (var i = 0; i < stepArray.Count; i++)
            {
                if (ReadStep(stepArray[i], $"steps.{i}", errors) is { } step)
                {
                    steps.Add(step);
                }
            }

            var duplicate = steps.GroupBy(s => s.StepId ?? Slugify(s.Name)).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                errors.Add(new FieldError("steps", $"Step id '{duplicate.Key}' is used by more than one step"));
            }
        }

        return errors.Count == 0
            ? new WorkflowInput(name!.Trim(), body["description"].AsString(), tags, active, body["payloadSchema"]?.DeepClone(), steps)
            {
                Severity = severity,
                IsTranslationEnabled = isTranslationEnabled,
                ValidatePayload = validatePayload,
                UserPreferences = userPreferences,
                WorkflowPreferences = workflowPreferences,
            }
            : null;
    }

    private static bool? Flag(JsonObject body, string name, List<FieldError> errors)
    {
        if (body[name] is not JsonNode node)
        {
            return null;
        }

        if (node is JsonValue value && value.TryGetValue<bool>(out var flag))
        {
            return flag;
        }

        errors.Add(new FieldError(name, $"{name} must be a boolean value", node.DeepClone()));
        return null;
    }

    private static string? OneOf(JsonObject body, string name, string[] allowed, List<FieldError> errors)
    {
        if (body[name] is not JsonNode node)
        {
            return null;
        }

        if (node.AsString() is { } text && allowed.Contains(text, StringComparer.Ordinal))
        {
            return text;
        }

        errors.Add(new FieldError(name, $"{name} must be one of the following values: {string.Join(", ", allowed)}", node.DeepClone()));
        return null;
    }

    private static StepInput? ReadStep(JsonNode? node, string field, List<FieldError> errors)
    {
        if (node is not JsonObject step)
        {
            errors.Add(new FieldError(field, "each step must be an object", node?.DeepClone()));
            return null;
        }

        var start = errors.Count;
        var name = step["name"].AsString();
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add(new FieldError($"{field}.name", "name should not be empty", step["name"]?.DeepClone()));
        }

        var type = step["type"].AsString();
        if (type is null || !StepTypes.Contains(type, StringComparer.Ordinal))
        {
            errors.Add(new FieldError($"{field}.type", $"type must be one of the following values: {string.Join(", ", StepTypes)}", step["type"]?.DeepClone()));
        }

        var stepId = step["stepId"].AsString();
        if (stepId is not null && !IsSlug(stepId))
        {
            errors.Add(new FieldError($"{field}.stepId", "stepId must be a slug", step["stepId"]?.DeepClone()));
        }

        var controls = step["controlValues"];
        if (controls is not (null or JsonObject))
        {
            errors.Add(new FieldError($"{field}.controlValues", "controlValues must be an object", controls.DeepClone()));
        }

        return errors.Count > start
            ? null
            : new StepInput(stepId, name!.Trim(), type!, (JsonObject?)controls?.DeepClone() ?? []);
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex SlugPattern();
}
