using System.Text.RegularExpressions;
using Npgsql;
using XNovu.Api.Notifications;
using XNovu.Core.Persistence;
using XNovu.MigrationService;
using static XNovu.Tests.Migrations.ScratchSql;

namespace XNovu.Tests.Migrations;

/// <summary>
/// Issue 32: a notification's deliveries and their events are read in <c>notify.delivery_id_range</c> — one day
/// partition of each table — by the API's detail read, the Novu webhook lookup and the row-by-row delete, where the
/// notification id alone probed every day partition's index. Correct for the history before the partitioning (below
/// the cutover) and before the switch. Two enterprises: the other one's rows are neither seen nor touched.
/// </summary>
public sealed class HistoryPartitionReadTests(ScratchPostgres postgres) : IClassFixture<ScratchPostgres>
{
    private const string Owner = "00000000-0000-0000-0000-0000000032a1";
    private const string Other = "00000000-0000-0000-0000-0000000032b2";
    private const string ApiPassword = "history-reads";
    private const string ReaderName = "history-partition-reads";

    [Fact]
    public async Task Reads_and_deletes_of_a_notification_s_deliveries_touch_its_day_partition_only()
    {
        var connectionString = await PrepareAsync("history_reads");
        var later = $"p{DateTime.UtcNow.AddDays(2):yyyyMMdd}";
        var laterId = long.Parse((await ScalarAsync(connectionString, "SELECT id::text FROM notify.ent_notification WHERE transaction_id = 'later-1'"))!);
        var oldId = long.Parse((await ScalarAsync(connectionString, "SELECT id::text FROM notify.ent_notification WHERE transaction_id = 'old-1'"))!);
        Assert.Equal("9", await ScalarAsync(connectionString,
            "SELECT count(*)::text FROM pg_inherits WHERE inhparent = 'notify.ent_notification_delivery'::regclass")); // the legacy one and 8 days

        // The webhook lookup (a Novu delivery webhook, and the outcome poll, which applies its events through it).
        Assert.Equal(
            $"applied ent_notification_delivery_{later}",
            await TouchedInTransactionAsync(connectionString, Webhook(Owner, "w1", "later-1-2")));
        Assert.Equal(
            "applied ent_notification_delivery_legacy",
            await TouchedInTransactionAsync(connectionString, Webhook(Owner, "w2", "old-1-2")));
        Assert.Equal("unmatched", await ScalarAsync(connectionString, Webhook(Other, "w3", "later-1-1")));

        // The API's detail read, as the API runs it (xnovu_api, row-level security): one partition of deliveries and
        // one of events, for the day's notification and for one from before the partitioning.
        var (detail, touched) = await FindAsync(connectionString, Owner, laterId);
        Assert.Equal(["later-1-1", "later-1-2"], detail!.Deliveries.Select(d => d.TransactionId));
        Assert.Equal("delivered", Assert.Single(detail.Deliveries[1].Timeline ?? []).Event);
        Assert.Equal([$"ent_delivery_event_{later}", $"ent_notification_delivery_{later}"], touched);
        (detail, touched) = await FindAsync(connectionString, Owner, oldId);
        Assert.Equal(["old-1-1", "old-1-2"], detail!.Deliveries.Select(d => d.TransactionId));
        Assert.Equal(["ent_delivery_event_legacy", "ent_notification_delivery_legacy"], touched);
        (detail, _) = await FindAsync(connectionString, Other, laterId);
        Assert.Null(detail);

        // The bound prunes when the plan starts, for a literal and for a generic plan's parameter alike.
        Assert.Equal($"ent_notification_delivery_{later}", await PrunedToAsync(connectionString, laterId.ToString()));
        Assert.Equal($"ent_notification_delivery_{later}", await PrunedToAsync(connectionString, "$1", generic: true, laterId));

        // Any id a client may ask for has a range (the last second of the bigint range does not wrap).
        Assert.Equal("[9223372036846387200,9223372036854775807) [-9223372036854775808,", (await ScalarAsync(connectionString,
            "SELECT notify.delivery_id_range(9223372036854775807)::text || ' ' || notify.delivery_id_range(-1)::text"))![..64]);

        // Before the switch nothing bounds the deliveries (their ids came from the old identity), and a webhook still
        // finds its delivery.
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await new NpgsqlCommand("UPDATE notify.history_settings SET switched = false", connection, transaction).ExecuteNonQueryAsync();
            Assert.Equal("[-9223372036854775808,9223372036854775807)",
                await new NpgsqlCommand($"SELECT notify.delivery_id_range({laterId})::text", connection, transaction).ExecuteScalarAsync());
            Assert.Equal("applied", await new NpgsqlCommand(Webhook(Owner, "w4", "later-1-1"), connection, transaction).ExecuteScalarAsync());
            await transaction.RollbackAsync();
        }

        // The delete chain of retention: the notification, its deliveries, events and key, in its day only; the
        // other enterprise's notification of the same day stays.
        Assert.Equal(
            $"1 ent_notification_delivery_{later}",
            await TouchedInTransactionAsync(connectionString, $"SELECT notify.delete_history_rows(ARRAY[{laterId}])::text"));
        Assert.Equal(
            "1 ent_notification_delivery_legacy",
            await TouchedInTransactionAsync(connectionString, $"SELECT notify.delete_history_rows(ARRAY[{oldId}])::text"));
        Assert.Equal("0 0 0 0 2 1", await ScalarAsync(connectionString,
            $"""
            SELECT (SELECT count(*) FROM notify.ent_notification WHERE id IN ({laterId}, {oldId})) || ' ' ||
                   (SELECT count(*) FROM notify.ent_notification_delivery WHERE notification_id IN ({laterId}, {oldId})) || ' ' ||
                   (SELECT count(*) FROM notify.ent_delivery_event) || ' ' ||
                   (SELECT count(*) FROM notify.notification_transaction WHERE notification_id IN ({laterId}, {oldId})) || ' ' ||
                   (SELECT count(*) FROM notify.ent_notification_delivery WHERE transaction_id LIKE 'later-o-%') || ' ' ||
                   (SELECT count(*) FROM notify.ent_notification WHERE transaction_id = 'later-o')
            """));
    }

    [Fact]
    public async Task The_operations_delivery_counts_read_the_last_day_not_the_history()
    {
        var connectionString = await PrepareAsync("history_stats");
        await ScalarAsync(connectionString, "UPDATE notify.ent_notification_delivery SET status = 'SENT', attempts = 2");

        // Today's and the later days' deliveries (four notifications of two recipients each, both enterprises), not
        // the four from before the partitioning (three days old, below the cutover). (Which partitions it reads is not
        // asserted here: this database switched a moment ago, so the legacy partition's range still reaches into the
        // last 24 hours and cannot be pruned; a day after the switch it is.)
        Assert.Equal("8 0 8", await ScalarAsync(connectionString,
            "SELECT (SELECT sent || ' ' || failed || ' ' || retried FROM notify.delivery_stats())"));
        Assert.Equal("12", await ScalarAsync(connectionString, "SELECT count(*)::text FROM notify.ent_notification_delivery WHERE status = 'SENT'"));
    }

    /// <summary>
    /// An installation with history from before the partitioning (two enterprises), upgraded, then notifications of
    /// today and of the day after tomorrow (ids of that day, as a notification made then has them).
    /// </summary>
    private async Task<string> PrepareAsync(string database)
    {
        var connectionString = postgres.ConnectionString(database);
        await Migrator("0050").MigrateAsync(connectionString, new Dictionary<string, string>(), CancellationToken.None, applyFunctionFiles: false);
        await ScalarAsync(connectionString,
            $"""
            INSERT INTO notify.enterprise (id, name) VALUES ('{Owner}', 'owner'), ('{Other}', 'other');
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, recipients, transaction_id, created_at)
            VALUES ('{Owner}', 'default-sms', '["a", "b"]', 'old-1', now() - interval '3 days'),
                   ('{Other}', 'default-sms', '["a", "b"]', 'old-o', now() - interval '3 days');
            """);
        await Migrator(null).MigrateAsync(connectionString, new Dictionary<string, string> { [DatabaseMigrator.ApiRole] = ApiPassword }, CancellationToken.None);
        await ScalarAsync(connectionString,
            $"""
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, recipients, transaction_id)
            VALUES ('{Owner}', 'default-sms', '["a", "b"]', 'today-1');
            INSERT INTO notify.ent_notification (id, enterprise_id, workflow_key, recipients, transaction_id)
            VALUES (notify.history_id_floor(now() + interval '2 days') | 5, '{Owner}', 'default-sms', '["a", "b"]', 'later-1'),
                   (notify.history_id_floor(now() + interval '2 days') | 6, '{Other}', 'default-sms', '["a", "b"]', 'later-o'),
                   (notify.history_id_floor(now() + interval '3 days') | 7, '{Owner}', 'default-sms', '["a", "b"]', 'later-2');
            """);
        return connectionString;
    }

    private static string Webhook(string enterprise, string webhookId, string transactionId) =>
        $"SELECT notify.apply_novu_webhook(NULL, '{webhookId}', '{enterprise}', '{transactionId}', 'delivered', now(), 'm-{webhookId}', 'sms', 'test', NULL, NULL, 'webhook')";

    /// <summary>
    /// <paramref name="sql"/>'s answer and the delivery partitions it scanned (<c>pg_stat_xact_user_tables</c>: this
    /// transaction's own counts), committed: "answer partition,partition".
    /// </summary>
    private static async Task<string> TouchedInTransactionAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var answer = (await new NpgsqlCommand(sql, connection, transaction).ExecuteScalarAsync())?.ToString();
        var touched = new List<string>();
        await using (var reader = await new NpgsqlCommand(
            """
            SELECT relname::text FROM pg_stat_xact_user_tables
            WHERE relname LIKE 'ent_notification_delivery_%' AND seq_scan + coalesce(idx_scan, 0) > 0 ORDER BY 1
            """, connection, transaction).ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                touched.Add(reader.GetString(0));
            }
        }

        await transaction.CommitAsync();
        return $"{answer} {string.Join(',', touched)}";
    }

    /// <summary>
    /// The API's detail read as <paramref name="enterprise"/>, and the delivery and event partitions it scanned: the
    /// statistics its connection reported when it closed (unpooled, so closing ends its server process, which
    /// reports them on its way out).
    /// </summary>
    private static async Task<(NotificationDetail? Detail, string[] Touched)> FindAsync(string connectionString, string enterprise, long id)
    {
        var before = await ScansAsync(connectionString);
        var api = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Username = DatabaseMigrator.ApiRole, Password = ApiPassword, Pooling = false, ApplicationName = ReaderName,
        };
        var detail = await ReadReportedAsync(connectionString, api, source =>
        {
            var database = new XNovuDatabase(source);
            return new NotificationStore(database, new XNovuReadDatabase(database), TimeProvider.System).FindAsync(Guid.Parse(enterprise), id, CancellationToken.None);
        });

        var after = await ScansAsync(connectionString);
        return (detail, [.. after.Where(a => a.Value > before.GetValueOrDefault(a.Key)).Select(a => a.Key).Order(StringComparer.Ordinal)]);
    }

    private static async Task<Dictionary<string, long>> ScansAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var reader = await new NpgsqlCommand(
            """
            SELECT relname::text, seq_scan + coalesce(idx_scan, 0) FROM pg_stat_user_tables
            WHERE relname LIKE 'ent_notification_delivery_%' OR relname LIKE 'ent_delivery_event_%'
            """, connection).ExecuteReaderAsync();
        var scans = new Dictionary<string, long>();
        while (await reader.ReadAsync())
        {
            scans[reader.GetString(0)] = reader.GetInt64(1);
        }

        return scans;
    }

    /// <summary>The one delivery partition left in the plan of a read by notification id in its range (EXPLAIN, no ANALYZE: pruning at the plan's start shows).</summary>
    private static async Task<string> PrunedToAsync(string connectionString, string id, bool generic = false, long parameter = 0)
    {
        const string Read =
            "SELECT d.id FROM notify.ent_notification_delivery d WHERE d.notification_id = {0} "
            + "AND d.id >= lower(notify.delivery_id_range({0})) AND d.id < upper(notify.delivery_id_range({0}))";
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        string explain;
        if (generic)
        {
            await new NpgsqlCommand($"SET plan_cache_mode = force_generic_plan; PREPARE read(bigint) AS {string.Format(Read, id)}", connection).ExecuteNonQueryAsync();
            explain = $"EXPLAIN (COSTS OFF) EXECUTE read({parameter})";
        }
        else
        {
            explain = $"EXPLAIN (COSTS OFF) {string.Format(Read, id)}";
        }

        var partitions = new HashSet<string>();
        await using var reader = await new NpgsqlCommand(explain, connection).ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            foreach (Match table in Regex.Matches(reader.GetString(0), @"\bent_notification_delivery_(?:p\d{8}|legacy)\b(?!_)"))
            {
                partitions.Add(table.Value);
            }
        }

        return Assert.Single(partitions);
    }
}
