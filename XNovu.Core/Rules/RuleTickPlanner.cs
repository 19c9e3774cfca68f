namespace XNovu.Core.Rules;

/// <summary>
/// What to do for one rule now: the ticks to fire (oldest first), the missed ticks skipped (up to
/// <see cref="SkippedThrough"/>), and when the next tick falls due.
/// </summary>
public sealed record TickPlan(IReadOnlyList<DateTimeOffset> Due, DateTimeOffset? SkippedThrough, DateTimeOffset? Next)
{
    public static TickPlan Idle(DateTimeOffset? next) => new([], null, next);
}

/// <summary>
/// The rule engine's arithmetic, free of I/O so that tests can move the clock. A tick is <i>on time</i> when it
/// fell due within the misfire threshold (the engine was merely a little late: every such tick fires); an older
/// one was <i>missed</i> while nothing ran, and the rule's misfire policy decides: skip them all, or fire once for
/// the latest of them.
/// </summary>
public sealed class RuleTickPlanner(TimeProvider time, TimeSpan misfireThreshold)
{
    public static readonly TimeSpan DefaultMisfireThreshold = TimeSpan.FromSeconds(30);

    public TimeSpan MisfireThreshold { get; } = misfireThreshold;

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>
    /// Ticks at or before this are settled: fired or skipped (<paramref name="lastTickAt"/>), or owed to an earlier
    /// version of the rule (<paramref name="ruleChangedAt"/>: a rule published, edited or resumed does not fire
    /// for the time before).
    /// </summary>
    public static DateTimeOffset SettledThrough(DateTimeOffset? lastTickAt, DateTimeOffset ruleChangedAt) =>
        lastTickAt is { } last && last > ruleChangedAt ? last : ruleChangedAt;

    public TickPlan Plan(RuleTrigger trigger, DateTimeOffset settledThrough)
    {
        var now = Now;
        if (!trigger.IsTimed || !trigger.Enabled)
        {
            return TickPlan.Idle(null);
        }

        var next = trigger.NextAfter(now);
        var missedThrough = now - MisfireThreshold;
        var due = new List<DateTimeOffset>();
        DateTimeOffset? skippedThrough = null;

        if (settledThrough < missedThrough && trigger.LatestBetween(settledThrough, missedThrough) is { } latestMissed)
        {
            if (trigger.Misfire == MisfirePolicy.FireOnce)
            {
                due.Add(latestMissed);
            }
            else
            {
                skippedThrough = latestMissed;
            }
        }

        var onTimeAfter = settledThrough > missedThrough ? settledThrough : missedThrough;
        due.AddRange(trigger.Between(onTimeAfter, now));
        return new TickPlan(due, skippedThrough, next);
    }
}
