using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Http;
using XNovu.Api.Lookups;
using XNovu.Core.Json;
using XNovu.Core.Persistence;
using XNovu.Core.Workflows;

namespace XNovu.Api.Workflows;

/// <summary>
/// The SQL of an enterprise's dynamic workflows. Each call is one tenant transaction, so row-level security
/// keeps it inside the caller's enterprise. A null row with no problem means the enterprise has no workflow
/// with the key; the endpoints tell a static key from an unknown one.
/// </summary>
public sealed class WorkflowStore(XNovuDatabase database, StaticWorkflowRegistry registry)
{
    /// <summary>
    /// Total, static, dynamic and enterprises. Dynamic workflows and enterprises are counted across all
    /// enterprises through the one SECURITY DEFINER function that may do so, which answers counts only.
    /// </summary>
    public async Task<WorkflowStatsResponse> StatsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        var counts = await connection.QuerySingleAsync<(long Dynamic, long Enterprises)>(new CommandDefinition(
            "SELECT dynamic_workflows, enterprises FROM notify.workflow_registry_stats()", cancellationToken: cancellationToken));
        long staticCount = registry.Workflows.Count;
        return new WorkflowStatsResponse(staticCount + counts.Dynamic, staticCount, counts.Dynamic, counts.Enterprises);
    }

    /// <summary>The created workflow, or a problem: the key is taken, or the category is unknown.</summary>
    internal Task<(WorkflowRow? Row, ProblemHttpResult? Problem)> CreateAsync(
        Guid enterpriseId, WorkflowRequest request, CancellationToken cancellationToken) =>
        database.InTenantAsync<(WorkflowRow?, ProblemHttpResult?)>(enterpriseId, async session =>
        {
            var key = request.WorkflowKey!;
            var (categoryId, categoryProblem) = await LookupStore.ResolveCategoryAsync(session, request.CategoryCode);
            if (categoryProblem is not null)
            {
                return (null, categoryProblem);
            }

            var created = await session.Connection.QuerySingleOrDefaultAsync<WorkflowRow>(
                $"""
                WITH w AS (
                    INSERT INTO notify.ent_notification_workflow
                        (enterprise_id, workflow_key, name, description, workflow_type, default_channels,
                         payload_schema, control_schema, template_overrides, notification_category_id, novu_payload)
                    VALUES (@enterpriseId, @key, @name, @description, 'DYNAMIC', @channels::notify.notification_channel_type[],
                            @payloadSchema::jsonb, @controlSchema::jsonb, @templateOverrides::jsonb, @categoryId, @novuPayload)
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

    internal async Task<IReadOnlyList<WorkflowRow>> ListAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        (await database.InTenantAsync(enterpriseId, session => session.Connection.QueryAsync<WorkflowRow>(
            $"SELECT {WorkflowRow.Columns} FROM notify.ent_notification_workflow w {WorkflowRow.From} ORDER BY w.workflow_key",
            transaction: session.Transaction), cancellationToken)).AsList();

    internal Task<WorkflowRow?> FindAsync(Guid enterpriseId, string workflowKey, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<WorkflowRow>(
            $"SELECT {WorkflowRow.Columns} FROM notify.ent_notification_workflow w {WorkflowRow.From} WHERE w.workflow_key = @workflowKey",
            new { workflowKey }, session.Transaction), cancellationToken);

    /// <summary>The updated workflow, or a problem: unknown category, or a published workflow the change would break.</summary>
    internal Task<(WorkflowRow? Row, ProblemHttpResult? Problem)> UpdateAsync(
        Guid enterpriseId, string workflowKey, WorkflowRequest request, CancellationToken cancellationToken) =>
        database.InTenantAsync<(WorkflowRow?, ProblemHttpResult?)>(enterpriseId, async session =>
        {
            var status = await session.Connection.QuerySingleOrDefaultAsync<string>(
                "SELECT publish_status::text FROM notify.ent_notification_workflow WHERE workflow_key = @workflowKey FOR UPDATE",
                new { workflowKey }, session.Transaction);
            if (status is null)
            {
                return (null, null);
            }

            var (categoryId, categoryProblem) = await LookupStore.ResolveCategoryAsync(session, request.CategoryCode);
            if (categoryProblem is not null)
            {
                return (null, categoryProblem);
            }

            // A published workflow stays sendable: a change that would break it is refused, not half-applied.
            if (status == PublishStatuses.Publish)
            {
                var unpublishable = await CheckPublishableAsync(session, request.DefaultChannels ?? [], request.TemplateOverrides ?? []);
                if (unpublishable.Any)
                {
                    return (null, Problems.Validation(unpublishable.ToDictionary(), "The workflow is published and this change would make it unsendable."));
                }
            }

            var updated = await WriteAsync(session, request, enterpriseId, workflowKey, categoryId);
            return (updated, null);
        }, cancellationToken);

    /// <summary>The published workflow, or a problem when a channel lacks a sendable template.</summary>
    internal Task<(WorkflowRow? Row, ProblemHttpResult? Problem)> PublishAsync(
        Guid enterpriseId, string workflowKey, CancellationToken cancellationToken) =>
        database.InTenantAsync<(WorkflowRow?, ProblemHttpResult?)>(enterpriseId, async session =>
        {
            var current = await session.Connection.QuerySingleOrDefaultAsync<WorkflowRow>(
                $"SELECT {WorkflowRow.Columns} FROM notify.ent_notification_workflow w {WorkflowRow.From} WHERE w.workflow_key = @workflowKey FOR UPDATE OF w",
                new { workflowKey }, session.Transaction);
            if (current is null)
            {
                return (null, null);
            }

            var response = current.ToResponse();
            var errors = await CheckPublishableAsync(session, response.DefaultChannels, response.TemplateOverrides);
            if (errors.Any)
            {
                return (null, Problems.Validation(errors.ToDictionary(), $"Workflow '{workflowKey}' cannot be published."));
            }

            var published = await SetAsync(session, workflowKey, StateChange.Publish);
            // Every publish keeps the definition as published (issue 30).
            await XNovu.Api.Versions.WorkflowVersionStore.RecordAsync(session, workflowKey, note: null);
            return (published, null);
        }, cancellationToken);

    /// <summary>
    /// Makes published version <paramref name="version"/> the live definition again, as a new version (issue 30): the row
    /// takes that version's definition and is published, and the next trigger sends it. Refused (422) when that
    /// definition could not be sent today: its category or a template it names is gone or unpublished. Null row and no
    /// problem: no such workflow.
    /// </summary>
    internal Task<(WorkflowRow? Row, ProblemHttpResult? Problem)> RollbackAsync(
        Guid enterpriseId, string workflowKey, int version, CancellationToken cancellationToken) =>
        database.InTenantAsync<(WorkflowRow?, ProblemHttpResult?)>(enterpriseId, async session =>
        {
            var exists = await session.Connection.ExecuteScalarAsync<bool>(
                "SELECT true FROM notify.ent_notification_workflow WHERE workflow_key = @workflowKey FOR UPDATE",
                new { workflowKey }, session.Transaction);
            if (!exists)
            {
                return (null, null);
            }

            var request = await XNovu.Api.Versions.WorkflowVersionStore.ReadDefinitionAsync(session, workflowKey, version);
            if (request is null)
            {
                return (null, Problems.NotFound($"Workflow '{workflowKey}' has no version {version}."));
            }

            var (categoryId, categoryProblem) = await LookupStore.ResolveCategoryAsync(session, request.CategoryCode);
            var errors = await CheckPublishableAsync(session, request.DefaultChannels ?? [], request.TemplateOverrides ?? []);
            if (categoryProblem is not null || errors.Any)
            {
                return (null, categoryProblem ?? Problems.Validation(
                    errors.ToDictionary(), $"Workflow '{workflowKey}' cannot be rolled back to version {version}: it could not be sent today."));
            }

            await WriteAsync(session, request, enterpriseId, workflowKey, categoryId);
            var published = await SetAsync(session, workflowKey, StateChange.Publish);
            await XNovu.Api.Versions.WorkflowVersionStore.RecordAsync(session, workflowKey, $"rollback to {version}");
            return (published, null);
        }, cancellationToken);

    /// <summary>The one UPDATE of a workflow's definition; its revision (<c>version</c>) counts every change.</summary>
    private static Task<WorkflowRow> WriteAsync(TenantSession session, WorkflowRequest request, Guid enterpriseId, string workflowKey, long? categoryId) =>
        session.Connection.QuerySingleAsync<WorkflowRow>(
            $"""
            WITH w AS (
                UPDATE notify.ent_notification_workflow
                SET name = @name, description = @description,
                    default_channels = @channels::notify.notification_channel_type[],
                    payload_schema = @payloadSchema::jsonb, control_schema = @controlSchema::jsonb,
                    template_overrides = @templateOverrides::jsonb, notification_category_id = @categoryId,
                    novu_payload = @novuPayload,
                    version = version + 1, updated_at = now()
                WHERE workflow_key = @key
                RETURNING *)
            SELECT {WorkflowRow.Columns} FROM w {WorkflowRow.From}
            """,
            Parameters(request, enterpriseId, workflowKey, categoryId),
            session.Transaction);

    /// <summary>The changed workflow; null when the enterprise has no such workflow.</summary>
    /// <remarks>Publishing checks the workflow first: <see cref="PublishAsync"/>.</remarks>
    internal Task<WorkflowRow?> SetStateAsync(
        Guid enterpriseId, string workflowKey, StateChange change, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => SetAsync(session, workflowKey, change), cancellationToken);

    private static async Task<ValidationErrors> CheckPublishableAsync(
        TenantSession session, IReadOnlyList<string> channels, IReadOnlyDictionary<string, string> templateOverrides)
    {
        var keys = channels.Select(c => templateOverrides.GetValueOrDefault(c)).OfType<string>().Distinct().ToArray();
        var templates = keys.Length == 0
            ? new Dictionary<string, TemplateState>(StringComparer.Ordinal)
            : (await session.Connection.QueryAsync<TemplateState>(
                    """
                    SELECT template_key AS TemplateKey, channel_type::text AS ChannelType, publish_status::text AS PublishStatus, deactivated
                    FROM notify.ent_notification_template
                    WHERE template_key = ANY(@keys)
                    """,
                    new { keys },
                    session.Transaction))
                .ToDictionary(t => t.TemplateKey, StringComparer.Ordinal);
        return WorkflowValidation.CheckPublishable(channels, templateOverrides, templates);
    }

    private static Task<WorkflowRow?> SetAsync(TenantSession session, string workflowKey, StateChange change) =>
        session.Connection.QuerySingleOrDefaultAsync<WorkflowRow>(
            $"""
            WITH w AS (
                UPDATE notify.ent_notification_workflow SET {change.ToAssignment()}, updated_at = now()
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
        templateOverrides = JsonSerializer.Serialize(request.TemplateOverrides ?? []),
        categoryId,
        novuPayload = (request.NovuPayload ?? []).Distinct(StringComparer.Ordinal).ToArray(),
    };

    /// <summary>The Novu sync state of the static workflows, which every enterprise shares (rows without an enterprise).</summary>
    public Task<IReadOnlyDictionary<string, NovuSyncResponse>> StaticNovuSyncAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyDictionary<string, NovuSyncResponse>>(enterpriseId, async session =>
        {
            var rows = await session.Connection.QueryAsync<(string Key, string Status, string? NovuWorkflowId, DateTime? SyncedAt, string? Error)>(
                """
                SELECT workflow_key, status, novu_workflow_id, synced_at, error
                FROM notify.novu_workflow_sync WHERE enterprise_id IS NULL
                """,
                transaction: session.Transaction);
            return rows.ToDictionary(
                r => r.Key,
                r => NovuSyncResponse.Of(null, r.Key, r.Status, r.NovuWorkflowId, r.SyncedAt, r.Error),
                StringComparer.Ordinal);
        }, cancellationToken);
}
