namespace XNovu.Core.History;

/// <summary>
/// What one catalog reading found: whether the history is partitioned by the day at all (not before migration 0053),
/// and the UTC days from the reading's day on that have their three partitions (notifications, deliveries, events).
/// </summary>
public sealed record HistoryCoverage(bool Partitioned, IReadOnlyList<DateOnly> Days)
{
    /// <summary>
    /// Whole days ahead of <paramref name="now"/>'s day with their partitions, counted without a gap from today's;
    /// -1 when today has none (every notification made now is refused).
    /// </summary>
    public int DaysAhead(DateTimeOffset now)
    {
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        var days = Days.ToHashSet();
        var ahead = -1;
        while (days.Contains(day.AddDays(ahead + 1)))
        {
            ahead++;
        }

        return ahead;
    }

    /// <summary>The instant the partitions run out, from <paramref name="now"/> on: the end of the last day made without a gap.</summary>
    public DateTimeOffset CoveredUntil(DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var end = today.AddDays(DaysAhead(now) + 1);
        return new DateTimeOffset(end.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
    }
}
