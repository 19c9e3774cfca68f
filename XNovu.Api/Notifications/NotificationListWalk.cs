namespace XNovu.Api.Notifications;

/// <summary>One step of the list's walk: the ids from <see cref="From"/> (inclusive) to <see cref="Below"/> (exclusive); null is unbounded.</summary>
/// <param name="AfterCursor">The step holding the cursor's row: only its rows after the cursor are listed.</param>
internal readonly record struct IdRange(long? From, long? Below, bool AfterCursor);

/// <summary>
/// Issue 32: the notification list reads its days newest first, a few partitions a statement, instead of merging every
/// day's index. Notifications are partitioned by UTC day on their id, whose high bits are its creation second
/// (<c>notify.history_id_floor</c>), while the list is ordered by <c>created_at</c>, which no partition bound knows:
/// over all days PostgreSQL planned every partition (three indexes each, under row-level security) and opened every
/// day's index to merge them, 3.5 times the list's time on an empty database with 36 days of history. Each step here
/// names its id range as constants, so the planner prunes to its days and the walk stops when the page is full:
/// today first (to an hour ahead, not the days made ahead), then yesterday, then 2 and 4 days at once, then everything
/// older (with the rows from before the partitioning, whose small ids are below every day) in one last statement.
/// The order stays <c>created_at DESC, id DESC</c>: a notification's id and its <c>created_at</c> are made from the
/// same <c>now()</c> (<c>new_notification_id</c>), so every row of a newer day was created after every row of an
/// older one, and the rows from before the partitioning before all of them (their switch came first). The step
/// holding a cursor's row is its whole day, not the ids below it: within one second the counter's order is not the
/// creation order.
/// </summary>
internal static class NotificationListWalk
{
    /// <summary>Ids of one day: 86,400 seconds above 23 bits of counter (<c>notify.history_id_floor</c>).</summary>
    public const long IdsPerDay = 86_400L << 23;

    /// <summary>
    /// How far past the API's clock the first step reads at least: a row whose id the database's clock made up to
    /// this much ahead is still listed. The bound is the end of the hour after the current one (one to two hours
    /// ahead), so the first step's statement is the same text for an hour, and the list's statements, whose bounds
    /// are written into them (<c>NotificationStore.ListAsync</c>), are planned once per connection and hour, not on
    /// every call. No further: naming the partitions made ahead (a week of them) in the first step's plan cost 1.0 ms
    /// of its planning against 0.25 ms for today's alone (at 36 million rows, quiet; 4 to 5 ms of each call under load).
    /// </summary>
    public static readonly TimeSpan ClockAllowance = TimeSpan.FromHours(1);

    /// <summary>The first step's upper bound: the ids below the end of the hour after <paramref name="now"/>'s.</summary>
    public static long FirstStepBelow(DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        var hour = new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
        return IdFloor(hour + ClockAllowance + TimeSpan.FromHours(1));
    }

    /// <summary>The days each step after the first reads; then everything older.</summary>
    private static readonly int[] Widths = [1, 2, 4];

    private static readonly long EpochSeconds = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    /// <summary>The lowest id made in the second <paramref name="at"/> falls in, as <c>notify.history_id_floor</c>.</summary>
    public static long IdFloor(DateTimeOffset at) => (at.ToUnixTimeSeconds() - EpochSeconds) << 23;

    /// <summary>The first id of the UTC day <paramref name="id"/> was made in (0 for the ids from before the partitioning).</summary>
    public static long DayFloor(long id) => Math.Max(0, id) / IdsPerDay * IdsPerDay;

    /// <summary>
    /// The steps of one page, newest first: from the cursor's day when there is one, else from the day of
    /// <paramref name="to"/> (rows created before it have ids below its next second) or of <paramref name="now"/>
    /// at least <see cref="ClockAllowance"/> past it (a row of the database's clock a little ahead of ours is still found).
    /// </summary>
    public static IEnumerable<IdRange> Steps(long? afterId, DateTimeOffset? to, DateTimeOffset now)
    {
        long lower;
        if (afterId is { } cursor)
        {
            lower = DayFloor(cursor);
            if (lower == 0)
            {
                // A row from before the partitioning (a small identity id): the rest is all in one statement.
                yield return new IdRange(null, null, AfterCursor: true);
                yield break;
            }

            yield return new IdRange(lower, lower + IdsPerDay, AfterCursor: true);
        }
        else if (to is { } before)
        {
            var below = IdFloor(before) + (1L << 23);
            lower = DayFloor(below - 1);
            if (lower == 0)
            {
                yield return new IdRange(null, null, AfterCursor: false);
                yield break;
            }

            yield return new IdRange(lower, below, AfterCursor: false);
        }
        else
        {
            lower = DayFloor(IdFloor(now));
            yield return new IdRange(lower, FirstStepBelow(now), AfterCursor: false);
        }

        foreach (var days in Widths)
        {
            var from = lower - (days * IdsPerDay);
            if (from <= 0)
            {
                break;
            }

            yield return new IdRange(from, lower, AfterCursor: false);
            lower = from;
        }

        yield return new IdRange(null, lower, AfterCursor: false);
    }
}
