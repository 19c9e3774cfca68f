using XNovu.Api.Notifications;

namespace XNovu.Tests.Unit.Notifications;

/// <summary>The id ranges the notification list reads, newest first (issue 32): whole UTC days, no gap, no overlap.</summary>
public sealed class NotificationListWalkTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 10, 30, 0, TimeSpan.Zero);
    private static readonly long Today = NotificationListWalk.IdFloor(new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero));
    private const long Day = NotificationListWalk.IdsPerDay;

    [Fact]
    public void Ids_carry_their_second_as_history_id_floor_makes_them()
    {
        // SELECT notify.history_id_floor('2026-12-06 00:00:00+00') = 775510032384000
        Assert.Equal(775_510_032_384_000, Today);
        Assert.Equal(Today, NotificationListWalk.DayFloor(Today + Day - 1));
        Assert.Equal(0, NotificationListWalk.DayFloor(42)); // an id from before the partitioning
    }

    [Fact]
    public void A_first_page_reads_today_to_the_end_of_the_next_hour_then_one_two_and_four_days_then_everything_older()
    {
        Assert.Equal(
            [
                new IdRange(Today, NotificationListWalk.IdFloor(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero)), false),
                new IdRange(Today - Day, Today, false),
                new IdRange(Today - (3 * Day), Today - Day, false),
                new IdRange(Today - (7 * Day), Today - (3 * Day), false),
                new IdRange(null, Today - (7 * Day), false),
            ],
            NotificationListWalk.Steps(null, null, Now));
    }

    [Fact]
    public void Just_before_midnight_the_first_step_reaches_into_tomorrows_first_hour_only()
    {
        var late = new DateTimeOffset(2026, 12, 6, 23, 30, 0, TimeSpan.Zero);
        var first = NotificationListWalk.Steps(null, null, late).First();

        Assert.Equal(new IdRange(Today, Today + Day + (Day / 24), false), first);
    }

    [Fact]
    public void The_first_bound_stays_the_same_for_an_hour_and_is_always_at_least_an_hour_ahead()
    {
        var hour = new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);
        foreach (var at in new[] { hour, hour.AddMinutes(30), hour.AddMinutes(59).AddSeconds(59.9) })
        {
            Assert.Equal(NotificationListWalk.IdFloor(hour.AddHours(2)), NotificationListWalk.FirstStepBelow(at));
            Assert.True(NotificationListWalk.FirstStepBelow(at) >= NotificationListWalk.IdFloor(at + NotificationListWalk.ClockAllowance));
        }

        Assert.Equal(NotificationListWalk.IdFloor(hour.AddHours(3)), NotificationListWalk.FirstStepBelow(hour.AddHours(1)));
        // Another offset names the same instant.
        Assert.Equal(NotificationListWalk.FirstStepBelow(hour.AddMinutes(10)), NotificationListWalk.FirstStepBelow(hour.AddMinutes(10).ToOffset(TimeSpan.FromHours(5.5))));
    }

    [Fact]
    public void A_page_after_a_cursor_reads_the_cursors_whole_day_first()
    {
        var cursor = Today - Day + 12345;
        var steps = NotificationListWalk.Steps(cursor, null, Now).ToList();

        Assert.Equal(new IdRange(Today - Day, Today, true), steps[0]);
        Assert.Equal(new IdRange(Today - (2 * Day), Today - Day, false), steps[1]);
        Assert.Equal(new IdRange(null, Today - (8 * Day), false), steps[^1]);
    }

    [Fact]
    public void A_cursor_on_a_row_from_before_the_partitioning_reads_the_rest_in_one_statement()
    {
        Assert.Equal([new IdRange(null, null, true)], NotificationListWalk.Steps(1234, null, Now));
    }

    [Fact]
    public void An_upper_bound_starts_the_walk_at_its_second()
    {
        var to = new DateTimeOffset(2026, 12, 1, 8, 0, 0, 500, TimeSpan.Zero);
        var steps = NotificationListWalk.Steps(null, to, Now).ToList();

        var first = Today - (5 * Day);
        Assert.Equal(new IdRange(first, NotificationListWalk.IdFloor(to) + (1L << 23), false), steps[0]);
        Assert.Equal(new IdRange(null, first - (7 * Day), false), steps[^1]);
    }

    [Fact]
    public void The_walk_stops_at_the_first_day_of_the_ids()
    {
        var early = new DateTimeOffset(2024, 1, 2, 6, 0, 0, TimeSpan.Zero);
        Assert.Equal(
            [new IdRange(Day, NotificationListWalk.IdFloor(early.AddHours(2)), false), new IdRange(null, Day, false)],
            NotificationListWalk.Steps(null, null, early));
    }
}
