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
    public void A_first_page_reads_today_to_an_hour_ahead_then_one_two_and_four_days_then_everything_older()
    {
        Assert.Equal(
            [
                new IdRange(Today, NotificationListWalk.IdFloor(Now.AddHours(1)), false),
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

        Assert.Equal(new IdRange(Today, NotificationListWalk.IdFloor(late.AddHours(1)), false), first);
        Assert.True(first.Below > Today + Day && first.Below < Today + Day + (Day / 24) + 1);
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
            [new IdRange(Day, NotificationListWalk.IdFloor(early.AddHours(1)), false), new IdRange(null, Day, false)],
            NotificationListWalk.Steps(null, null, early));
    }
}
