using System.Text.Json;
using XNovu.Core.Json;
using XNovu.Core.Novu;

namespace XNovu.Api.Workflows;

/// <param name="NovuPayload">
/// The payload fields passed on to Novu beside the rendered content, as dotted paths (<c>["orderId", "order.total"]</c>);
/// at most 20, none when absent. Novu's steps show only what XNovu rendered, so most workflows pass on nothing.
/// </param>
public sealed record WorkflowRequest(
    string? WorkflowKey,
    string? Name,
    string? Description,
    string? WorkflowType,
    IReadOnlyList<string>? DefaultChannels,
    JsonElement? PayloadSchema,
    JsonElement? ControlSchema,
    Dictionary<string, string>? TemplateOverrides,
    string? CategoryCode,
    IReadOnlyList<string>? NovuPayload = null);

/// <summary>
/// A workflow as clients see it; static workflows have no id, no dates, are always published and pass no payload
/// field on to Novu. <c>novuPayload</c> lists the payload fields that go to Novu beside the rendered content.
/// </summary>
public sealed record WorkflowResponse(
    long? Id,
    string WorkflowKey,
    string Name,
    string? Description,
    string WorkflowType,
    IReadOnlyList<string> DefaultChannels,
    JsonElement? PayloadSchema,
    JsonElement? ControlSchema,
    IReadOnlyDictionary<string, string> TemplateOverrides,
    string? CategoryCode,
    string PublishStatus,
    bool Deactivated,
    int Version,
    DateTime? CreatedAt,
    DateTime? UpdatedAt,
    NovuSyncResponse NovuSync,
    IReadOnlyList<string> NovuPayload);

/// <summary>
/// The workflow's twin in Novu: <c>pending</c> until the dispatcher has synced the latest write, <c>synced</c>,
/// or <c>failed</c> (retried with backoff; <c>error</c> says why). The identifier is stable: Novu triggers use it.
/// </summary>
public sealed record NovuSyncResponse(string Status, string NovuWorkflowId, DateTime? SyncedAt, string? Error)
{
    public const string Pending = "pending";

    public static NovuSyncResponse Of(Guid? enterpriseId, string workflowKey, string? status, string? novuWorkflowId, DateTime? syncedAt, string? error) =>
        new(status ?? Pending, novuWorkflowId ?? NovuNames.WorkflowId(enterpriseId, workflowKey), syncedAt, error);
}

public sealed record WorkflowStatsResponse(long Total, long Static, long Dynamic, long Enterprises);

/// <summary>One row of <c>notify.ent_notification_workflow</c> with its category code, as Dapper reads it: the API's one row type for that table.</summary>
/// <remarks>Dapper maps records by exact type, and reads an enum array as <see cref="Array"/>, so channels come joined.</remarks>
internal sealed record WorkflowRow(
    long Id,
    Guid EnterpriseId,
    string WorkflowKey,
    string Name,
    string? Description,
    string WorkflowType,
    string DefaultChannels,
    string? PayloadSchema,
    string? ControlSchema,
    string TemplateOverrides,
    long? CategoryId,
    string? CategoryCode,
    string PublishStatus,
    bool Deactivated,
    int Version,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    string? SyncStatus,
    string? NovuWorkflowId,
    DateTime? SyncedAt,
    string? SyncError,
    string NovuPayload)
{
    public const string Columns =
        """
        w.id, w.enterprise_id AS EnterpriseId, w.workflow_key AS WorkflowKey, w.name, w.description, w.workflow_type::text AS WorkflowType,
        array_to_string(w.default_channels, ',') AS DefaultChannels, w.payload_schema::text AS PayloadSchema,
        w.control_schema::text AS ControlSchema, w.template_overrides::text AS TemplateOverrides,
        w.notification_category_id AS CategoryId, c.code AS CategoryCode, w.publish_status::text AS PublishStatus, w.deactivated, w.version,
        w.created_at AS CreatedAt, w.updated_at AS UpdatedAt, s.status AS SyncStatus,
        s.novu_workflow_id AS NovuWorkflowId, s.synced_at AS SyncedAt, s.error AS SyncError,
        to_jsonb(w.novu_payload)::text AS NovuPayload
        """;

    /// <summary>Selects <see cref="Columns"/> from <c>w</c>, which a caller's CTE may stand in for.</summary>
    public const string From =
        "LEFT JOIN notify.typ_notification_category c ON c.id = w.notification_category_id " +
        "LEFT JOIN notify.novu_workflow_sync s ON s.enterprise_id = w.enterprise_id AND s.workflow_key = w.workflow_key";

    public WorkflowResponse ToResponse() => new(
        Id, WorkflowKey, Name, Description, WorkflowType,
        DefaultChannels.Split(',', StringSplitOptions.RemoveEmptyEntries),
        Jsonb.FromColumn(PayloadSchema), Jsonb.FromColumn(ControlSchema),
        JsonSerializer.Deserialize<Dictionary<string, string>>(TemplateOverrides) ?? [],
        CategoryCode, PublishStatus, Deactivated, Version, CreatedAt, UpdatedAt,
        NovuSyncResponse.Of(EnterpriseId, WorkflowKey, SyncStatus, NovuWorkflowId, SyncedAt, SyncError),
        JsonSerializer.Deserialize<string[]>(NovuPayload) ?? []);
}
