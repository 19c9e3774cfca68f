namespace XNovu.Api.RuleEngine;

/// <summary>
/// The rule engine as an enterprise sees it: whether any dispatcher runs it, and its own timed rules with their
/// next and last ticks. Engine-wide figures are limited to what tells nothing of other enterprises.
/// </summary>
public sealed record RuleEngineStatus(
    bool Running,
    int Instances,
    DateTime? LastHeartbeatAt,
    DateTime? LastReloadAt,
    int RulesScheduled,
    DateTime? NextFireAt,
    IReadOnlyList<RuleStatus> Rules);

/// <param name="Scheduled">Published, active, enabled and with a tick to come: the engine will fire it.</param>
/// <param name="LastOutcome">fired or skipped; null before its first tick.</param>
public sealed record RuleStatus(
    long RuleId,
    string Name,
    string TriggerType,
    bool Scheduled,
    string? Cron,
    string? Timezone,
    DateTime? At,
    string MisfirePolicy,
    DateTime? NextFireAt,
    DateTime? LastTickAt,
    DateTime? LastRunAt,
    string? LastOutcome,
    long? LastNotificationId,
    string? LastTransactionId,
    long FiredCount);

/// <summary>Optional: the enterprise whose rules should be read again; it can only be the caller's own.</summary>
public sealed record ReloadRequest(Guid? EnterpriseId);

public sealed record ReloadAccepted(Guid EnterpriseId, int Instances);

internal sealed class EngineInstanceRow
{
    public string WorkerId { get; init; } = string.Empty;
    public DateTime StartedAt { get; init; }
    public DateTime HeartbeatAt { get; init; }
    public DateTime? LastReloadAt { get; init; }
}

internal sealed class RuleStateRow
{
    public long Id { get; init; }
    public string Name { get; init; } = string.Empty;
    public string TriggerType { get; init; } = string.Empty;
    public string TriggerConfig { get; init; } = "{}";
    public bool Scheduled { get; init; }
    public DateTime UpdatedAt { get; init; }
    public DateTime? LastTickAt { get; init; }
    public DateTime? LastRunAt { get; init; }
    public string? LastOutcome { get; init; }
    public long? LastNotificationId { get; init; }
    public string? LastTransactionId { get; init; }
    public long FiredCount { get; init; }
}
