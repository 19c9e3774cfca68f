using System.Text.Json.Nodes;

namespace XNovu.Console.Api;

// The API's JSON shapes as the console reads them. Free-form JSON stays a JsonNode: the console shows it and edits
// it as text, and never needs its inner shape beyond what a page names.

public sealed record EnterpriseItem(Guid Id, string Name, string? Description, bool Deactivated);

public sealed record CreatedApiKey(Guid Id, string Name, string Prefix, string Key);

public sealed record TemplateItem(
    long Id,
    string TemplateKey,
    string Name,
    string? Description,
    string ChannelType,
    string? SubjectTemplate,
    string BodyTemplate,
    JsonNode? VariablesDescription,
    string? CategoryCode,
    string PublishStatus,
    bool Deactivated,
    DateTime UpdatedAt,
    JsonObject? Locales = null,
    int? LiveVersion = null,
    string? LayoutKey = null);

/// <summary>A template's draft as the editor saves it: its locale variants and layout are sent back with it, or they would be cleared.</summary>
public sealed record TemplateInput(
    string TemplateKey,
    string Name,
    string? Description,
    string ChannelType,
    string? SubjectTemplate,
    string BodyTemplate,
    JsonNode? VariablesDescription,
    string? CategoryCode,
    JsonObject? Locales = null,
    string? LayoutKey = null);

public sealed record PreviewInput(
    string ChannelType,
    string? SubjectTemplate,
    string BodyTemplate,
    JsonNode? Payload,
    JsonNode? Subscriber,
    string? TemplateKey = null,
    string? Locale = null);

/// <param name="Locale">The locale the preview was rendered in, when one applies.</param>
/// <param name="MissingKeys">Translation keys the text uses that no catalog of that locale's chain has.</param>
public sealed record PreviewResult(string ChannelType, string? Subject, string Body, string Text, string? Locale = null, IReadOnlyList<string>? MissingKeys = null);

/// <summary>The Novu sync state, when the API reports one (it is optional: older APIs have none).</summary>
public sealed record WorkflowItem(
    long? Id,
    string WorkflowKey,
    string Name,
    string? Description,
    string WorkflowType,
    IReadOnlyList<string> DefaultChannels,
    JsonNode? PayloadSchema,
    JsonNode? ControlSchema,
    IReadOnlyDictionary<string, string> TemplateOverrides,
    string? CategoryCode,
    string PublishStatus,
    bool Deactivated,
    int Version,
    DateTime? UpdatedAt,
    JsonNode? NovuSync,
    IReadOnlyList<string>? NovuPayload = null);

public sealed record WorkflowInput(
    string WorkflowKey,
    string Name,
    string? Description,
    IReadOnlyList<string> DefaultChannels,
    JsonNode? PayloadSchema,
    JsonNode? ControlSchema,
    IReadOnlyDictionary<string, string> TemplateOverrides,
    string? CategoryCode,
    IReadOnlyList<string>? NovuPayload = null);

public sealed record WorkflowStats(long Total, long Static, long Dynamic, long Enterprises);

public sealed record RuleItem(
    long Id,
    string Name,
    string? Description,
    string WorkflowKey,
    string TriggerType,
    JsonNode? TriggerConfig,
    JsonNode? RulePayload,
    string PublishStatus,
    bool Deactivated,
    DateTime UpdatedAt);

public sealed record RuleInput(
    string Name,
    string? Description,
    string WorkflowKey,
    string TriggerType,
    JsonNode TriggerConfig,
    JsonNode RulePayload);

public sealed record NotificationFilter(string? Status, string? WorkflowId, DateTimeOffset? From, DateTimeOffset? To, int Limit = 50);

public sealed record NotificationItem(
    long Id,
    string WorkflowId,
    string Status,
    string? TransactionId,
    int RecipientCount,
    DateTime? ScheduledFor,
    DateTime? ProcessedAt,
    DateTime CreatedAt,
    DateTime UpdatedAt);

public sealed record NotificationPage(IReadOnlyList<NotificationItem> Items, string? NextCursor);

public sealed record NotificationDetail(
    long Id,
    string WorkflowId,
    string Status,
    JsonNode? Payload,
    JsonNode? Recipients,
    JsonNode? Overrides,
    string? TransactionId,
    DateTime? ScheduledFor,
    DateTime? ProcessedAt,
    DateTime? RetractedAt,
    string? RetractionReason,
    JsonNode? ErrorDetails,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    IReadOnlyList<DeliveryItem> Deliveries);

public sealed record DeliveryItem(
    long Id,
    int Ordinal,
    string? SubscriberId,
    string Status,
    int Attempts,
    string TransactionId,
    string? NovuStatus,
    JsonNode? LastError,
    DateTime? SentAt,
    DateTime NextAttemptAt,
    DateTime UpdatedAt,
    string? Outcome = null,
    DateTime? OutcomeAt = null,
    IReadOnlyList<DeliveryStepItem>? Timeline = null);

/// <summary>One step of a delivery's timeline (accepted, sent, delivered, failed, seen, read) as the API reports it.</summary>
public sealed record DeliveryStepItem(
    string Event, DateTime At, string Source, string? Channel = null, string? ProviderId = null, string? ErrorId = null, string? ErrorText = null);

public sealed record ComponentHealth(string Status, double DurationMs, string Detail);

public sealed record HealthReport(
    string Status,
    ComponentHealth Database,
    ComponentHealth Redis,
    ComponentHealth Novu,
    ComponentHealth Workflows,
    DateTimeOffset Timestamp);

public sealed record BacklogMetrics(long Pending, long Due, double OldestPendingAgeSeconds);

public sealed record DeliveryMetrics(long Sent, long Failed, long Retried);

public sealed record UptimeMetrics(DateTimeOffset StartedAt, double Seconds);

public sealed record OperationsMetrics(UptimeMetrics Uptime, BacklogMetrics Backlog, DeliveryMetrics Deliveries, DateTimeOffset Timestamp);

public sealed record RuleEngineStatus(
    bool Running,
    int Instances,
    DateTime? LastHeartbeatAt,
    DateTime? LastReloadAt,
    int RulesScheduled,
    DateTime? NextFireAt,
    IReadOnlyList<RuleEngineRule> Rules);

public sealed record RuleEngineRule(long RuleId, string Name, string TriggerType, bool Scheduled, DateTime? NextFireAt, DateTime? LastRunAt, string? LastOutcome, long FiredCount);

/// <summary>What an operator action answered, as one line for the page.</summary>
public sealed record OperatorOutcome(string Operation, string Summary);

/// <summary>One published version of a workflow (issue 30): its definition as published, who and when.</summary>
public sealed record WorkflowVersionItem(int Version, JsonNode Definition, string? Note, DateTime CreatedAt, string? CreatedBy);

/// <summary>What changed between two versions, field by field, each line <c>same</c>, <c>removed</c> or <c>added</c>.</summary>
public sealed record VersionDiff(int From, int To, IReadOnlyList<VersionFieldDiff> Fields);

public sealed record VersionFieldDiff(string Field, IReadOnlyList<VersionDiffLine> Lines);

public sealed record VersionDiffLine(string Kind, string Text);

/// <summary>A page of the audit trail, newest first.</summary>
public sealed record AuditPage(IReadOnlyList<AuditItem> Items, long? NextBefore);

public sealed record AuditItem(
    long Id, DateTime At, string Actor, string? Request, string EntityType, string? EntityKey, string Action, IReadOnlyList<string>? Changed);
