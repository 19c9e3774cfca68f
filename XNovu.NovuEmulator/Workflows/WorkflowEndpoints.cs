using System.Text.Json.Nodes;
using XNovu.NovuEmulator.Shared;

namespace XNovu.NovuEmulator.Workflows;

/// <summary>
/// Novu's <c>/v2/workflows</c> routes: create (201), list (<c>{workflows, totalCount}</c>), get, update
/// (the whole workflow, <c>preferences</c> included), patch (<c>active</c>, <c>name</c>, <c>description</c>, <c>tags</c>,
/// <c>severity</c>) and delete (204). The answers are the shapes of <see cref="WorkflowDto"/>.
/// A workflow is addressed by its identifier or its database id; a taken identifier is a 409.
/// </summary>
public static class WorkflowEndpoints
{
    public static IEndpointRouteBuilder MapWorkflows(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/workflows").WithTags("Workflows");
        group.MapPost("/", CreateAsync);
        group.MapGet("/", (WorkflowStore store, int? limit, int? offset, string? query) =>
        {
            var all = store.List().Where(w => string.IsNullOrEmpty(query)
                || w.Name.Contains(query, StringComparison.OrdinalIgnoreCase)
                || w.WorkflowId.Contains(query, StringComparison.OrdinalIgnoreCase)).ToList();
            var page = all.Skip(Math.Max(offset ?? 0, 0)).Take(Math.Clamp(limit ?? 10, 1, 100)).ToList();
            return NovuApi.Data(new { workflows = page.Select(w => w.ToListItem()), totalCount = all.Count });
        });
        group.MapGet("/{workflowId}", (HttpContext context, WorkflowStore store, string workflowId) =>
            store.Get(workflowId) is { } workflow ? NovuApi.Data(workflow) : NotFound(context, workflowId));
        group.MapPut("/{workflowId}", UpdateAsync);
        group.MapPatch("/{workflowId}", PatchAsync);
        group.MapDelete("/{workflowId}", (HttpContext context, WorkflowStore store, string workflowId) =>
            store.Delete(workflowId) ? Results.NoContent() : NotFound(context, workflowId));
        return routes;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, WorkflowStore store, CancellationToken ct)
    {
        var body = await NovuApi.ReadObjectAsync(context.Request, ct);
        if (body is null)
        {
            return NovuApi.Error(context, StatusCodes.Status400BadRequest, "Request body must be a JSON object");
        }

        var errors = new List<FieldError>();
        var input = WorkflowValidation.Read(body, requireIdentifier: true, errors, out var workflowId);
        if (input is null)
        {
            return NovuApi.ValidationError(context, errors);
        }

        return store.Create(workflowId!, input) is { } created
            ? NovuApi.Data(created, StatusCodes.Status201Created)
            : NovuApi.Error(context, StatusCodes.Status409Conflict, $"Workflow with the same workflowId '{workflowId}' already exists");
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, WorkflowStore store, string workflowId, CancellationToken ct)
    {
        var body = await NovuApi.ReadObjectAsync(context.Request, ct);
        if (body is null)
        {
            return NovuApi.Error(context, StatusCodes.Status400BadRequest, "Request body must be a JSON object");
        }

        var errors = new List<FieldError>();
        var input = WorkflowValidation.Read(body, requireIdentifier: false, errors, out _);
        if (input is null)
        {
            return NovuApi.ValidationError(context, errors);
        }

        return store.Update(workflowId, input) is { } updated ? NovuApi.Data(updated) : NotFound(context, workflowId);
    }

    private static async Task<IResult> PatchAsync(HttpContext context, WorkflowStore store, string workflowId, CancellationToken ct)
    {
        var body = await NovuApi.ReadObjectAsync(context.Request, ct);
        if (body is null)
        {
            return NovuApi.Error(context, StatusCodes.Status400BadRequest, "Request body must be a JSON object");
        }

        if (store.Get(workflowId) is not { } current)
        {
            return NotFound(context, workflowId);
        }

        var merged = new JsonObject
        {
            ["name"] = body["name"]?.DeepClone() ?? current.Name,
            ["description"] = body["description"]?.DeepClone() ?? current.Description,
            ["active"] = body["active"]?.DeepClone() ?? current.Active,
            ["tags"] = body["tags"]?.DeepClone() ?? new JsonArray([.. current.Tags.Select(t => (JsonNode?)t)]),
            ["payloadSchema"] = current.PayloadSchema?.DeepClone(),
            ["severity"] = body["severity"]?.DeepClone() ?? current.Severity,
            ["isTranslationEnabled"] = current.IsTranslationEnabled,
            ["validatePayload"] = current.ValidatePayload,
            ["preferences"] = new JsonObject
            {
                ["user"] = current.Preferences.User?.DeepClone(),
                ["workflow"] = current.Preferences.Default.DeepClone(),
            },
            ["steps"] = new JsonArray([.. current.Steps.Select(s => (JsonNode?)new JsonObject
            {
                ["stepId"] = s.StepId,
                ["name"] = s.Name,
                ["type"] = s.Type,
                ["controlValues"] = s.ControlValues,
            })]),
        };
        var errors = new List<FieldError>();
        var input = WorkflowValidation.Read(merged, requireIdentifier: false, errors, out _);
        return input is null
            ? NovuApi.ValidationError(context, errors)
            : store.Update(workflowId, input) is { } updated ? NovuApi.Data(updated) : NotFound(context, workflowId);
    }

    private static IResult NotFound(HttpContext context, string workflowId) =>
        NovuApi.Error(context, StatusCodes.Status404NotFound, $"Workflow cannot be found: {workflowId}");
}
