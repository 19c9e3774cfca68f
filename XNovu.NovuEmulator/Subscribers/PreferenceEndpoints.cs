using System.Text.Json.Nodes;
using XNovu.NovuEmulator.Shared;
using XNovu.NovuEmulator.Webhooks;
using XNovu.NovuEmulator.Workflows;

namespace XNovu.NovuEmulator.Subscribers;

/// <summary>
/// Novu's subscriber preference routes (<c>/v2/subscribers/{id}/preferences</c>): read (filtered by
/// <c>criticality</c>), update one (global without <c>workflowId</c>) and bulk (1 to 100 workflows, all or
/// nothing). Refusals as Novu's: an unknown subscriber or workflow is 404, a critical workflow's preference 400,
/// a malformed body 422; nothing is written by a refused request.
/// </summary>
public static class PreferenceEndpoints
{
    public const int MaxBulkPreferences = 100;

    private static readonly string[] Criticalities = ["critical", "nonCritical", "all"];

    public static IEndpointRouteBuilder MapSubscriberPreferences(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/subscribers/{subscriberId}/preferences").WithTags("Subscriber preferences");
        group.MapGet("/", Get);
        group.MapPatch("/", UpdateAsync);
        group.MapPatch("/bulk", BulkAsync);
        return routes;
    }

    private static IResult Get(HttpContext context, SubscriberStore subscribers, WorkflowStore workflows, PreferenceStore preferences,
        string subscriberId, string? criticality)
    {
        criticality ??= "nonCritical";
        if (!Criticalities.Contains(criticality, StringComparer.Ordinal))
        {
            return NovuApi.ValidationError(context, [new FieldError("criticality",
                $"criticality must be one of the following values: {string.Join(", ", Criticalities)}", criticality)]);
        }

        return subscribers.Get(subscriberId) is null
            ? SubscriberNotFound(context, subscriberId)
            : NovuApi.Data(PreferenceView.All(workflows.List(), preferences.Get(subscriberId), criticality));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, SubscriberStore subscribers, WorkflowStore workflows,
        PreferenceStore preferences, WebhookSender webhooks, string subscriberId, CancellationToken ct)
    {
        var body = await NovuApi.ReadObjectAsync(context.Request, ct);
        if (body is null)
        {
            return NovuApi.Error(context, StatusCodes.Status400BadRequest, "Request body must be a JSON object");
        }

        var errors = new List<FieldError>();
        var change = ReadChange(body, string.Empty, requireWorkflow: false, errors);
        if (errors.Count > 0)
        {
            return NovuApi.ValidationError(context, errors);
        }

        if (subscribers.Get(subscriberId) is null)
        {
            return SubscriberNotFound(context, subscriberId);
        }

        WorkflowDto? workflow = null;
        if (change.WorkflowId is not null && Refuse(context, workflows, change.WorkflowId, out workflow) is { } refused)
        {
            return refused;
        }

        preferences.Apply(subscriberId, [(workflow?.Id, change.Channels)]);
        var choices = preferences.Get(subscriberId);
        webhooks.PreferenceUpdated(subscriberId, workflow is null ? PreferenceView.GlobalLevel(choices) : PreferenceView.Level(workflow, choices));
        return NovuApi.Data(PreferenceView.All(workflows.List(), choices, "nonCritical"));
    }

    private static async Task<IResult> BulkAsync(HttpContext context, SubscriberStore subscribers, WorkflowStore workflows,
        PreferenceStore preferences, WebhookSender webhooks, string subscriberId, CancellationToken ct)
    {
        var body = await NovuApi.ReadObjectAsync(context.Request, ct);
        if (body is null)
        {
            return NovuApi.Error(context, StatusCodes.Status400BadRequest, "Request body must be a JSON object");
        }

        if (body["preferences"] is not JsonArray items || items.Count is 0 or > MaxBulkPreferences)
        {
            return NovuApi.ValidationError(context, [new FieldError("preferences",
                $"preferences must be an array of 1 to {MaxBulkPreferences} elements", body["preferences"]?.DeepClone())]);
        }

        var errors = new List<FieldError>();
        var changes = new List<(string WorkflowId, IReadOnlyDictionary<string, bool> Channels)>();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not JsonObject item)
            {
                errors.Add(new FieldError($"preferences.{i}", "each preference must be an object", items[i]?.DeepClone()));
                continue;
            }

            var change = ReadChange(item, $"preferences.{i}.", requireWorkflow: true, errors);
            if (change.WorkflowId is not null)
            {
                changes.Add((change.WorkflowId, change.Channels));
            }
        }

        if (errors.Count > 0)
        {
            return NovuApi.ValidationError(context, errors);
        }

        if (subscribers.Get(subscriberId) is null)
        {
            return SubscriberNotFound(context, subscriberId);
        }

        var resolved = new List<(WorkflowDto Workflow, IReadOnlyDictionary<string, bool> Channels)>();
        foreach (var (workflowId, channels) in changes)
        {
            if (Refuse(context, workflows, workflowId, out var workflow) is { } refused)
            {
                return refused;
            }

            resolved.Add((workflow!, channels));
        }

        preferences.Apply(subscriberId, [.. resolved.Select(r => ((string?)r.Workflow.Id, r.Channels))]);
        var choices = preferences.Get(subscriberId);
        var levels = resolved.DistinctBy(r => r.Workflow.Id).Select(r => PreferenceView.Level(workflows.Get(r.Workflow.Id)!, choices)).ToList();
        foreach (var level in levels)
        {
            webhooks.PreferenceUpdated(subscriberId, level);
        }

        return NovuApi.Data(levels);
    }

    internal sealed record Change(string? WorkflowId, IReadOnlyDictionary<string, bool> Channels);

    /// <summary>
    /// <c>{"channels":{"email":false},"workflowId"?}</c>. Each known channel must be a boolean; keys Novu does not
    /// know are ignored, as its validation pipe strips nothing and its DTO reads only its own fields.
    /// </summary>
    internal static Change ReadChange(JsonObject body, string prefix, bool requireWorkflow, List<FieldError> errors)
    {
        var workflowId = body["workflowId"].AsString();
        if (body["workflowId"] is not null && string.IsNullOrWhiteSpace(workflowId))
        {
            errors.Add(new FieldError($"{prefix}workflowId", "workflowId must be a non-empty string", body["workflowId"]?.DeepClone()));
        }
        else if (requireWorkflow && workflowId is null)
        {
            errors.Add(new FieldError($"{prefix}workflowId", "workflowId should not be empty"));
        }

        var channels = new Dictionary<string, bool>(StringComparer.Ordinal);
        if (body["channels"] is JsonObject given)
        {
            foreach (var channel in WorkflowPreferences.Channels)
            {
                if (given[channel] is not JsonNode node)
                {
                    continue;
                }

                if (node is JsonValue value && value.TryGetValue<bool>(out var enabled))
                {
                    channels[channel] = enabled;
                }
                else
                {
                    errors.Add(new FieldError($"{prefix}channels.{channel}", $"{channel} must be a boolean value", node.DeepClone()));
                }
            }
        }
        else if (body["channels"] is not null || requireWorkflow)
        {
            errors.Add(new FieldError($"{prefix}channels", "channels must be an object", body["channels"]?.DeepClone()));
        }

        return new Change(string.IsNullOrWhiteSpace(workflowId) ? null : workflowId, channels);
    }

    /// <summary>A workflow is named by its identifier or database id; a critical one takes no subscriber choice.</summary>
    internal static IResult? Refuse(HttpContext context, WorkflowStore workflows, string workflowId, out WorkflowDto? workflow)
    {
        workflow = workflows.Get(workflowId);
        if (workflow is null)
        {
            return NovuApi.Error(context, StatusCodes.Status404NotFound, $"Workflow with id: {workflowId} is not found");
        }

        return workflow.Critical
            ? NovuApi.Error(context, StatusCodes.Status400BadRequest, $"Critical workflow {workflow.WorkflowId} preferences cannot be updated")
            : null;
    }

    internal static IResult SubscriberNotFound(HttpContext context, string subscriberId) =>
        NovuApi.Error(context, StatusCodes.Status404NotFound, $"Subscriber '{subscriberId}' was not found");
}
