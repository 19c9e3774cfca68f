using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Core.Persistence;
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
        group.MapPost("/{workflowKey}/unpublish", (string workflowKey, HttpContext http, XNovuDatabase database, StaticWorkflowRegistry registry, IDefinitionChangeNotifier notifier, CancellationToken cancellationToken) =>
            SetStateAsync(workflowKey, $"publish_status = '{PublishStatuses.Draft}'", http, database, registry, notifier, cancellationToken));
        group.MapPost("/{workflowKey}/deactivate", (string workflowKey, HttpContext http, XNovuDatabase database, StaticWorkflowRegistry registry, IDefinitionChangeNotifier notifier, CancellationToken cancellationToken) =>
            SetStateAsync(workflowKey, "deactivated = true", http, database, registry, notifier, cancellationToken));
        return group;
    }

    private static async Task<Ok<WorkflowStatsResponse>> StatsAsync(
        StaticWorkflowRegistry registry, XNovuDatabase database, CancellationToken cancellationToken)
    {
        var stats = await registry.GetStatsAsync(database, cancellationToken);
        return TypedResults.Ok(new WorkflowStatsResponse(stats.Total, stats.Static, stats.Dynamic, stats.Enterprises));
    }

    private static async Task<Results<Created<WorkflowResponse>, ProblemHttpResult>> CreateAsync(
        WorkflowRequest request, HttpContext http, XNovuDatabase database, IDefinitionChangeNotifier notifier, CancellationToken cancellationToken)
    {
        var errors = WorkflowValidation.Validate(request, routeKey: null);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var enterpriseId = http.User.EnterpriseId();
        var key = request.WorkflowKey!;
        var (row, problem) = await database.InTenantAsync<(WorkflowRow?, ProblemHttpResult?)>(enterpriseId, async session =>
        {
            var (categoryId, categoryProblem) = await Definitions.ResolveCategoryAsync(session, request.CategoryCode);
            if (categoryProblem is not null)
            {
                return (null, categoryProblem);
            }

            var created = await session.Connection.QuerySingleOrDefaultAsync<WorkflowRow>(
                $"""
                WITH w AS (
                    INSERT INTO notify.ent_notification_workflow
                        (enterprise_id, workflow_key, name, description, workflow_type, default_channels,
                         payload_schema, control_schema, template_overrides, notification_category_id)
                    VALUES (@enterpriseId, @key, @name, @description, 'DYNAMIC', @channels::notify.notification_channel_type[],
                            @payloadSchema::jsonb, @controlSchema::jsonb, @templateOverrides::jsonb, @categoryId)
                    ON CONFLICT (enterprise_id, workflow_key) DO NOTHING
                    RETURNING *)
                SELECT {WorkflowRow.Columns} FROM w {WorkflowRow.From}
                """,
                Parameters(request, enterpriseId, key, categoryId),
                session.Transaction);
            return created is null
                ? (null, Problems.Conflict($"Workflow '{key}' already exists."))
                : (created, null);
        }, cancellationToken);

        if (problem is not null)
        {
            return problem;
        }

        await notifier.WorkflowChangedAsync(enterpriseId, key, cancellationToken);
        return TypedResults.Created($"{Prefix}/{Uri.EscapeDataString(key)}", row!.ToResponse());
    }

    private static async Task<Results<Ok<IReadOnlyList<WorkflowResponse>>, ProblemHttpResult>> ListAsync(
        string? workflowType, HttpContext http, XNovuDatabase database, StaticWorkflowRegistry registry, CancellationToken cancellationToken)
    {
        if (workflowType is not (null or WorkflowValidation.Dynamic or WorkflowValidation.Static))
        {
            return Problems.Validation("workflowType", "must be DYNAMIC or STATIC.");
        }

        var dynamic = await database.InTenantAsync(http.User.EnterpriseId(), session => session.Connection.QueryAsync<WorkflowRow>(
            $"SELECT {WorkflowRow.Columns} FROM notify.ent_notification_workflow w {WorkflowRow.From} ORDER BY w.workflow_key",
            transaction: session.Transaction), cancellationToken);
        var own = dynamic.Select(r => r.ToResponse()).ToList();
        var shadowed = own.Select(w => w.WorkflowKey).ToHashSet(StringComparer.Ordinal);
        var staticSync = await StaticNovuSync.ReadAsync(database, http.User.EnterpriseId(), cancellationToken);
        var all = own
            .Concat(registry.Workflows.Where(s => !shadowed.Contains(s.WorkflowKey)).Select(s => ToResponse(s, staticSync)))
            .Where(w => workflowType is null || w.WorkflowType == workflowType)
            .OrderBy(w => w.WorkflowKey, StringComparer.Ordinal)
            .ToList();
        return TypedResults.Ok<IReadOnlyList<WorkflowResponse>>(all);
    }

    private static async Task<Results<Ok<WorkflowResponse>, ProblemHttpResult>> GetAsync(
        string workflowKey, HttpContext http, XNovuDatabase database, StaticWorkflowRegistry registry, CancellationToken cancellationToken)
    {
        var row = await database.InTenantAsync(http.User.EnterpriseId(), session => session.Connection.QuerySingleOrDefaultAsync<WorkflowRow>(
            $"SELECT {WorkflowRow.Columns} FROM notify.ent_notification_workflow w {WorkflowRow.From} WHERE w.workflow_key = @workflowKey",
            new { workflowKey }, session.Transaction), cancellationToken);
        if (row is not null)
        {
            return TypedResults.Ok(row.ToResponse());
        }

        return registry.FindWorkflow(workflowKey) is { } found
            ? TypedResults.Ok(ToResponse(found, await StaticNovuSync.ReadAsync(database, http.User.EnterpriseId(), cancellationToken)))
            : NotFound(workflowKey);
    }

    private static async Task<Results<Ok<WorkflowResponse>, ProblemHttpResult>> UpdateAsync(
        string workflowKey,
        WorkflowRequest request,
        HttpContext http,
        XNovuDatabase database,
        StaticWorkflowRegistry registry,
        IDefinitionChangeNotifier notifier,
        CancellationToken cancellationToken)
    {
        var errors = WorkflowValidation.Validate(request, workflowKey);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var enterpriseId = http.User.EnterpriseId();
        var (row, problem) = await database.InTenantAsync<(WorkflowRow?, ProblemHttpResult?)>(enterpriseId, async session =>
        {
            var status = await session.Connection.QuerySingleOrDefaultAsync<string>(
                "SELECT publish_status::text FROM notify.ent_notification_workflow WHERE workflow_key = @workflowKey FOR UPDATE",
                new { workflowKey }, session.Transaction);
            if (status is null)
            {
                return (null, Missing(registry, workflowKey));
            }

            var (categoryId, categoryProblem) = await Definitions.ResolveCategoryAsync(session, request.CategoryCode);
            if (categoryProblem is not null)
            {
                return (null, categoryProblem);
            }

            // A published workflow stays sendable: a change that would break it is refused, not half-applied.
            if (status == PublishStatuses.Publish)
            {
                var unpublishable = await WorkflowValidation.CheckPublishableAsync(
                    session, request.DefaultChannels ?? [], request.TemplateOverrides ?? []);
                if (unpublishable.Any)
                {
                    return (null, Problems.Validation(unpublishable.ToDictionary(), "The workflow is published and this change would make it unsendable."));
                }
            }

            var updated = await session.Connection.QuerySingleAsync<WorkflowRow>(
                $"""
                WITH w AS (
                    UPDATE notify.ent_notification_workflow
                    SET name = @name, description = @description,
                        default_channels = @channels::notify.notification_channel_type[],
                        payload_schema = @payloadSchema::jsonb, control_schema = @controlSchema::jsonb,
                        template_overrides = @templateOverrides::jsonb, notification_category_id = @categoryId,
                        version = version + 1, updated_at = now()
                    WHERE workflow_key = @key
                    RETURNING *)
                SELECT {WorkflowRow.Columns} FROM w {WorkflowRow.From}
                """,
                Parameters(request, enterpriseId, workflowKey, categoryId),
                session.Transaction);
            return (updated, null);
        }, cancellationToken);

        if (problem is not null)
        {
            return problem;
        }

        await notifier.WorkflowChangedAsync(enterpriseId, workflowKey, cancellationToken);
        return TypedResults.Ok(row!.ToResponse());
    }

    private static async Task<Results<Ok<WorkflowResponse>, ProblemHttpResult>> PublishAsync(
        string workflowKey,
        HttpContext http,
        XNovuDatabase database,
        StaticWorkflowRegistry registry,
        IDefinitionChangeNotifier notifier,
        CancellationToken cancellationToken)
    {
        var enterpriseId = http.User.EnterpriseId();
        var (row, problem) = await database.InTenantAsync<(WorkflowRow?, ProblemHttpResult?)>(enterpriseId, async session =>
        {
            var current = await session.Connection.QuerySingleOrDefaultAsync<WorkflowRow>(
                $"SELECT {WorkflowRow.Columns} FROM notify.ent_notification_workflow w {WorkflowRow.From} WHERE w.workflow_key = @workflowKey FOR UPDATE OF w",
                new { workflowKey }, session.Transaction);
            if (current is null)
            {
                return (null, Missing(registry, workflowKey));
            }

            var response = current.ToResponse();
            var errors = await WorkflowValidation.CheckPublishableAsync(session, response.DefaultChannels, response.TemplateOverrides);
            if (errors.Any)
            {
                return (null, Problems.Validation(errors.ToDictionary(), $"Workflow '{workflowKey}' cannot be published."));
            }

            return (await SetAsync(session, workflowKey, $"publish_status = '{PublishStatuses.Publish}'"), null);
        }, cancellationToken);

        if (problem is not null)
        {
            return problem;
        }

        await notifier.WorkflowChangedAsync(enterpriseId, workflowKey, cancellationToken);
        return TypedResults.Ok(row!.ToResponse());
    }

    private static async Task<Results<Ok<WorkflowResponse>, ProblemHttpResult>> SetStateAsync(
        string workflowKey,
        string assignment,
        HttpContext http,
        XNovuDatabase database,
        StaticWorkflowRegistry registry,
        IDefinitionChangeNotifier notifier,
        CancellationToken cancellationToken)
    {
        var enterpriseId = http.User.EnterpriseId();
        var row = await database.InTenantAsync(enterpriseId, session => SetAsync(session, workflowKey, assignment), cancellationToken);
        if (row is null)
        {
            return Missing(registry, workflowKey);
        }

        await notifier.WorkflowChangedAsync(enterpriseId, workflowKey, cancellationToken);
        return TypedResults.Ok(row.ToResponse());
    }

    /// <param name="assignment">A fixed SQL assignment chosen by this class, never by a request.</param>
    private static Task<WorkflowRow?> SetAsync(TenantSession session, string workflowKey, string assignment) =>
        session.Connection.QuerySingleOrDefaultAsync<WorkflowRow>(
            $"""
            WITH w AS (
                UPDATE notify.ent_notification_workflow SET {assignment}, updated_at = now()
                WHERE workflow_key = @workflowKey
                RETURNING *)
            SELECT {WorkflowRow.Columns} FROM w {WorkflowRow.From}
            """,
            new { workflowKey },
            session.Transaction);

    private static object Parameters(WorkflowRequest request, Guid enterpriseId, string key, long? categoryId) => new
    {
        enterpriseId,
        key,
        name = request.Name!.Trim(),
        request.Description,
        channels = (request.DefaultChannels ?? []).ToArray(),
        payloadSchema = Jsonb.ToColumn(request.PayloadSchema),
        controlSchema = Jsonb.ToColumn(request.ControlSchema),
        templateOverrides = System.Text.Json.JsonSerializer.Serialize(request.TemplateOverrides ?? []),
        categoryId,
    };

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
        sync.GetValueOrDefault(workflow.WorkflowKey) ?? NovuSyncResponse.Of(null, workflow.WorkflowKey, null, null, null, null));
}
