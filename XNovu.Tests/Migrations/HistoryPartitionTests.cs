using Npgsql;
using static XNovu.Tests.Migrations.ScratchSql;

namespace XNovu.Tests.Migrations;

/// <summary>
/// Issue 32: notifications, deliveries and delivery events are partitioned by the day their notification was made,
/// in a fresh installation and in one upgraded from the schema before (0050) with history in it, while writes go on;
/// a day past retention is dropped whole, and a day still holding work is kept.
/// </summary>
public sealed class HistoryPartitionTests(ScratchPostgres postgres) : IClassFixture<ScratchPostgres>
{
    private const string Enterprise = "00000000-0000-0000-0000-000000000032";

    [Fact]
    public async Task An_installation_with_history_upgrades_to_day_partitions_while_writes_go_on()
    {
        var connectionString = postgres.ConnectionString("history_upgrade");
        await Migrator("0050").MigrateAsync(connectionString, NoPasswords, CancellationToken.None, applyFunctionFiles: false);
        await ExecuteAsync(connectionString,
            $"""
            INSERT INTO notify.enterprise (id, name) VALUES ('{Enterprise}', 'history');
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, recipients, transaction_id, created_at)
            SELECT '{Enterprise}', 'default-sms', jsonb_build_array('a-' || i, 'b-' || i), 'old-' || i, now() - interval '3 days'
            FROM generate_series(1, 5000) AS i;
            UPDATE notify.ent_notification_delivery SET status = 'SENT' WHERE ordinal = 1;
            """);
        Assert.Equal("r", await ScalarAsync(connectionString, "SELECT relkind::text FROM pg_class WHERE oid = 'notify.ent_notification'::regclass"));

        // Another system keeps inserting, one notification a statement, all through the upgrade.
        using var stop = new CancellationTokenSource();
        var written = 0;
        var failures = new List<string>();
        var writer = Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await using var insert = new NpgsqlCommand(
                        $"INSERT INTO notify.ent_notification (enterprise_id, workflow_key, recipients, transaction_id) VALUES ('{Enterprise}', 'default-sms', '[\"w\"]', 'during-{written}')",
                        connection);
                    await insert.ExecuteNonQueryAsync();
                    written++;
                }
                catch (PostgresException e)
                {
                    failures.Add($"{e.SqlState}: {e.MessageText}");
                }
            }
        });

        await Task.Delay(300);
        await Migrator(null).MigrateAsync(connectionString, NoPasswords, CancellationToken.None);
        await Task.Delay(300);
        await stop.CancelAsync();
        await writer;

        Assert.Empty(failures);
        Assert.True(written > 0);
        foreach (var table in new[] { "ent_notification", "ent_notification_delivery", "ent_delivery_event" })
        {
            Assert.Equal("p", await ScalarAsync(connectionString, $"SELECT relkind::text FROM pg_class WHERE oid = 'notify.{table}'::regclass"));
            Assert.Equal($"{table}_legacy", await ScalarAsync(connectionString,
                $"SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'notify.{table}'::regclass AND c.relname LIKE '%legacy'"));
        }

        // Nothing lost, every notification has its deliveries, and the history before stayed where it was (no copy).
        Assert.Equal((5000 + written).ToString(), await ScalarAsync(connectionString, "SELECT count(*)::text FROM notify.ent_notification"));
        Assert.Equal((10000 + written).ToString(), await ScalarAsync(connectionString, "SELECT count(*)::text FROM notify.ent_notification_delivery"));
        Assert.Equal("5000", await ScalarAsync(connectionString,
            "SELECT count(*)::text FROM notify.ent_notification WHERE tableoid = 'notify.ent_notification_legacy'::regclass AND transaction_id LIKE 'old-%'"));
        Assert.Equal((5000 + written).ToString(), await ScalarAsync(connectionString, "SELECT count(*)::text FROM notify.notification_transaction"));

        // A new notification takes a day partition's id, and its deliveries live in the same day.
        var day = $"p{DateTime.UtcNow:yyyyMMdd}";
        await ExecuteAsync(connectionString,
            $"INSERT INTO notify.ent_notification (enterprise_id, workflow_key, recipients, transaction_id) VALUES ('{Enterprise}', 'default-sms', '[\"x\", \"y\"]', 'after')");
        Assert.Equal($"notify.ent_notification_{day}", await ScalarAsync(connectionString,
            "SELECT tableoid::regclass::text FROM notify.ent_notification WHERE transaction_id = 'after'"));
        Assert.Equal($"notify.ent_notification_delivery_{day} 2", await ScalarAsync(connectionString,
            """
            SELECT string_agg(DISTINCT d.tableoid::regclass::text, ',') || ' ' || count(*)
            FROM notify.ent_notification_delivery d JOIN notify.ent_notification n ON n.id = d.notification_id
            WHERE n.transaction_id = 'after'
            """));

        // A transaction id of the history before is still taken, across partitions.
        var duplicate = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connectionString,
            $"INSERT INTO notify.ent_notification (enterprise_id, workflow_key, recipients, transaction_id) VALUES ('{Enterprise}', 'default-sms', '[\"z\"]', 'old-17')"));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, duplicate.SqlState);

        // A lookup by id reads one partition.
        var newest = await ScalarAsync(connectionString, "SELECT max(id)::text FROM notify.ent_notification");
        var plan = await PlanAsync(connectionString, $"SELECT * FROM notify.ent_notification WHERE id = {newest}");
        Assert.Contains($"ent_notification_{day}", plan);
        Assert.DoesNotContain("legacy", plan);
    }

    [Fact]
    public async Task Retention_drops_a_finished_day_whole_and_keeps_a_day_holding_work()
    {
        var connectionString = postgres.ConnectionString("history_retention");
        await Migrator(null).MigrateAsync(connectionString, NoPasswords, CancellationToken.None);
        var day = $"p{DateTime.UtcNow:yyyyMMdd}";
        await ExecuteAsync(connectionString,
            $"""
            INSERT INTO notify.enterprise (id, name) VALUES ('{Enterprise}', 'history');
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, recipients, transaction_id)
            SELECT '{Enterprise}', 'default-sms', jsonb_build_array('a-' || i), 'tx-' || i FROM generate_series(1, 1000) AS i;
            """);
        const double Young = 3600, Old = -2 * 86400; // "older than -2 days": everything made before the day after tomorrow

        Assert.Equal("young", await ScalarAsync(connectionString, $"SELECT notify.drop_history_day('{day}', {Young})"));
        Assert.Equal("unfinished", await ScalarAsync(connectionString, $"SELECT notify.drop_history_day('{day}', {Old})"));

        await ExecuteAsync(connectionString,
            "UPDATE notify.ent_notification_delivery SET status = 'SENT'; UPDATE notify.ent_notification SET notification_status = 'SENT' WHERE id <> (SELECT max(id) FROM notify.ent_notification)");
        Assert.Equal("unfinished", await ScalarAsync(connectionString, $"SELECT notify.drop_history_day('{day}', {Old})"));
        await ExecuteAsync(connectionString, "UPDATE notify.ent_notification SET notification_status = 'SENT'");

        // A writer holding the parent: the drop is refused at once (NOWAIT), it never queues.
        await using (var holder = new NpgsqlConnection(connectionString))
        {
            await holder.OpenAsync();
            await using var transaction = await holder.BeginTransactionAsync();
            await new NpgsqlCommand("SELECT count(*) FROM notify.ent_notification_delivery", holder, transaction).ExecuteScalarAsync();
            var refused = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(connectionString, $"SELECT notify.drop_history_day('{day}', {Old})"));
            Assert.Equal(PostgresErrorCodes.LockNotAvailable, refused.SqlState);
        }

        Assert.Equal("dropped", await ScalarAsync(connectionString, $"SELECT notify.drop_history_day('{day}', {Old})"));
        Assert.Equal("absent", await ScalarAsync(connectionString, $"SELECT notify.drop_history_day('{day}', {Old})"));
        Assert.Null(await ScalarAsync(connectionString, $"SELECT to_regclass('notify.ent_notification_delivery_{day}')::text"));
        Assert.Equal("0", await ScalarAsync(connectionString, "SELECT count(*)::text FROM notify.ent_notification"));
        Assert.Equal("1000", await ScalarAsync(connectionString,
            "SELECT notify.purge_transaction_keys(notify.history_id_floor(now() + interval '2 days'), 5000)::text"));

        // The days ahead are still there, and the next pass does not make the dropped day again.
        Assert.Equal("0", await ScalarAsync(connectionString, "SELECT notify.ensure_history_partitions((now() AT TIME ZONE 'UTC')::date + 7)::text"));
        Assert.Equal("3", await ScalarAsync(connectionString, "SELECT notify.ensure_history_partitions((now() AT TIME ZONE 'UTC')::date + 8)::text"));
    }

    private static async Task<string> PlanAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("EXPLAIN (COSTS OFF) " + sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }
}
