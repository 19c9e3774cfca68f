using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Core.Workflows;

namespace XNovu.Api.Workflows;

/// <summary>
/// An enterprise's dynamic workflows, addressed by key, read together with the static workflows shipped
/// with XNovu. A dynamic workflow with a static workflow's key shadows it for its enterprise; a static
/// workflow itself is never written through this API.
/// </summary>
public static class WorkflowEndpoints
{
    private const string Prefix = "/api/workflows";

    public static RouteGroupBuilder MapWorkflowEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Prefix).WithTags("Workflows").RequireAuthorization(XNovuAuth.EnterprisePolicy);

        group.MapGet("/stats", StatsAsync);
        group.MapPost("/", CreateAsync);
        group.MapGet("/", ListAsync);
        group.MapGet("/{workflowKey}", GetAsync);
        group.MapPut("/{workflowKey}", UpdateAsync);
        group.MapPost("/{workflowKey}/publish", PublishAsync);
        group.MapPost("/{workflowKey}/unpublish", (string workflowKey, [AsParameters] WorkflowServices services, CancellationToken cancellationToken) =>
            SetStateAsync(workflowKey, StateChange.Unpublish, services, cancellationToken));
        group.MapPost("/{workflowKey}/deactivate", (string workflowKey, [AsParameters] WorkflowServices services, CancellationToken cancellationToken) =>
            SetStateAsync(workflowKey, StateChange.Deactivate, services, cancellationToken));
        return group;
    }

    private static async Task<Ok<WorkflowStatsResponse>> StatsAsync(WorkflowStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.StatsAsync(cancellationToken));

    private static async Task<Results<Created<WorkflowResponse>, ProblemHttpResult>> CreateAsync(
        WorkflowRequest request, HttpContext http, WorkflowStore store, IDefinitionChangeNotifier notifier, CancellationToken cancellationToken)
    {
        var errors = WorkflowValidation.Validate(request, routeKey: null);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var enterpriseId = http.User.EnterpriseId();
        var key = request.WorkflowKey!;
        var (row, problem) = await store.CreateAsync(enterpriseId, request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        await notifier.WorkflowChangedAsync(enterpriseId, key, cancellationToken);
        return TypedResults.Created($"{Prefix}/{Uri.EscapeDataString(key)}", row!.ToResponse());
    }

    private static async Task<Results<Ok<IReadOnlyList<WorkflowResponse>>, ProblemHttpResult>> ListAsync(
        string? workflowType, HttpContext http, WorkflowStore store, WorkflowResolver resolver, CancellationToken cancellationToken)
    {
        if (workflowType is not (null or WorkflowValidation.Dynamic or WorkflowValidation.Static))
        {
            return Problems.Validation("workflowType", "must be DYNAMIC or STATIC.");
        }

        var own = await store.ListAsync(http.User.EnterpriseId(), cancellationToken);
        var staticSync = await store.StaticNovuSyncAsync(http.User.EnterpriseId(), cancellationToken);
        var all = resolver.Visible(own, row => row.WorkflowKey)
            .Select(workflow => workflow.Own is { } row ? row.ToResponse() : ToResponse(workflow.Static!, staticSync))
            .Where(w => workflowType is null || w.WorkflowType == workflowType)
            .OrderBy(w => w.WorkflowKey, StringComparer.Ordinal)
            .ToList();
        return TypedResults.Ok<IReadOnlyList<WorkflowResponse>>(all);
    }

    private static async Task<Results<Ok<WorkflowResponse>, ProblemHttpResult>> GetAsync(
        string workflowKey, HttpContext http, WorkflowStore store, WorkflowResolver resolver, CancellationToken cancellationToken)
    {
        var own = await store.FindAsync(http.User.EnterpriseId(), workflowKey, cancellationToken);
        var visible = resolver.Choose(workflowKey, own);
        return visible is null
            ? NotFound(workflowKey)
            : TypedResults.Ok(visible.Own is { } row
                ? row.ToResponse()
                : ToResponse(visible.Static!, await store.StaticNovuSyncAsync(http.User.EnterpriseId(), cancellationToken)));
    }

    private static async Task<Results<Ok<WorkflowResponse>, ProblemHttpResult>> UpdateAsync(
        string workflowKey, WorkflowRequest request, [AsParameters] WorkflowServices services, CancellationToken cancellationToken)
    {
        var errors = WorkflowValidation.Validate(request, workflowKey);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var enterpriseId = services.Http.User.EnterpriseId();
        var (row, problem) = await services.Store.UpdateAsync(enterpriseId, workflowKey, request, cancellationToken);
        return await AnswerAsync(workflowKey, enterpriseId, row, problem, services, cancellationToken);
    }

    private static async Task<Results<Ok<WorkflowResponse>, ProblemHttpResult>> PublishAsync(
        string workflowKey, [AsParameters] WorkflowServices services, CancellationToken cancellationToken)
    {
        var enterpriseId = services.Http.User.EnterpriseId();
        var (row, problem) = await services.Store.PublishAsync(enterpriseId, workflowKey, cancellationToken);
        return await AnswerAsync(workflowKey, enterpriseId, row, problem, services, cancellationToken);
    }

    private static async Task<Results<Ok<WorkflowResponse>, ProblemHttpResult>> SetStateAsync(
        string workflowKey, StateChange change, WorkflowServices services, CancellationToken cancellationToken)
    {
        var enterpriseId = services.Http.User.EnterpriseId();
        var row = await services.Store.SetStateAsync(enterpriseId, workflowKey, change, cancellationToken);
        return await AnswerAsync(workflowKey, enterpriseId, row, null, services, cancellationToken);
    }

    /// <summary>A write's answer: its problem, the missing workflow's, or the changed row once every cache has heard.</summary>
    private static async Task<Results<Ok<WorkflowResponse>, ProblemHttpResult>> AnswerAsync(
        string workflowKey, Guid enterpriseId, WorkflowRow? row, ProblemHttpResult? problem, WorkflowServices services, CancellationToken cancellationToken)
    {
        if (problem is not null)
        {
            return problem;
        }

        if (row is null)
        {
            return Missing(services.Registry, workflowKey);
        }

        await services.Notifier.WorkflowChangedAsync(enterpriseId, workflowKey, cancellationToken);
        return TypedResults.Ok(row.ToResponse());
    }

    /// <summary>Neither this enterprise's workflow nor writable: a static key is a conflict, anything else unknown.</summary>
    private static ProblemHttpResult Missing(StaticWorkflowRegistry registry, string workflowKey) =>
        registry.IsStaticWorkflow(workflowKey)
            ? Problems.Conflict(
                $"Workflow '{workflowKey}' is a static workflow shipped with XNovu and cannot be changed through the API. " +
                "Create a dynamic workflow with the same key to shadow it for this enterprise.")
            : NotFound(workflowKey);

    private static ProblemHttpResult NotFound(string workflowKey) => Problems.NotFound($"Workflow '{workflowKey}' was not found.");

    private static WorkflowResponse ToResponse(StaticWorkflow workflow, IReadOnlyDictionary<string, NovuSyncResponse> sync) => new(
        null, workflow.WorkflowKey, workflow.Name, workflow.Description, WorkflowValidation.Static, workflow.DefaultChannels,
        workflow.PayloadSchema, workflow.ControlSchema, workflow.TemplateOverrides, null, PublishStatuses.Publish,
        Deactivated: false, Version: 1, CreatedAt: null, UpdatedAt: null,
        sync.GetValueOrDefault(workflow.WorkflowKey) ?? NovuSyncResponse.Of(null, workflow.WorkflowKey, null, null, null, null),
        NovuPayload: []);
}

/// <summary>What a workflow write needs besides its route and body.</summary>
internal readonly record struct WorkflowServices(
    HttpContext Http, WorkflowStore Store, StaticWorkflowRegistry Registry, IDefinitionChangeNotifier Notifier);
