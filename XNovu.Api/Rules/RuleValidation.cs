using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cronos;
using XNovu.Api.Http;
using XNovu.Core.Validation;

namespace XNovu.Api.Rules;

/// <summary>
/// Checks a rule before it is stored, and stores its trigger settings with their defaults filled in, so the
/// rule engine that fires them reads one shape. Unknown settings are refused: a misspelt <c>timeZone</c>
/// silently falling back to UTC would fire at the wrong hour.
/// </summary>
internal static partial class RuleValidation
{
    public const string Cron = "CRON";
    public const string Schedule = "SCHEDULE";
    public const string Event = "EVENT";
    public const string DefaultTimeZone = "UTC";
    public const string MisfireSkip = "skip";
    public const string MisfireFireOnce = "fireOnce";

    public static IReadOnlyList<string> TriggerTypes { get; } = [Event, Schedule, Cron];

    /// <summary>The rule's stored trigger configuration and payload, or field errors in <paramref name="errors"/>.</summary>
    public static (JsonObject TriggerConfig, JsonObject RulePayload) Validate(RuleRequest request, ValidationErrors errors)
    {
        errors.Require(request.Name, "name");
        errors.Require(request.WorkflowKey, "workflowKey");
        var config = new JsonObject();
        switch (request.TriggerType)
        {
            case null or "":
                errors.Add("triggerType", "is required.");
                break;
            case Cron:
                config = CronConfig(request.TriggerConfig, errors);
                break;
            case Schedule:
                config = ScheduleConfig(request.TriggerConfig, errors);
                break;
            case Event:
                config = EventConfig(request.TriggerConfig, errors);
                break;
            default:
                errors.Add("triggerType", $"must be one of {string.Join(", ", TriggerTypes)}.");
                break;
        }

        return (config, RulePayload(request.RulePayload, errors));
    }

    /// <summary>5 fields (minute precision) or 6 (seconds first), as the original's rule engine accepted.</summary>
    public static string? ExplainCron(string expression)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
        {
            return $"must have 5 fields (minute hour day month weekday) or 6 (with seconds first); it has {fields}.";
        }

        try
        {
            CronExpression.Parse(expression, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            return null;
        }
        catch (CronFormatException ex)
        {
            return $"is not a valid cron expression: {ex.Message}";
        }
    }

    public static bool IsKnownTimeZone(string id)
    {
        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }

    private static JsonObject CronConfig(JsonElement? given, ValidationErrors errors)
    {
        var result = new JsonObject();
        if (!Settings(given, errors, ["cron", "timezone", "enabled", "misfirePolicy"], out var settings))
        {
            return result;
        }

        if (String(settings, "cron", errors, required: true) is { } cron)
        {
            if (ExplainCron(cron) is { } problem)
            {
                errors.Add("triggerConfig.cron", problem);
            }

            result["cron"] = cron.Trim();
        }

        var timeZone = String(settings, "timezone", errors, required: false) ?? DefaultTimeZone;
        if (!IsKnownTimeZone(timeZone))
        {
            errors.Add("triggerConfig.timezone", $"'{timeZone}' is not a known IANA time zone (for example Europe/Paris or UTC).");
        }

        result["timezone"] = timeZone;

        var enabled = true;
        if (settings.TryGetValue("enabled", out var enabledValue))
        {
            if (enabledValue.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                enabled = enabledValue.GetBoolean();
            }
            else
            {
                errors.Add("triggerConfig.enabled", "must be true or false.");
            }
        }

        result["enabled"] = enabled;

        var misfire = String(settings, "misfirePolicy", errors, required: false) ?? MisfireFireOnce;
        if (misfire is not (MisfireSkip or MisfireFireOnce))
        {
            errors.Add("triggerConfig.misfirePolicy", $"must be '{MisfireSkip}' or '{MisfireFireOnce}'.");
        }

        result["misfirePolicy"] = misfire;
        return result;
    }

    private static JsonObject ScheduleConfig(JsonElement? given, ValidationErrors errors)
    {
        var result = new JsonObject();
        if (!Settings(given, errors, ["at"], out var settings) || String(settings, "at", errors, required: true) is not { } at)
        {
            return result;
        }

        // An instant, so its zone is part of it: a bare local time would mean something else on every server.
        if (!IsoInstant().IsMatch(at)
            || !DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            errors.Add("triggerConfig.at", "must be an ISO 8601 instant with its offset, for example 2030-01-31T09:00:00Z.");
            return result;
        }

        result["at"] = instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
        return result;
    }

    private static JsonObject EventConfig(JsonElement? given, ValidationErrors errors)
    {
        var result = new JsonObject();
        if (Settings(given, errors, ["eventName"], out var settings)
            && String(settings, "eventName", errors, required: true) is { } eventName)
        {
            result["eventName"] = eventName.Trim();
        }

        return result;
    }

    private static JsonObject RulePayload(JsonElement? given, ValidationErrors errors)
    {
        var result = new JsonObject();
        if (given is not { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } value)
        {
            return result;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add("rulePayload", "must be an object with recipients, payload and overrides.");
            return result;
        }

        foreach (var property in value.EnumerateObject())
        {
            var expected = property.Name switch
            {
                "recipients" => JsonValueKind.Array,
                "payload" or "overrides" => JsonValueKind.Object,
                _ => JsonValueKind.Undefined,
            };
            if (expected == JsonValueKind.Undefined)
            {
                errors.Add($"rulePayload.{property.Name}", "is not a rule payload field (recipients, payload, overrides).");
            }
            else if (property.Value.ValueKind != expected)
            {
                errors.Add($"rulePayload.{property.Name}", expected == JsonValueKind.Array ? "must be an array." : "must be an object.");
            }
            else if (property.Name == "recipients")
            {
                // The same rule set as a trigger's 'to': the rule fires with these, so they are checked now.
                var problems = new List<TextFault>();
                result[property.Name] = Recipients.List(property.Value, "rulePayload.recipients", 0, Recipients.MaxCount, problems);
                foreach (var problem in problems)
                {
                    errors.Add(problem.Field, problem.Message);
                }
            }
            else
            {
                result[property.Name] = JsonNode.Parse(property.Value.GetRawText());
            }
        }

        return result;
    }

    private static bool Settings(JsonElement? given, ValidationErrors errors, string[] allowed, out Dictionary<string, JsonElement> settings)
    {
        settings = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (given is not { ValueKind: JsonValueKind.Object } value)
        {
            errors.Add("triggerConfig", $"must be an object with {string.Join(", ", allowed)}.");
            return false;
        }

        foreach (var property in value.EnumerateObject())
        {
            if (allowed.Contains(property.Name, StringComparer.Ordinal))
            {
                settings[property.Name] = property.Value;
            }
            else
            {
                errors.Add($"triggerConfig.{property.Name}", $"is not a setting of this trigger type ({string.Join(", ", allowed)}).");
            }
        }

        return true;
    }

    private static string? String(Dictionary<string, JsonElement> settings, string name, ValidationErrors errors, bool required)
    {
        if (!settings.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                errors.Add($"triggerConfig.{name}", "is required.");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            errors.Add($"triggerConfig.{name}", "must be a non-empty string.");
            return null;
        }

        return value.GetString();
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoInstant();
}
