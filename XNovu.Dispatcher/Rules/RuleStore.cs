using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Dispatcher.Rules;

/// <summary>A timed rule as <c>notify.schedulable_rules()</c> answers it.</summary>
/// <remarks>timestamptz columns arrive as UTC <see cref="DateTime"/>s; <c>UpdatedAt</c> goes back unchanged as the rule's version.</remarks>
public sealed class SchedulableRuleRow
{
    public long RuleId { get; init; }
    public Guid EnterpriseId { get; init; }
    public string TriggerType { get; init; } = string.Empty;
    public string TriggerConfig { get; init; } = "{}";
    public DateTime UpdatedAt { get; init; }
    public DateTime? LastTickAt { get; init; }
}

public sealed class FireResult
{
    public const string Fired = "fired";
    public const string Duplicate = "duplicate";
    public const string Paused = "paused";
    public const string Stale = "stale";

    public string Outcome { get; init; } = string.Empty;
    public long? NotificationId { get; init; }
    public string? TransactionId { get; init; }
}

/// <summary>
/// The rule engine's statements, each one round trip through a SECURITY DEFINER function: the only paths by
/// which a dispatcher reads rules and fires them across enterprises.
/// </summary>
public sealed class RuleStore(XNovuDatabase database)
{
    public async Task<IReadOnlyList<SchedulableRuleRow>> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        var rows = await connection.QueryAsync<SchedulableRuleRow>(new CommandDefinition(
            """
            SELECT rule_id AS RuleId, enterprise_id AS EnterpriseId, trigger_type AS TriggerType,
                   trigger_config::text AS TriggerConfig, updated_at AS UpdatedAt, last_tick_at AS LastTickAt
            FROM notify.schedulable_rules()
            """,
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Fires one tick, once across every replica (the database decides which call wins).</summary>
    public async Task<FireResult> FireAsync(long ruleId, DateTimeOffset tickAt, DateTime ruleVersion, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        return await connection.QuerySingleAsync<FireResult>(new CommandDefinition(
            """
            SELECT outcome, notification_id AS NotificationId, transaction_id AS TransactionId
            FROM notify.fire_rule_tick(@ruleId, @tickAt, @ruleVersion)
            """,
            new { ruleId, tickAt = tickAt.UtcDateTime, ruleVersion = DateTime.SpecifyKind(ruleVersion, DateTimeKind.Utc) },
            cancellationToken: cancellationToken));
    }

    public async Task SkipAsync(long ruleId, DateTimeOffset through, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT notify.skip_rule_ticks(@ruleId, @through)",
            new { ruleId, through = through.UtcDateTime },
            cancellationToken: cancellationToken));
    }

    public async Task HeartbeatAsync(string worker, RuleEngineState state, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT notify.rule_engine_heartbeat(@worker, @startedAt, @lastReloadAt, @rules, @ttlSeconds)",
            new
            {
                worker,
                startedAt = state.StartedAt.UtcDateTime,
                lastReloadAt = state.LastReloadAt?.UtcDateTime,
                rules = state.RulesScheduled,
                ttlSeconds = (int)Math.Ceiling(timeToLive.TotalSeconds),
            },
            cancellationToken: cancellationToken));
    }

    public async Task StoppedAsync(string worker, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT notify.rule_engine_stopped(@worker)", new { worker }, cancellationToken: cancellationToken));
    }
}
