namespace XNovu.Cli.Import;

/// <summary>
/// Rows of the original XNovu's <c>notify</c> schema, as read. Enums arrive as text; jsonb as JSON text.
/// Each row's own id is the original's bigint, which XNovu replaces by a key.
/// </summary>
/// <param name="Code">Null in the original's real schema when nobody gave one; the import derives one (<see cref="DerivedCodes"/>).</param>
/// <param name="Path">A category's ltree path as text (<c>safety.fire</c>); null for priorities.</param>
internal sealed record OriginalLookup(long Id, string? Code, string Name, string? Description, int SortOrder, string PublishStatus, bool Deactivated, string? Path = null);

internal sealed record OriginalTemplate(
    long Id,
    string TemplateKey,
    string Name,
    string? Description,
    string ChannelType,
    string? SubjectTemplate,
    string BodyTemplate,
    string? VariablesDescription,
    long? CategoryId,
    string PublishStatus,
    bool Deactivated);

internal sealed class OriginalWorkflow
{
    public long Id { get; init; }
    public string WorkflowKey { get; init; } = string.Empty;
    public string Name { get; init; } = string.Empty;
    public string? Description { get; init; }
    public string WorkflowType { get; init; } = "DYNAMIC";
    public string[] DefaultChannels { get; init; } = [];
    public string? PayloadSchema { get; init; }
    public string? ControlSchema { get; init; }
    public string? TemplateOverrides { get; init; }
    public long? CategoryId { get; init; }
    public string PublishStatus { get; init; } = "DRAFT";
    public bool Deactivated { get; init; }
}

internal sealed record OriginalRule(
    long Id,
    string Name,
    string? Description,
    long WorkflowId,
    string TriggerType,
    string? TriggerConfig,
    string? RulePayload,
    string PublishStatus,
    bool Deactivated);

/// <summary>One enterprise's definitions in the original database.</summary>
internal sealed record OriginalEnterprise(
    Guid EnterpriseId,
    IReadOnlyList<OriginalLookup> Categories,
    IReadOnlyList<OriginalLookup> Priorities,
    IReadOnlyList<OriginalTemplate> Templates,
    IReadOnlyList<OriginalWorkflow> Workflows,
    IReadOnlyList<OriginalRule> Rules)
{
    /// <summary>The PENDING notifications (and those a cutover already moved), read only with <c>--notifications</c>.</summary>
    public IReadOnlyList<OriginalNotification> Notifications { get; init; } = [];
}

/// <summary>
/// A row of the original's <c>notify.ent_notification</c>: recipients are its <c>UUID[]</c> as text, the ids of its
/// workflow, category and priority are the original's (the plan turns them into keys and codes).
/// </summary>
internal sealed class OriginalNotification
{
    public long Id { get; init; }
    public string Name { get; init; } = string.Empty;
    public long? WorkflowId { get; init; }
    public string NotificationStatus { get; init; } = "PENDING";
    public string PublishStatus { get; init; } = "DRAFT";
    public string Payload { get; init; } = "{}";
    public string[] Recipients { get; init; } = [];
    public string? Overrides { get; init; }
    public string[]? Tags { get; init; }
    public string? TransactionId { get; init; }
    public DateTime? ScheduledFor { get; init; }
    public long? CategoryId { get; init; }
    public long? PriorityId { get; init; }
    public string? RetractionReason { get; init; }
}
