using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace XNovu.Benchmarks;

internal static partial class HistoryAtScaleCommand
{
    private const int Chunk = 200_000;
    private const int HistoryEnterprises = 20;

    /// <summary>
    /// Loads the history as an installation partitioned <paramref name="days"/> days ago would hold it: the (empty)
    /// partitions below the cutover are dropped and the cutover moved back, the past days' partitions made, then each
    /// day filled in chunks by two connections, triggers off (every row written explicitly: notification, delivery,
    /// transaction key), a twentieth of it to the listing enterprise, 5% FAILED. Ids are made as the service makes them:
    /// the second of creation above 23 bits of a counter. Then VACUUM ANALYZE, as autovacuum would have left it.
    /// </summary>
    private static async Task LoadHistoryAsync(string owner, Guid lister, long total, int days, CancellationToken cancellationToken)
    {
        var perDay = (int)(total / days);
        if (perDay >= 8_000_000)
        {
            throw new InvalidOperationException("At most 8 million notifications a day (23 bits of counter per second).");
        }

        // The services run meanwhile: the three parents are locked first, and a deadlock with them is tried again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await SetUpHistoryAsync(owner, days, cancellationToken);
                break;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.LockNotAvailable && attempt < 20)
            {
                await Task.Delay(200, cancellationToken);
            }
        }

        var clock = Stopwatch.StartNew();
        var done = 0L;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            int day;
            while ((day = Interlocked.Increment(ref next)) < days)
            {
                for (var from = 0; from < perDay; from += Chunk)
                {
                    await LoadChunkAsync(owner, lister, days - day, perDay, from, Math.Min(perDay, from + Chunk), cancellationToken);
                    var loaded = Interlocked.Add(ref done, Math.Min(perDay, from + Chunk) - from);
                    if (loaded % 2_000_000 < Chunk)
                    {
                        Report.Line($"{loaded:N0} of {total:N0} ({loaded / clock.Elapsed.TotalSeconds:N0}/s, load {Report.LoadAverage()})");
                    }
                }
            }
        }));

        var vacuum = Stopwatch.StartNew();
        await ExecuteAsync(owner, "VACUUM (ANALYZE) notify.ent_notification, notify.ent_notification_delivery, notify.notification_transaction", cancellationToken);
        Report.Line($"VACUUM ANALYZE in {vacuum.Elapsed.TotalSeconds:0} s");
    }

    private static Task SetUpHistoryAsync(string owner, int days, CancellationToken cancellationToken) =>
        ExecuteAsync(owner,
            $"""
            INSERT INTO notify.enterprise (id, name)
            SELECT ('00000000-0000-4000-9000-' || lpad(to_hex(e), 12, '0'))::uuid, 'history ' || e FROM generate_series(1, {HistoryEnterprises}) e
            ON CONFLICT DO NOTHING;
            DO $$
            BEGIN
                LOCK TABLE notify.ent_delivery_event, notify.ent_notification_delivery, notify.ent_notification IN ACCESS EXCLUSIVE MODE;
                IF EXISTS (SELECT 1 FROM notify.ent_notification_legacy) THEN
                    RAISE EXCEPTION 'the partitions below the cutover hold rows: load history into a fresh database only';
                END IF;
                DROP TABLE notify.ent_delivery_event_legacy, notify.ent_notification_delivery_legacy, notify.ent_notification_legacy;
                UPDATE notify.history_settings SET cutover = notify.history_id_floor(((now() AT TIME ZONE 'UTC')::date - {days})::timestamp AT TIME ZONE 'UTC');
                PERFORM notify.ensure_history_partitions((now() AT TIME ZONE 'UTC')::date + 7, '', (now() AT TIME ZONE 'UTC')::date - {days});
            END
            $$;
            """, cancellationToken);

    /// <param name="daysAgo">The day filled: this many days before today (UTC).</param>
    private static Task LoadChunkAsync(string owner, Guid lister, int daysAgo, int perDay, int from, int to, CancellationToken cancellationToken) =>
        ExecuteAsync(owner,
            $"""
            SET session_replication_role = replica;
            CREATE TEMP TABLE IF NOT EXISTS chunk (k integer, id bigint, enterprise_id uuid, at timestamptz, failed boolean);
            TRUNCATE chunk;
            INSERT INTO chunk
            SELECT k, notify.history_id_floor(t) | k,
                   CASE WHEN k % {HistoryEnterprises + 1} = 0 THEN '{lister}'::uuid
                        ELSE ('00000000-0000-4000-9000-' || lpad(to_hex(k % {HistoryEnterprises + 1}), 12, '0'))::uuid END,
                   t, k % 20 = 7
            FROM generate_series({from}, {to - 1}) k,
                 LATERAL (SELECT ((now() AT TIME ZONE 'UTC')::date - {daysAgo})::timestamp AT TIME ZONE 'UTC'
                                 + make_interval(secs => k * 86400.0 / {perDay}) AS t) x;
            INSERT INTO notify.ent_notification (id, enterprise_id, workflow_key, notification_status, payload, recipients,
                                                 transaction_id, processed_at, created_at, updated_at)
            SELECT id, enterprise_id, 'default-sms', CASE WHEN failed THEN 'FAILED' ELSE 'SENT' END::notify.notification_status,
                   jsonb_build_object('body', 'History message ' || k, 'orderId', k), jsonb_build_array('history-' || (k % 100000)),
                   'h-' || id, at, at, at
            FROM chunk;
            INSERT INTO notify.ent_notification_delivery (id, enterprise_id, notification_id, ordinal, subscriber_id, recipient, status,
                                                          transaction_id, attempts, next_attempt_at, novu_status, sent_at, created_at, updated_at)
            SELECT id, enterprise_id, id, 1, 'history-' || (k % 100000), jsonb_build_object('subscriberId', 'history-' || (k % 100000)),
                   CASE WHEN failed THEN 'FAILED' ELSE 'SENT' END::notify.notification_status, 'h-' || id, 1, at, 'processed', at, at, at
            FROM chunk;
            INSERT INTO notify.notification_transaction (enterprise_id, transaction_id, notification_id)
            SELECT enterprise_id, 'h-' || id, id FROM chunk;
            """, cancellationToken);

    private static async Task PrintSizesAsync(string owner, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(owner);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT p.relname, count(c.oid), CASE WHEN count(c.oid) = 0 THEN greatest(p.reltuples, 0) ELSE coalesce(sum(c.reltuples) FILTER (WHERE c.reltuples > 0), 0) END::bigint,
                   coalesce(sum(pg_table_size(c.oid)), pg_table_size(p.oid)), coalesce(sum(pg_indexes_size(c.oid)), pg_indexes_size(p.oid))
            FROM pg_class p
            LEFT JOIN pg_inherits i ON i.inhparent = p.oid
            LEFT JOIN pg_class c ON c.oid = i.inhrelid
            WHERE p.oid IN ('notify.ent_notification'::regclass, 'notify.ent_notification_delivery'::regclass,
                            'notify.ent_delivery_event'::regclass, 'notify.notification_transaction'::regclass)
            GROUP BY p.oid, p.relname, p.reltuples ORDER BY p.relname
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        Report.Line($"{"table",-28} {"partitions",10} {"rows (est.)",14} {"table",10} {"indexes",10}");
        while (await reader.ReadAsync(cancellationToken))
        {
            Report.Line($"{reader.GetString(0),-28} {reader.GetInt64(1),10} {reader.GetInt64(2),14:N0} {Mb(reader.GetInt64(3)),10} {Mb(reader.GetInt64(4)),10}");
        }

        static string Mb(long bytes) => (bytes / 1048576.0).ToString("N0", CultureInfo.InvariantCulture) + " MB";
    }

    private sealed record RetentionFigures(double DropMs, double KeysMs, double RowByRowMs, long Rows, bool Extrapolated);

    /// <summary>
    /// The oldest day dropped by the service's own function (its checks, its NOWAIT lock, the drop), then its keys
    /// forgotten (timed apart); against it, the next day, the same size, deleted row by row in batches of 10,000 in
    /// the service's own delete chain, <c>notify.delete_history_rows</c> (events, deliveries, keys, notifications; the
    /// chain <c>notify.purge_notifications</c> runs), victims picked and locked as retention picks them. With
    /// <paramref name="rowByRowLimit"/> above 0 the delete stops after that many and the day's time is extrapolated
    /// from its rate (the whole day takes a quarter of an hour on a slow disk). <paramref name="days"/> is how many days
    /// ago the dropped day is (<c>--RetentionDaysAgo</c>, the oldest loaded day by default; a run on history kept from
    /// an earlier one names a later, still whole day).
    /// </summary>
    private static async Task<RetentionFigures> RetentionAsync(string owner, int days, long rowByRowLimit, CancellationToken cancellationToken)
    {
        var oldest = $"p{DateTime.UtcNow.Date.AddDays(-days):yyyyMMdd}";
        // As the retention worker asks: NOWAIT, again 10-50 ms later while the services hold the parents.
        var asking = Stopwatch.StartNew();
        var (attempts, outcome, dropMs) = (0, (string?)null, 0.0);
        while (outcome is null)
        {
            attempts++;
            var dropping = Stopwatch.StartNew();
            try
            {
                outcome = (string?)await ScalarAsync(owner, $"SELECT notify.drop_history_day('{oldest}', {(days - 1) * 86400})", cancellationToken);
                dropMs = dropping.Elapsed.TotalMilliseconds;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable && asking.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(Random.Shared.Next(10, 50), cancellationToken);
            }
        }

        Report.Line($"drop_history_day('{oldest}'): {outcome} in {Report.Ms(dropMs)} (the granted attempt; {attempts} attempt(s) over {asking.Elapsed.TotalMilliseconds:N0} ms, nobody queued behind the refused ones)");

        var keys = Stopwatch.StartNew();
        long forgotten = 0;
        int batch;
        do
        {
            batch = Convert.ToInt32(await ScalarAsync(owner,
                $"SELECT notify.purge_transaction_keys(notify.history_id_floor(((now() AT TIME ZONE 'UTC')::date - {days - 1})::timestamp AT TIME ZONE 'UTC'), 50000)",
                cancellationToken), CultureInfo.InvariantCulture);
            forgotten += batch;
        }
        while (batch == 50000);
        Report.Line($"its {forgotten:N0} transaction keys forgotten in {keys.Elapsed.TotalSeconds:0.0} s (batches of 50,000, in the background of the service)");

        var day = DateTime.UtcNow.Date.AddDays(-(days - 1));
        var rowByRow = Stopwatch.StartNew();
        long rows = 0;
        do
        {
            batch = Convert.ToInt32(await ScalarAsync(owner,
                $"""
                SELECT notify.delete_history_rows(ARRAY(
                    SELECT n.id FROM notify.ent_notification n
                    WHERE n.id >= notify.history_id_floor('{day:yyyy-MM-dd}'::date::timestamp AT TIME ZONE 'UTC')
                      AND n.id < notify.history_id_floor('{day.AddDays(1):yyyy-MM-dd}'::date::timestamp AT TIME ZONE 'UTC')
                    ORDER BY n.id LIMIT 10000 FOR UPDATE SKIP LOCKED))
                """, cancellationToken), CultureInfo.InvariantCulture);
            rows += batch;
        }
        while (batch > 0 && (rowByRowLimit <= 0 || rows < rowByRowLimit));
        var rowByRowMs = rowByRow.Elapsed.TotalMilliseconds;
        Report.Line($"row by row: {rows:N0} notifications of {day:yyyy-MM-dd} with their deliveries and keys in {rowByRowMs / 1000:0.0} s ({rows / (rowByRowMs / 1000):N0}/s)");
        if (batch == 0 || rows == 0)
        {
            return new RetentionFigures(dropMs, keys.Elapsed.TotalMilliseconds, rowByRowMs, rows, Extrapolated: false);
        }

        var dayRows = Convert.ToInt64(await ScalarAsync(owner,
            $"""
            SELECT count(*) + {rows} FROM notify.ent_notification
            WHERE id >= notify.history_id_floor('{day:yyyy-MM-dd}'::date::timestamp AT TIME ZONE 'UTC')
              AND id < notify.history_id_floor('{day.AddDays(1):yyyy-MM-dd}'::date::timestamp AT TIME ZONE 'UTC')
            """, cancellationToken), CultureInfo.InvariantCulture);
        Report.Line($"stopped at {rows:N0} of the day's {dayRows:N0}: the whole day at this rate, {rowByRowMs * dayRows / rows / 60000:0.0} min");
        return new RetentionFigures(dropMs, keys.Elapsed.TotalMilliseconds, rowByRowMs * dayRows / rows, dayRows, Extrapolated: true);
    }
}
