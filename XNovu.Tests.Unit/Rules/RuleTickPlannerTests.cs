using Microsoft.Extensions.Time.Testing;
using XNovu.Core.Rules;

namespace XNovu.Tests.Unit.Rules;

/// <summary>The rule engine's arithmetic with a fake clock: which ticks fire, when, and what happens to missed ones.</summary>
public sealed class RuleTickPlannerTests
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(30);

    private static DateTimeOffset Utc(string instant) =>
        DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);

    private static RuleTickPlanner PlannerAt(string instant) => new(new FakeTimeProvider(Utc(instant)), Threshold);

    [Fact]
    public void Five_field_cron_fires_the_tick_that_just_fell_due_and_names_the_next()
    {
        var plan = PlannerAt("2025-01-15T10:00:00.200Z").Plan(RuleTrigger.ForCron("*/5 * * * *"), Utc("2025-01-15T09:55:00Z"));

        Assert.Equal([Utc("2025-01-15T10:00:00Z")], plan.Due);
        Assert.Null(plan.SkippedThrough);
        Assert.Equal(Utc("2025-01-15T10:05:00Z"), plan.Next);
    }

    [Fact]
    public void Nothing_is_due_between_ticks()
    {
        var plan = PlannerAt("2025-01-15T10:02:00Z").Plan(RuleTrigger.ForCron("*/5 * * * *"), Utc("2025-01-15T10:00:00Z"));

        Assert.Empty(plan.Due);
        Assert.Equal(Utc("2025-01-15T10:05:00Z"), plan.Next);
    }

    [Fact]
    public void Six_field_cron_ticks_every_second()
    {
        var clock = new FakeTimeProvider(Utc("2025-01-15T10:00:00Z"));
        var planner = new RuleTickPlanner(clock, Threshold);
        var trigger = RuleTrigger.ForCron("* * * * * *");
        var settled = clock.GetUtcNow();

        clock.Advance(TimeSpan.FromSeconds(3.5));
        var plan = planner.Plan(trigger, settled);

        Assert.Equal(
            [Utc("2025-01-15T10:00:01Z"), Utc("2025-01-15T10:00:02Z"), Utc("2025-01-15T10:00:03Z")],
            plan.Due);
        Assert.Equal(Utc("2025-01-15T10:00:04Z"), plan.Next);
    }

    [Fact]
    public void Six_field_cron_with_a_seconds_list_fires_on_those_seconds_only()
    {
        var plan = PlannerAt("2025-01-15T10:01:00Z").Plan(RuleTrigger.ForCron("15,45 * * * * *"), Utc("2025-01-15T10:00:30Z"));

        Assert.Equal([Utc("2025-01-15T10:00:45Z")], plan.Due);
        Assert.Equal(Utc("2025-01-15T10:01:15Z"), plan.Next);
    }

    [Fact]
    public void Cron_runs_on_the_wall_clock_of_its_time_zone_in_winter_and_summer()
    {
        var paris = RuleTrigger.ForCron("0 9 * * *", "Europe/Paris");
        var newYork = RuleTrigger.ForCron("0 9 * * *", "America/New_York");

        Assert.Equal(Utc("2025-01-15T08:00:00Z"), paris.NextAfter(Utc("2025-01-15T00:00:00Z")));
        Assert.Equal(Utc("2025-07-15T07:00:00Z"), paris.NextAfter(Utc("2025-07-15T00:00:00Z")));
        Assert.Equal(Utc("2025-01-15T14:00:00Z"), newYork.NextAfter(Utc("2025-01-15T00:00:00Z")));
        Assert.Equal(Utc("2025-07-15T13:00:00Z"), newYork.NextAfter(Utc("2025-07-15T00:00:00Z")));
    }

    [Fact]
    public void Daily_0230_in_Paris_fires_once_at_0300_on_the_spring_forward_day_when_0230_does_not_exist()
    {
        // 2025-03-30: at 02:00 CET the clocks jump to 03:00 CEST; 02:30 never happens that day.
        var trigger = RuleTrigger.ForCron("30 2 * * *", "Europe/Paris");

        var ticks = trigger.Between(Utc("2025-03-29T00:00:00Z"), Utc("2025-04-01T00:00:00Z")).ToList();

        Assert.Equal(
            [
                Utc("2025-03-29T01:30:00Z"), // 02:30 CET
                Utc("2025-03-30T01:00:00Z"), // 03:00 CEST, the first instant after the gap
                Utc("2025-03-31T00:30:00Z"), // 02:30 CEST
            ],
            ticks);
    }

    [Fact]
    public void Daily_0230_in_Paris_fires_once_on_the_fall_back_day_when_0230_happens_twice()
    {
        // 2025-10-26: at 03:00 CEST the clocks go back to 02:00 CET; 02:30 happens at 00:30Z and at 01:30Z.
        var trigger = RuleTrigger.ForCron("30 2 * * *", "Europe/Paris");

        var ticks = trigger.Between(Utc("2025-10-26T00:00:00Z"), Utc("2025-10-27T00:00:00Z")).ToList();

        Assert.Equal([Utc("2025-10-26T00:30:00Z")], ticks);
    }

    [Fact]
    public void Interval_cron_keeps_its_interval_through_the_repeated_hour_of_fall_back()
    {
        var trigger = RuleTrigger.ForCron("*/30 * * * *", "Europe/Paris");

        var ticks = trigger.Between(Utc("2025-10-25T23:59:00Z"), Utc("2025-10-26T02:00:00Z")).ToList();

        // 02:00 and 02:30 local happen in summer time and again in winter time: every half hour fires.
        Assert.Equal(
            [
                Utc("2025-10-26T00:00:00Z"), Utc("2025-10-26T00:30:00Z"), Utc("2025-10-26T01:00:00Z"),
                Utc("2025-10-26T01:30:00Z"), Utc("2025-10-26T02:00:00Z"),
            ],
            ticks);
    }

    [Fact]
    public void Planner_fires_the_shifted_tick_on_the_spring_forward_day()
    {
        var plan = PlannerAt("2025-03-30T01:00:00.100Z").Plan(RuleTrigger.ForCron("30 2 * * *", "Europe/Paris"), Utc("2025-03-29T01:30:00Z"));

        Assert.Equal([Utc("2025-03-30T01:00:00Z")], plan.Due);
        Assert.Equal(Utc("2025-03-31T00:30:00Z"), plan.Next);
    }

    [Fact]
    public void Ticks_missed_while_nothing_ran_fire_once_on_catch_up_by_default()
    {
        // Fired at 02:00, then no engine ran until 07:20: the 03:00 to 07:00 ticks were missed.
        var plan = PlannerAt("2025-01-15T07:20:00Z").Plan(RuleTrigger.ForCron("0 * * * *"), Utc("2025-01-15T02:00:00Z"));

        Assert.Equal([Utc("2025-01-15T07:00:00Z")], plan.Due);
        Assert.Null(plan.SkippedThrough);
        Assert.Equal(Utc("2025-01-15T08:00:00Z"), plan.Next);
    }

    [Fact]
    public void Ticks_missed_while_nothing_ran_are_skipped_with_the_skip_policy()
    {
        var plan = PlannerAt("2025-01-15T07:20:00Z")
            .Plan(RuleTrigger.ForCron("0 * * * *", misfire: MisfirePolicy.Skip), Utc("2025-01-15T02:00:00Z"));

        Assert.Empty(plan.Due);
        Assert.Equal(Utc("2025-01-15T07:00:00Z"), plan.SkippedThrough);
        Assert.Equal(Utc("2025-01-15T08:00:00Z"), plan.Next);
    }

    [Fact]
    public void Skip_policy_still_fires_a_tick_that_is_late_by_less_than_the_threshold()
    {
        var plan = PlannerAt("2025-01-15T07:00:10Z")
            .Plan(RuleTrigger.ForCron("0 * * * *", misfire: MisfirePolicy.Skip), Utc("2025-01-15T06:00:00Z"));

        Assert.Equal([Utc("2025-01-15T07:00:00Z")], plan.Due);
        Assert.Null(plan.SkippedThrough);
    }

    [Fact]
    public void Fire_once_catches_up_one_missed_tick_and_fires_the_on_time_ones()
    {
        // An every-second rule whose engine stopped for a minute: one catch-up for the missed minute, then every
        // tick of the last 30 s (within the threshold) fires.
        var plan = PlannerAt("2025-01-15T10:01:30Z").Plan(RuleTrigger.ForCron("* * * * * *"), Utc("2025-01-15T10:00:00Z"));

        Assert.Equal(31, plan.Due.Count);
        Assert.Equal(Utc("2025-01-15T10:01:00Z"), plan.Due[0]);
        Assert.Equal(Utc("2025-01-15T10:01:01Z"), plan.Due[1]);
        Assert.Equal(Utc("2025-01-15T10:01:30Z"), plan.Due[^1]);
        Assert.Equal(plan.Due.Order(), plan.Due);
    }

    [Fact]
    public void Every_second_rule_missed_for_ninety_days_is_planned_without_enumerating_every_tick()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var plan = PlannerAt("2025-04-15T00:00:40Z")
            .Plan(RuleTrigger.ForCron("* * * * * *", misfire: MisfirePolicy.Skip), Utc("2025-01-15T00:00:00Z"));

        Assert.Equal(Utc("2025-04-15T00:00:10Z"), plan.SkippedThrough);
        Assert.Equal(30, plan.Due.Count);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"planning took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Settled_ticks_are_never_planned_again()
    {
        var planner = PlannerAt("2025-01-15T10:00:00.500Z");
        var trigger = RuleTrigger.ForCron("* * * * * *");

        var plan = planner.Plan(trigger, Utc("2025-01-15T10:00:00Z"));

        Assert.Empty(plan.Due);
        Assert.Equal(Utc("2025-01-15T10:00:01Z"), plan.Next);
    }

    [Fact]
    public void A_rule_owes_nothing_for_the_time_before_it_was_published_or_changed()
    {
        var changedAt = Utc("2025-01-15T09:30:00Z");

        Assert.Equal(changedAt, RuleTickPlanner.SettledThrough(null, changedAt));
        Assert.Equal(changedAt, RuleTickPlanner.SettledThrough(Utc("2025-01-14T00:00:00Z"), changedAt));
        Assert.Equal(Utc("2025-01-15T09:45:00Z"), RuleTickPlanner.SettledThrough(Utc("2025-01-15T09:45:00Z"), changedAt));

        // Republished at 09:30 after a pause: the 07:00 to 09:00 ticks are not missed, and nothing fires.
        var plan = PlannerAt("2025-01-15T09:31:00Z").Plan(RuleTrigger.ForCron("0 * * * *"), changedAt);
        Assert.Empty(plan.Due);
        Assert.Null(plan.SkippedThrough);
    }

    [Fact]
    public void Schedule_rule_waits_for_its_instant_fires_once_and_then_has_no_next_tick()
    {
        var clock = new FakeTimeProvider(Utc("2025-01-15T10:00:00Z"));
        var planner = new RuleTickPlanner(clock, Threshold);
        var at = Utc("2025-01-15T10:00:05Z");
        var trigger = RuleTrigger.ForSchedule(at);
        var published = clock.GetUtcNow();

        var before = planner.Plan(trigger, published);
        clock.Advance(TimeSpan.FromSeconds(5));
        var due = planner.Plan(trigger, published);
        clock.Advance(TimeSpan.FromSeconds(1));
        var after = planner.Plan(trigger, at);

        Assert.Empty(before.Due);
        Assert.Equal(at, before.Next);
        Assert.Equal([at], due.Due);
        Assert.Null(due.Next);
        Assert.Empty(after.Due);
        Assert.Null(after.Next);
    }

    [Fact]
    public void Schedule_rule_missed_while_nothing_ran_fires_on_catch_up_or_is_skipped()
    {
        var at = Utc("2025-01-15T10:00:00Z");
        var publishedBefore = Utc("2025-01-15T09:00:00Z");
        var planner = PlannerAt("2025-01-15T12:00:00Z");

        var fireOnce = planner.Plan(RuleTrigger.ForSchedule(at), publishedBefore);
        var skip = planner.Plan(RuleTrigger.ForSchedule(at, MisfirePolicy.Skip), publishedBefore);

        Assert.Equal([at], fireOnce.Due);
        Assert.Empty(skip.Due);
        Assert.Equal(at, skip.SkippedThrough);
    }

    [Fact]
    public void Schedule_rule_published_after_its_instant_does_not_fire()
    {
        var plan = PlannerAt("2025-01-15T12:00:00Z")
            .Plan(RuleTrigger.ForSchedule(Utc("2025-01-15T10:00:00Z")), Utc("2025-01-15T11:00:00Z"));

        Assert.Empty(plan.Due);
        Assert.Null(plan.Next);
    }

    [Fact]
    public void Disabled_and_event_rules_are_never_planned()
    {
        var planner = PlannerAt("2025-01-15T10:00:00.500Z");

        var disabled = planner.Plan(RuleTrigger.ForCron("* * * * * *", enabled: false), Utc("2025-01-15T09:00:00Z"));
        var @event = planner.Plan(RuleTrigger.ForEvent("drill"), Utc("2025-01-15T09:00:00Z"));

        Assert.Empty(disabled.Due);
        Assert.Null(disabled.Next);
        Assert.Empty(@event.Due);
        Assert.Null(@event.Next);
    }
}
