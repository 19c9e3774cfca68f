namespace XNovu.Cli.Import;

/// <summary>
/// Rows of the original XNovu's <c>notify</c> schema, as read. Enums arrive as text; jsonb as JSON text.
/// Each row's own id is the original's bigint, which XNovu replaces by a key.
/// </summary>
internal sealed record OriginalLookup(long Id, string Code, string Name, string? Description, int SortOrder, string PublishStatus, bool Deactivated);

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
    IReadOnlyList<OriginalRule> Rules);
