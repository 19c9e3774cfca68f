using Microsoft.Extensions.Options;
using Npgsql;
using XNovu.Core.Rules;

namespace XNovu.Dispatcher.Rules;

/// <summary>
/// Fires the CRON and SCHEDULE rules. It keeps the timed rules in memory, sleeps until the earliest next tick
/// of any of them (or a rule change, or the reload interval), then plans each rule with
/// <see cref="RuleTickPlanner"/> and fires the due ticks. Every replica does the same; the database lets each
/// tick through once (<c>notify.fire_rule_tick</c>), so no leader is needed and a crash loses nothing: the
/// watermark in <c>rule_state</c> tells any replica, restarted or not, where catch-up starts.
/// </summary>
public sealed partial class RuleScheduler(
    RuleStore store,
    RuleEngineSignal signal,
    RuleEngineState state,
    IOptions<RuleEngineOptions> options,
    TimeProvider time,
    ILogger<RuleScheduler> logger) : BackgroundService
{
    private readonly Dictionary<long, ScheduledRule> _rules = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var planner = new RuleTickPlanner(time, settings.MisfireThreshold);
        var reloadAt = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (signal.TakeReloadRequest() || time.GetUtcNow() >= reloadAt)
                {
                    await ReloadAsync(stoppingToken);
                    reloadAt = time.GetUtcNow() + settings.ReloadInterval;
                }

                var next = await FireDueAsync(planner, stoppingToken);
                var wake = next is { } tick && tick < reloadAt ? tick : reloadAt;
                await signal.WaitAsync(wake - time.GetUtcNow(), time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // Nothing is lost: an unfired tick stays above the watermark and is planned again.
                LogLoopFailed(logger, e);
                signal.RequestReload();
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var rows = await store.LoadAsync(cancellationToken);
        var loaded = new Dictionary<long, ScheduledRule>();
        foreach (var row in rows)
        {
            if (_rules.TryGetValue(row.RuleId, out var known) && known.Version == row.UpdatedAt)
            {
                known.Observe(row.LastTickAt);
                loaded[row.RuleId] = known;
                continue;
            }

            try
            {
                loaded[row.RuleId] = new ScheduledRule(row, RuleTrigger.Parse(row.TriggerType, row.TriggerConfig));
            }
            catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
            {
                LogUnusableRule(logger, row.RuleId, row.EnterpriseId, e.Message);
            }
        }

        _rules.Clear();
        foreach (var (id, rule) in loaded)
        {
            _rules[id] = rule;
        }

        state.Reloaded(time.GetUtcNow(), _rules.Count);
        LogReloaded(logger, _rules.Count);
    }

    /// <summary>Fires every due tick and answers the earliest next tick of any rule.</summary>
    private async Task<DateTimeOffset?> FireDueAsync(RuleTickPlanner planner, CancellationToken cancellationToken)
    {
        DateTimeOffset? earliest = null;
        foreach (var rule in _rules.Values)
        {
            var plan = planner.Plan(rule.Trigger, RuleTickPlanner.SettledThrough(rule.LastTickAt, rule.ChangedAt));
            if (plan.SkippedThrough is { } skipped)
            {
                await store.SkipAsync(rule.Id, skipped, cancellationToken);
                rule.Observe(skipped);
                LogSkipped(logger, rule.Id, skipped);
            }

            foreach (var tick in plan.Due)
            {
                var result = await store.FireAsync(rule.Id, tick, rule.Version, cancellationToken);
                if (result.Outcome is FireResult.Paused or FireResult.Stale)
                {
                    // The rule changed under us; the change's notification is on its way, but do not wait for it.
                    signal.RequestReload();
                    break;
                }

                rule.Observe(tick);
                if (result.Outcome == FireResult.Fired)
                {
                    LogFired(logger, rule.Id, tick, result.NotificationId, result.TransactionId);
                }
            }

            if (plan.Next is { } next && (earliest is null || next < earliest))
            {
                earliest = next;
            }
        }

        return earliest;
    }

    private sealed class ScheduledRule(SchedulableRuleRow row, RuleTrigger trigger)
    {
        public long Id { get; } = row.RuleId;
        public DateTime Version { get; } = row.UpdatedAt;
        public DateTimeOffset ChangedAt { get; } = new(DateTime.SpecifyKind(row.UpdatedAt, DateTimeKind.Utc));
        public RuleTrigger Trigger { get; } = trigger;
        public DateTimeOffset? LastTickAt { get; private set; } = Utc(row.LastTickAt);

        /// <summary>Moves the watermark forward only: another replica may have fired further already.</summary>
        public void Observe(DateTime? tick) => Observe(Utc(tick));

        public void Observe(DateTimeOffset? tick)
        {
            if (tick is { } value && (LastTickAt is null || value > LastTickAt))
            {
                LastTickAt = value;
            }
        }

        private static DateTimeOffset? Utc(DateTime? value) =>
            value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rule engine loaded {Count} timed rule(s)")]
    private static partial void LogReloaded(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rule {RuleId} fired its tick {TickAt:O}: notification {NotificationId} ({TransactionId})")]
    private static partial void LogFired(ILogger logger, long ruleId, DateTimeOffset tickAt, long? notificationId, string? transactionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rule {RuleId} skipped its missed ticks through {Through:O} (misfire policy skip)")]
    private static partial void LogSkipped(ILogger logger, long ruleId, DateTimeOffset through);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule {RuleId} of enterprise {EnterpriseId} cannot be scheduled: {Reason}")]
    private static partial void LogUnusableRule(ILogger logger, long ruleId, Guid enterpriseId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rule engine loop failed; retrying")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);
}
