using System.Text.Json.Nodes;

namespace XNovu.Cli.Import;

/// <summary>Categories and priorities: the same small code list in XNovu.</summary>
internal enum LookupKind
{
    Category,
    Priority,
}

/// <summary>What an imported definition should end as: published, a draft, or deactivated.</summary>
internal enum DefinitionState
{
    Draft,
    Published,
    Deactivated,
}

/// <summary>A definition as XNovu holds it (or should): the importer compares these, field by field.</summary>
internal sealed record LookupDefinition(string Code, string Name, string? Description, int SortOrder);

internal sealed record TemplateDefinition(
    string TemplateKey,
    string Name,
    string? Description,
    string ChannelType,
    string? SubjectTemplate,
    string BodyTemplate,
    JsonNode? VariablesDescription,
    string? CategoryCode,
    bool? PayloadAtRoot,
    DefinitionState State);

internal sealed record WorkflowDefinition(
    string WorkflowKey,
    string Name,
    string? Description,
    IReadOnlyList<string> DefaultChannels,
    JsonNode? PayloadSchema,
    JsonNode? ControlSchema,
    IReadOnlyDictionary<string, string> TemplateOverrides,
    string? CategoryCode,
    DefinitionState State,
    bool IsStatic = false);

/// <param name="Id">XNovu's id of a stored rule; null for one to create.</param>
/// <param name="OriginalId">The original's id of the rule it comes from; null for one read from XNovu.</param>
internal sealed record RuleDefinition(
    long? Id,
    string Name,
    string? Description,
    string WorkflowKey,
    string TriggerType,
    JsonObject TriggerConfig,
    JsonObject RulePayload,
    DefinitionState State,
    long? OriginalId = null);

/// <summary>The kinds of the original's ids that <c>original_compat</c> translates (the API's <c>kind</c>).</summary>
internal static class OriginalIdKind
{
    public const string Workflow = "workflow";
    public const string Category = "category";
    public const string Priority = "priority";
    public const string Rule = "rule";
    public const string Template = "template";
}

/// <summary>
/// One of the original's ids and what it became in XNovu: a workflow key, a category or priority code, a template
/// key, or a rule's XNovu id; null when it was not brought (original_compat then refuses it).
/// </summary>
internal sealed record OriginalIdDefinition(string Kind, long OriginalId, string? Key);

/// <summary>
/// The XNovu API as the importer uses it, with one enterprise's key (implemented over XNovu.Client by <see cref="ClientImportTarget"/>). Every write answers a problem as a
/// <see cref="ImportTargetException"/>; reads answer null (or nothing) for what is not there.
/// </summary>
internal interface IXNovuImportTarget
{
    Task<IReadOnlyList<LookupDefinition>> ListLookupsAsync(LookupKind kind, CancellationToken cancellationToken);

    Task SaveLookupAsync(LookupKind kind, LookupDefinition lookup, bool exists, CancellationToken cancellationToken);

    Task<TemplateDefinition?> GetTemplateAsync(string templateKey, CancellationToken cancellationToken);

    /// <summary>Creates or replaces the template's content; answers the API's notes (a rewritten include).</summary>
    Task<IReadOnlyList<string>> SaveTemplateAsync(TemplateDefinition template, bool exists, CancellationToken cancellationToken);

    Task SetTemplateStateAsync(string templateKey, DefinitionState state, CancellationToken cancellationToken);

    Task<WorkflowDefinition?> GetWorkflowAsync(string workflowKey, CancellationToken cancellationToken);

    Task SaveWorkflowAsync(WorkflowDefinition workflow, bool exists, CancellationToken cancellationToken);

    Task SetWorkflowStateAsync(string workflowKey, DefinitionState state, CancellationToken cancellationToken);

    Task<IReadOnlyList<RuleDefinition>> ListRulesAsync(CancellationToken cancellationToken);

    /// <summary>Creates the rule (no <see cref="RuleDefinition.Id"/>) or replaces it; answers its id.</summary>
    Task<long> SaveRuleAsync(RuleDefinition rule, CancellationToken cancellationToken);

    Task SetRuleStateAsync(long ruleId, DefinitionState state, CancellationToken cancellationToken);

    /// <summary>Records which XNovu definition each of the original's ids became (at most 1,000 per call).</summary>
    Task MapOriginalIdsAsync(IReadOnlyList<OriginalIdDefinition> ids, CancellationToken cancellationToken);

    /// <summary>Triggers the notifications in one bulk call; answers one outcome per notification, in order.</summary>
    Task<IReadOnlyList<TriggerOutcome>> TriggerAsync(IReadOnlyList<NotificationDefinition> notifications, CancellationToken cancellationToken);
}

/// <summary>A refusal from XNovu: its problem's status, type, detail and field errors.</summary>
internal sealed class ImportTargetException(int status, string? type, string message, IReadOnlyDictionary<string, string[]>? errors = null)
    : Exception(message)
{
    public int Status { get; } = status;

    public string? Type { get; } = type;

    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors ?? new Dictionary<string, string[]>();

    public string Describe() =>
        Errors.Count == 0
            ? $"{Status}: {Message}"
            : $"{Status}: {Message} ({string.Join("; ", Errors.Select(e => $"{e.Key} {string.Join(" ", e.Value)}"))})";
}

/// <summary>
/// A PENDING notification of the original as an XNovu trigger. <see cref="TransactionId"/> is the original's
/// (or <c>original-{id}</c> when it had none), so bringing it twice is XNovu's 409, never a second notification.
/// </summary>
/// <param name="Claimed">An earlier cutover already marked it moved in the original (it crashed before XNovu answered).</param>
internal sealed record NotificationDefinition(
    long OriginalId,
    string Name,
    string WorkflowKey,
    JsonObject Payload,
    IReadOnlyList<string> Recipients,
    JsonObject? Overrides,
    IReadOnlyList<string>? Tags,
    string TransactionId,
    DateTimeOffset? ScheduledFor,
    string? CategoryCode,
    string? PriorityCode,
    bool Claimed)
{
    public string Label => $"{OriginalId} {Name}";
}

/// <summary>XNovu's answer to one brought notification: its HTTP status, and the problem's detail when refused.</summary>
internal sealed record TriggerOutcome(int Status, string? Detail);

/// <summary>
/// The original's side of a cutover: a notification is marked moved (PENDING to RETRACTED, with
/// <see cref="Cutover.MovedReason"/> and its transaction id) before XNovu is asked to send it, so the original's
/// worker, if still running, can no longer send it; a refusal by XNovu puts it back to PENDING.
/// </summary>
internal interface IOriginalClaims
{
    /// <summary>Marks the PENDING ones moved; answers those it marked (one the original's worker took first is not).</summary>
    Task<IReadOnlySet<long>> ClaimAsync(IReadOnlyList<NotificationDefinition> notifications, CancellationToken cancellationToken);

    /// <summary>Puts one this cutover marked back to PENDING.</summary>
    Task ReleaseAsync(NotificationDefinition notification, CancellationToken cancellationToken);
}
