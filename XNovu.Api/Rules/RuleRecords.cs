using System.Text.Json;
using XNovu.Api.Workflows;
using XNovu.Core.Json;

namespace XNovu.Api.Rules;

public sealed record RuleRequest(
    string? Name,
    string? Description,
    string? WorkflowKey,
    string? TriggerType,
    JsonElement? TriggerConfig,
    JsonElement? RulePayload);

public sealed record RuleResponse(
    long Id,
    string Name,
    string? Description,
    string WorkflowKey,
    string TriggerType,
    JsonElement? TriggerConfig,
    JsonElement? RulePayload,
    string PublishStatus,
    bool Deactivated,
    DateTime CreatedAt,
    DateTime UpdatedAt);

internal sealed record RuleRow(
    long Id,
    string Name,
    string? Description,
    string WorkflowKey,
    string TriggerType,
    string TriggerConfig,
    string RulePayload,
    string PublishStatus,
    bool Deactivated,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public const string Columns =
        """
        r.id, r.name, r.description, w.workflow_key AS WorkflowKey, r.trigger_type::text AS TriggerType,
        r.trigger_config::text AS TriggerConfig, r.rule_payload::text AS RulePayload,
        r.publish_status::text AS PublishStatus, r.deactivated, r.created_at AS CreatedAt, r.updated_at AS UpdatedAt
        """;

    /// <summary>Joins <c>r</c>, which a caller's CTE may stand in for, to its workflow's key.</summary>
    public const string From = "JOIN notify.ent_notification_workflow w ON w.id = r.notification_workflow_id";

    public RuleResponse ToResponse() => new(
        Id, Name, Description, WorkflowKey, TriggerType, Jsonb.FromColumn(TriggerConfig), Jsonb.FromColumn(RulePayload),
        PublishStatus, Deactivated, CreatedAt, UpdatedAt);
}
