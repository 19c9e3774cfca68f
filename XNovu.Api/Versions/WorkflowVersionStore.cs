using System.Text.Json;
using Dapper;
using XNovu.Api.Workflows;
using XNovu.Core.Persistence;

namespace XNovu.Api.Versions;

/// <summary>
/// The SQL of workflow versions (issue 30): every publish keeps the definition as published, numbered, with its
/// author (filled by the audit trigger) and time. Only added, never changed.
/// </summary>
public sealed class WorkflowVersionStore(XNovuDatabase database)
{
    /// <summary>Records the workflow as it is now as its next version, in the publishing transaction.</summary>
    /// <param name="note">Why the version exists when it is not a plain publish (<c>rollback to 2</c>).</param>
    internal static Task RecordAsync(TenantSession session, string workflowKey, string? note) =>
        session.Connection.ExecuteAsync(
            """
            INSERT INTO notify.ent_workflow_version (enterprise_id, workflow_key, version, definition, note)
            SELECT w.enterprise_id, w.workflow_key,
                   coalesce((SELECT max(version) FROM notify.ent_workflow_version WHERE workflow_key = @workflowKey), 0) + 1,
                   jsonb_build_object(
                       'name', w.name, 'description', w.description, 'defaultChannels', to_jsonb(w.default_channels),
                       'templateOverrides', w.template_overrides, 'payloadSchema', w.payload_schema, 'controlSchema', w.control_schema,
                       'category', (SELECT c.code FROM notify.typ_notification_category c WHERE c.id = w.notification_category_id),
                       'novuPayload', to_jsonb(w.novu_payload), 'revision', w.version),
                   @note
            FROM notify.ent_notification_workflow w
            WHERE w.workflow_key = @workflowKey
            """,
            new { workflowKey, note }, session.Transaction);

    /// <summary>A published version's definition as the request that would write it again; null when there is no such version.</summary>
    internal static async Task<WorkflowRequest?> ReadDefinitionAsync(TenantSession session, string workflowKey, int version)
    {
        var definition = await session.Connection.QuerySingleOrDefaultAsync<string>(
            "SELECT definition::text FROM notify.ent_workflow_version WHERE workflow_key = @workflowKey AND version = @version",
            new { workflowKey, version }, session.Transaction);
        if (definition is null)
        {
            return null;
        }

        var published = JsonSerializer.Deserialize<PublishedDefinition>(definition, Json)!;
        return new WorkflowRequest(
            workflowKey, published.Name, published.Description, WorkflowValidation.Dynamic, published.DefaultChannels,
            Present(published.PayloadSchema), Present(published.ControlSchema), published.TemplateOverrides, published.Category,
            published.NovuPayload);
    }

    private static JsonElement? Present(JsonElement? value) => value is { ValueKind: not JsonValueKind.Null } present ? present : null;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The shape <see cref="RecordAsync"/> writes.</summary>
    private sealed record PublishedDefinition(
        string Name, string? Description, IReadOnlyList<string>? DefaultChannels, Dictionary<string, string>? TemplateOverrides,
        JsonElement? PayloadSchema, JsonElement? ControlSchema, string? Category, IReadOnlyList<string>? NovuPayload);

    internal async Task<IReadOnlyList<WorkflowVersionRow>> ListAsync(Guid enterpriseId, string workflowKey, int[]? versions, CancellationToken cancellationToken) =>
        (await database.InTenantAsync(enterpriseId, session => session.Connection.QueryAsync<WorkflowVersionRow>(
            """
            SELECT version, definition::text AS Definition, note, created_at AS CreatedAt, created_by AS CreatedBy
            FROM notify.ent_workflow_version
            WHERE workflow_key = @workflowKey AND (@versions::integer[] IS NULL OR version = ANY(@versions))
            ORDER BY version DESC
            """,
            new { workflowKey, versions }, session.Transaction), cancellationToken)).AsList();
}
