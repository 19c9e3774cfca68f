using System.Diagnostics;
using Dapper;
using Npgsql;

namespace XNovu.Dispatcher.Retention;

/// <summary>
/// Retention by the day (issue 32): notifications, deliveries and delivery events are partitioned by the UTC day their
/// notification was made in. A pass makes the coming days' partitions (<c>notify.ensure_history_partitions</c>), then
/// drops every day wholly past <see cref="RetentionOptions.MaxAge"/> that holds no unfinished work
/// (<c>notify.drop_history_day</c>, oldest first, the rows made before the partitioning last of all as the day
/// 'legacy'), then forgets the transaction keys of the dropped days. A drop asks for its locks with NOWAIT: refused,
/// it asks again 10–50 ms later for <see cref="RetentionOptions.PartitionLockWindow"/>, and nobody waits behind it.
/// </summary>
public sealed partial class RetentionWorker
{
    private const string DaysSql =
        """
        SELECT substring(c.relname FROM '^ent_notification_(p\d{8}|legacy)$')
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'notify.ent_notification'::regclass
        ORDER BY c.relname = 'ent_notification_legacy' DESC, c.relname
        """;

    private async Task MaintainHistoryAsync(RetentionOptions settings, CancellationToken cancellationToken)
    {
        var through = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(settings.PartitionsAhead);
        await using (var connection = await database.OpenUnscopedAsync(cancellationToken))
        {
            var created = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT notify.ensure_history_partitions(@through)", new { through }, cancellationToken: cancellationToken));
            if (created > 0)
            {
                LogPartitionsCreated(logger, created, through);
            }

            // Health reads the catalog again at once (the days just made), and the gauge of days ahead has a
            // reading from the first pass on, whether or not anything probes health.
            partitions.Forget();
            await partitions.ReadAsync(cancellationToken);
        }

        List<string> days;
        await using (var connection = await database.OpenUnscopedAsync(cancellationToken))
        {
            days = (await connection.QueryAsync<string>(new CommandDefinition(DaysSql, cancellationToken: cancellationToken))).AsList();
        }

        var dropped = 0;
        foreach (var day in days)
        {
            var outcome = await DropDayAsync(day, settings, cancellationToken);
            if (outcome == "young")
            {
                break; // days are in order: every later one is younger
            }

            if (outcome == "dropped")
            {
                dropped++;
            }
        }

        if (dropped > 0)
        {
            var keys = await PurgeKeysAsync(settings, cancellationToken);
            LogDaysDropped(logger, dropped, keys, settings.MaxAge);
        }
    }

    private async Task<string> DropDayAsync(string day, RetentionOptions settings, CancellationToken cancellationToken)
    {
        var window = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = await database.OpenUnscopedAsync(cancellationToken);
                var started = Stopwatch.GetTimestamp();
                var outcome = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
                    "SELECT notify.drop_history_day(@day, @seconds)", new { day, seconds = settings.MaxAge.TotalSeconds },
                    cancellationToken: cancellationToken)) ?? "absent";
                if (outcome == "dropped")
                {
                    LogDayDropped(logger, day, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else if (outcome == "unfinished")
                {
                    LogDayKept(logger, day);
                }

                return outcome;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable && window.Elapsed < settings.PartitionLockWindow)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(10, 50)), time, cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                return "busy";
            }
        }
    }

    // Keys of notifications made before the oldest day still kept, whose notification is gone: narrow rows, ten
    // batches' worth a statement and no pause (they were already gone from every read with their day).
    private Task<long> PurgeKeysAsync(RetentionOptions settings, CancellationToken cancellationToken) =>
        InBatchesAsync("SELECT notify.purge_transaction_keys(notify.history_id_floor(now() - make_interval(secs => @seconds)), @batch)",
            new { seconds = settings.MaxAge.TotalSeconds, batch = settings.BatchSize * 10 },
            settings.BatchSize * 10, TimeSpan.Zero, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "History partitions made through {Through}: {Created} table(s)")]
    private static partial void LogPartitionsCreated(ILogger logger, int created, DateOnly through);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention dropped the history day {Day} in {Milliseconds:F1} ms")]
    private static partial void LogDayDropped(ILogger logger, string day, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention keeps the history day {Day}: it still holds unfinished work")]
    private static partial void LogDayKept(ILogger logger, string day);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention dropped {Days} history day(s) older than {MaxAge} and {Keys} transaction key(s)")]
    private static partial void LogDaysDropped(ILogger logger, int days, long keys, TimeSpan maxAge);
}
