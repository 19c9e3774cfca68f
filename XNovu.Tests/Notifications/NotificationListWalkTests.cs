using System.Globalization;
using Npgsql;
using XNovu.Api.Notifications;
using XNovu.Core.Persistence;
using XNovu.MigrationService;
using XNovu.Tests.Migrations;
using static XNovu.Tests.Migrations.ScratchSql;

namespace XNovu.Tests.Notifications;

/// <summary>
/// Issue 32: the notification list walks the day partitions newest first (<see cref="NotificationListWalk"/>). On an
/// installation upgraded with history (rows from before the partitioning, below the cutover) and days of partitioned
/// rows, including rows on both sides of midnight and rows of one second whose counter runs against their creation
/// time, paging returns each of the enterprise's rows once, in <c>created_at DESC, id DESC</c> order, with and without
/// filters, never another enterprise's; and a first page does not even open the older days.
/// </summary>
public sealed class NotificationListWalkTests(ScratchPostgres postgres) : IClassFixture<ScratchPostgres>
{
    private static readonly Guid Lister = Guid.Parse("00000000-0000-0000-0000-0000000032a1");
    private static readonly Guid Hostile = Guid.Parse("00000000-0000-0000-0000-0000000032b2");
    private static readonly DateTime Today = DateTime.UtcNow.Date;

    /// <summary>
    /// The service's clock: the fourth partitioned day, half an hour before its end (the days ahead already have their
    /// partitions), so that the first step reads into the fifth day (<see cref="NotificationListWalk.ClockAllowance"/>).
    /// </summary>
    private static readonly DateTimeOffset Now = new(Today.AddDays(3).AddHours(23).AddMinutes(30), TimeSpan.Zero);

    [Fact]
    public async Task Paging_across_days_midnight_and_the_cutover_returns_every_row_once_in_order_and_no_other_tenants()
    {
        var (connectionString, store) = await HistoryAsync("list_walk_paging");

        foreach (var enterprise in new[] { Lister, Hostile })
        {
            foreach (var (status, workflow, from, to) in new (string?, string?, DateTimeOffset?, DateTimeOffset?)[]
                     {
                         (null, null, null, null),
                         ("FAILED", null, null, null),
                         (null, "wf-b", null, null),
                         (null, null, new DateTimeOffset(Today.AddDays(-1), TimeSpan.Zero), new DateTimeOffset(Today.AddDays(2).AddHours(12), TimeSpan.Zero)),
                         (null, null, null, new DateTimeOffset(Today.AddDays(2), TimeSpan.Zero)),
                     })
            {
                var expected = await ExpectedAsync(connectionString, enterprise, status, workflow, from, to);
                Assert.NotEmpty(expected);
                foreach (var pageSize in new[] { 1, 4, 7 })
                {
                    var listed = await PagesAsync(store, enterprise, status, workflow, from, to, pageSize);
                    Assert.Equal(expected, listed);
                }
            }
        }

        // The two enterprises' rows share every day: neither listing holds one of the other's.
        var lister = await PagesAsync(store, Lister, null, null, null, null, 5);
        var hostile = await PagesAsync(store, Hostile, null, null, null, null, 5);
        Assert.Empty(lister.Intersect(hostile));
        var cutover = await CutoverAsync(connectionString);
        Assert.Contains(lister, id => id < cutover);
        Assert.Contains(lister, id => id >= cutover);
    }

    [Fact]
    public async Task A_first_page_does_not_open_the_older_days_or_the_rows_before_the_partitioning()
    {
        var (connectionString, store) = await HistoryAsync("list_walk_plan");
        var expected = await ExpectedAsync(connectionString, Lister, null, null, null, null);

        // Another session holds the older days and the rows before the partitioning exclusively. A statement planned
        // over every partition waits for them (and gives up after the lock timeout); one pruned to the newest day does not.
        await using var holder = await HoldOlderDaysAsync(connectionString);

        var page = await store.ListAsync(Lister, new NotificationFilter(null, null, null, null, null, 4), CancellationToken.None);
        Assert.Equal(expected.Take(4), page.Select(r => r.Id));

        // The same holds for a page after a cursor in the newest day.
        var next = await store.ListAsync(Lister, new NotificationFilter(null, null, null, null, new NotificationCursor(page[1].CreatedAt, page[1].Id), 2), CancellationToken.None);
        Assert.Equal(page.Skip(2).Select(r => r.Id), next.Select(r => r.Id));
    }

    [Fact]
    public async Task The_list_s_statements_are_planned_once_for_their_own_days_and_then_lock_no_other_day()
    {
        var (connectionString, _) = await HistoryAsync("list_walk_prepared");
        // One pooled connection, prepared as the services prepare (after five uses): every call runs there.
        var api = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Username = DatabaseMigrator.ApiRole, Password = "list-walk", Pooling = true, MaxPoolSize = 1, Options = "-c lock_timeout=3000",
        };
        XNovuDatabase.PrepareRepeatedStatements(api);
        await using var source = NpgsqlDataSource.Create(api.ConnectionString);
        var database = new XNovuDatabase(source);
        var store = new NotificationStore(database, new XNovuReadDatabase(database), new FixedClock(Now));
        var expected = (await ExpectedAsync(connectionString, Lister, "FAILED", null, null, null)).Take(4).ToList();
        for (var call = 0; call < 15; call++)
        {
            var page = await store.ListAsync(Lister, new NotificationFilter("FAILED", null, null, null, null, 4), CancellationToken.None);
            Assert.Equal(expected, page.Select(r => r.Id));
        }

        // PostgreSQL keeps one plan for each statement of the walk and runs it again, instead of planning every call.
        await using (var connection = await source.OpenConnectionAsync())
        {
            await using var read = new NpgsqlCommand(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%FROM notify.ent_notification n%'", connection);
            await using var reader = await read.ExecuteReaderAsync();
            var plans = new List<(long Generic, long Custom)>();
            while (await reader.ReadAsync())
            {
                plans.Add((reader.GetInt64(0), reader.GetInt64(1)));
            }

            Assert.NotEmpty(plans);
            Assert.All(plans, p => Assert.True(p.Generic >= 5 && p.Custom <= 5, $"{p.Generic} runs of a kept plan, {p.Custom} planned afresh"));
        }

        // That plan names only its step's days. With the bounds passed as parameters, a kept plan would name every day
        // partition and lock them all at every run: here it would wait for the other session's locks on the older days
        // and give up after the lock timeout, as a list would wait behind retention detaching a day.
        await using var holder = await HoldOlderDaysAsync(connectionString);
        var held = await store.ListAsync(Lister, new NotificationFilter("FAILED", null, null, null, null, 4), CancellationToken.None);
        Assert.Equal(expected, held.Select(r => r.Id));
    }

    [Fact]
    public async Task A_status_filter_reads_the_index_of_the_enterprise_s_rows_not_sent_on_every_partition()
    {
        // An installation upgraded with history, stopped after 0074 (new partitions get the index), where a build of
        // the index on the rows before the partitioning failed half-way: the INVALID index it left must be replaced.
        var connectionString = postgres.ConnectionString("list_walk_unsent");
        await Migrator("0050").MigrateAsync(connectionString, NoPasswords, CancellationToken.None, applyFunctionFiles: false);
        await ExecuteAsync(connectionString,
            $"""
            INSERT INTO notify.enterprise (id, name) VALUES ('{Lister}', 'lister'), ('{Hostile}', 'hostile');
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, notification_status, recipients, transaction_id, created_at)
            SELECT e, 'wf-a', CASE WHEN i % 4 = 0 THEN 'FAILED' ELSE 'SENT' END::notify.notification_status, '["old"]', 'old-' || i,
                   now() - interval '2 days' + i * interval '1 minute'
            FROM generate_series(1, 40) AS i, unnest(ARRAY['{Lister}', '{Hostile}']::uuid[]) AS e;
            """);
        await Migrator("0074").MigrateAsync(connectionString, NoPasswords, CancellationToken.None, applyFunctionFiles: false);
        await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connectionString,
            "CREATE UNIQUE INDEX CONCURRENTLY ent_notification_legacy_unsent ON notify.ent_notification_legacy (workflow_key)"));
        Assert.Equal("false", await ScalarAsync(connectionString,
            "SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'notify.ent_notification_legacy_unsent'::regclass"));
        await Migrator(null).MigrateAsync(connectionString, new Dictionary<string, string> { [DatabaseMigrator.ApiRole] = "list-walk" }, CancellationToken.None);

        // Every partition, the rows before the partitioning included, has a valid index of its rows not SENT; a day
        // partition made afterwards has it from the start; the index on (enterprise, status, created_at) is gone.
        await ExecuteAsync(connectionString, "SELECT notify.ensure_history_partitions((now() AT TIME ZONE 'UTC')::date + 12)");
        const string Unsent = "(enterprise_id, created_at DESC, id DESC) WHERE (notification_status <> 'SENT'::notify.notification_status)";
        Assert.Equal("0", await ScalarAsync(connectionString,
            $"""
            SELECT count(*)::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'notify.ent_notification'::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_index x WHERE x.indexrelid = to_regclass('notify.' || c.relname || '_unsent') AND x.indisvalid
                              AND pg_get_indexdef(x.indexrelid) LIKE '%{Unsent.Replace("'", "''", StringComparison.Ordinal)}')
            """));
        Assert.NotEqual("0", await ScalarAsync(connectionString,
            $"SELECT count(*)::text FROM pg_class WHERE relname = 'ent_notification_p{Today.AddDays(12):yyyyMMdd}_unsent'"));
        Assert.Null(await ScalarAsync(connectionString, "SELECT to_regclass('notify.ix_notification_enterprise_status_created')::text"));

        // The list as the API runs it (its role, row-level security; sequential scans off, as on a day of thousands of
        // rows): its steps over the days read their index of the rows not SENT. The status must reach the planner as
        // a constant for that: a text parameter cast to the enum is none (the cast is only stable), and the partial
        // index is then never chosen. (Which index the tiny legacy table is read by is the planner's cost choice.)
        // The reader's server process reports its index scans when it ends (ReadReportedAsync).
        const string Reader = "list-walk-unsent";
        var api = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Username = DatabaseMigrator.ApiRole, Password = "list-walk", Pooling = false, ApplicationName = Reader, Options = "-c enable_seqscan=off",
        };
        const string DayScans = "SELECT coalesce(sum(idx_scan), 0)::text FROM pg_stat_user_indexes WHERE indexrelname LIKE 'ent\\_notification\\_p%\\_unsent'";
        var scansBefore = await ScalarAsync(connectionString, DayScans);
        var page = await ReadReportedAsync(connectionString, api, source =>
        {
            var readerDatabase = new XNovuDatabase(source);
            return new NotificationStore(readerDatabase, new XNovuReadDatabase(readerDatabase), new FixedClock(Now))
                .ListAsync(Lister, new NotificationFilter("FAILED", null, null, null, null, 50), CancellationToken.None);
        });

        Assert.Equal(await ExpectedAsync(connectionString, Lister, "FAILED", null, null, null), page.Select(r => r.Id));
        Assert.True(
            int.Parse((await ScalarAsync(connectionString, DayScans))!, CultureInfo.InvariantCulture) > int.Parse(scansBefore!, CultureInfo.InvariantCulture),
            "the walk read no day partition's index of the rows not SENT");

        // And the rows are the enterprise's FAILED ones, never the other's.
        var apiDatabase = new XNovuDatabase(NpgsqlDataSource.Create(api.ConnectionString));
        var store = new NotificationStore(apiDatabase, new XNovuReadDatabase(apiDatabase), new FixedClock(Now));
        var failed = await PagesAsync(store, Lister, "FAILED", null, null, null, 3);
        Assert.Equal(10, failed.Count);
        Assert.Equal(await ExpectedAsync(connectionString, Lister, "FAILED", null, null, null), failed);
    }

    [Fact]
    public async Task Another_tenants_backlog_of_unfinished_notifications_is_not_read_by_a_list()
    {
        // Today's partition as the history benchmark's run 22 found it: a busy day of another tenant's sent rows, the
        // lister's 200, statistics taken then; since then that tenant's backlog of unfinished rows (an outage, a bulk
        // import), not yet in the statistics (autovacuum is off here, as between two of its analyses).
        var connectionString = postgres.ConnectionString("list_walk_backlog");
        await Migrator(null).MigrateAsync(connectionString, new Dictionary<string, string> { [DatabaseMigrator.ApiRole] = "list-walk" }, CancellationToken.None);
        var day = $"ent_notification_p{DateTime.UtcNow:yyyyMMdd}";
        var today = $"notify.{day}";
        await ExecuteAsync(connectionString,
            $"""
            INSERT INTO notify.enterprise (id, name) VALUES ('{Lister}', 'lister'), ('{Hostile}', 'hostile');
            ALTER TABLE {today} SET (autovacuum_enabled = false);
            SET session_replication_role = replica;
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, notification_status, recipients, transaction_id)
            SELECT '{Hostile}', 'wf-a', 'SENT', '["x"]', 'sent-' || i FROM generate_series(1, 300000) i;
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, notification_status, recipients, transaction_id)
            SELECT '{Lister}', 'wf-a', 'SENT', '["x"]', 'mine-' || i FROM generate_series(1, 60) i;
            ANALYZE {today};
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, notification_status, recipients, transaction_id)
            SELECT '{Hostile}', 'wf-a', 'PENDING', '["x"]', 'backlog-' || i FROM generate_series(1, 75000) i;
            """);

        // The lister's first page, as the API reads it: the rows its enterprise's index gives in order, never the
        // backlog's. As an OR, the retention rule's arm "not finished" matched the day's index of unfinished rows,
        // and the plan read all 75,000 of them (a BitmapOr with the enterprise's index, then a sort).
        const string Reader = "list-walk-backlog";
        var api = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Username = DatabaseMigrator.ApiRole, Password = "list-walk", Pooling = false, ApplicationName = Reader,
        };
        var unfinishedScans = $"SELECT coalesce(sum(idx_scan), 0)::text FROM pg_stat_user_indexes WHERE indexrelname = '{day}_unfinished'";
        var before = await ScalarAsync(connectionString, unfinishedScans);
        var page = await ReadReportedAsync(connectionString, api, source =>
        {
            var readerDatabase = new XNovuDatabase(source);
            return new NotificationStore(readerDatabase, new XNovuReadDatabase(readerDatabase), TimeProvider.System)
                .ListAsync(Lister, new NotificationFilter(null, null, null, null, null, 50), CancellationToken.None);
        });

        Assert.Equal((await ExpectedAsync(connectionString, Lister, null, null, null, null)).Take(50), page.Select(r => r.Id));
        Assert.Equal(before, await ScalarAsync(connectionString, unfinishedScans));
    }

    /// <summary>
    /// A database upgraded with history: rows made before the partitioning (legacy, below the cutover), a few made
    /// today by the service's own defaults, and three days ahead written as the service writes them (the id's second
    /// is the created_at's second), two enterprises in every one.
    /// </summary>
    private async Task<(string ConnectionString, NotificationStore Store)> HistoryAsync(string database)
    {
        var connectionString = postgres.ConnectionString(database);
        await Migrator("0050").MigrateAsync(connectionString, NoPasswords, CancellationToken.None, applyFunctionFiles: false);
        await ExecuteAsync(connectionString,
            $"""
            INSERT INTO notify.enterprise (id, name) VALUES ('{Lister}', 'lister'), ('{Hostile}', 'hostile');
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, recipients, transaction_id, created_at)
            SELECT e, CASE WHEN i % 2 = 0 THEN 'wf-a' ELSE 'wf-b' END, '["old"]', 'old-' || i, now() - interval '2 days' + i * interval '1 minute'
            FROM generate_series(1, 12) AS i, unnest(ARRAY['{Lister}', '{Hostile}']::uuid[]) AS e;
            UPDATE notify.ent_notification SET notification_status = 'FAILED' WHERE transaction_id IN ('old-3', 'old-6');
            """);
        await Migrator(null).MigrateAsync(connectionString, new Dictionary<string, string> { [DatabaseMigrator.ApiRole] = "list-walk" }, CancellationToken.None);
        await ExecuteAsync(connectionString,
            $"""
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, recipients, transaction_id)
            SELECT e, 'wf-a', '["today"]', 'today-' || e || '-' || i FROM generate_series(1, 3) AS i, unnest(ARRAY['{Lister}', '{Hostile}']::uuid[]) AS e;
            SET session_replication_role = replica;
            INSERT INTO notify.ent_notification (id, enterprise_id, workflow_key, notification_status, recipients, transaction_id, created_at, updated_at)
            SELECT notify.history_id_floor(t) | (seq * 2 + CASE WHEN e = '{Lister}' THEN 0 ELSE 1 END), e,
                   CASE WHEN seq % 2 = 0 THEN 'wf-a' ELSE 'wf-b' END,
                   CASE WHEN seq % 3 = 0 THEN 'FAILED' ELSE 'SENT' END::notify.notification_status, '["x"]', 'ahead-' || e || '-' || d || '-' || seq, t, t
            FROM generate_series(1, 3) AS d,
                 unnest(ARRAY['{Lister}', '{Hostile}']::uuid[]) AS e,
                 -- Both sides of midnight, and one second whose counter runs against the creation time.
                 (VALUES (1, interval '0.0001 s'), (2, interval '0.5 s'), (3, interval '12 h'), (4, interval '12 h 0.9 s'), (5, interval '12 h 0.7 s'),
                         (6, interval '12 h 0.5 s'), (7, interval '12 h 0.1 s'), (8, interval '23:59:59.2'), (9, interval '23:59:59.9999')) AS o(seq, at),
                 LATERAL (SELECT ('{Today:yyyy-MM-dd}'::date + d)::timestamp AT TIME ZONE 'UTC' + at AS t) AS x;
            """);

        var api = new NpgsqlConnectionStringBuilder(connectionString) { Username = DatabaseMigrator.ApiRole, Password = "list-walk", Options = "-c lock_timeout=3000" };
        var apiDatabase = new XNovuDatabase(NpgsqlDataSource.Create(api.ConnectionString));
        return (connectionString, new NotificationStore(apiDatabase, new XNovuReadDatabase(apiDatabase), new FixedClock(Now)));
    }

    /// <summary>
    /// Another session holding the rows before the partitioning and the two oldest days exclusively, until it is
    /// disposed (closing it rolls its transaction back): a statement whose plan names them waits, and gives up after
    /// the reader's lock timeout.
    /// </summary>
    private static async Task<NpgsqlConnection> HoldOlderDaysAsync(string connectionString)
    {
        var holder = new NpgsqlConnection(connectionString);
        await holder.OpenAsync();
        await using var hold = new NpgsqlCommand(
            $"BEGIN; LOCK TABLE notify.ent_notification_legacy, notify.ent_notification_p{Today:yyyyMMdd}, notify.ent_notification_p{Today.AddDays(1):yyyyMMdd} IN ACCESS EXCLUSIVE MODE",
            holder);
        await hold.ExecuteNonQueryAsync();
        return holder;
    }

    /// <summary>Every page in turn, as the endpoint asks them: one row more than the page, the cursor after its last.</summary>
    private static async Task<List<long>> PagesAsync(
        NotificationStore store, Guid enterprise, string? status, string? workflow, DateTimeOffset? from, DateTimeOffset? to, int pageSize)
    {
        var ids = new List<long>();
        NotificationCursor? after = null;
        while (true)
        {
            var rows = await store.ListAsync(enterprise, new NotificationFilter(status, workflow, from, to, after, pageSize + 1), CancellationToken.None);
            var page = rows.Take(pageSize).ToList();
            ids.AddRange(page.Select(r => r.Id));
            if (rows.Count <= pageSize)
            {
                return ids;
            }

            after = new NotificationCursor(page[^1].CreatedAt, page[^1].Id);
        }
    }

    private static async Task<List<long>> ExpectedAsync(
        string connectionString, Guid enterprise, string? status, string? workflow, DateTimeOffset? from, DateTimeOffset? to)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT id FROM notify.ent_notification
            WHERE enterprise_id = @enterprise AND (@status::text IS NULL OR notification_status::text = @status)
              AND (@workflow::text IS NULL OR workflow_key = @workflow)
              AND (@from::timestamptz IS NULL OR created_at >= @from) AND (@to::timestamptz IS NULL OR created_at < @to)
            ORDER BY created_at DESC, id DESC
            """, connection);
        command.Parameters.AddWithValue("enterprise", enterprise);
        command.Parameters.AddWithValue("status", (object?)status ?? DBNull.Value).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        command.Parameters.AddWithValue("workflow", (object?)workflow ?? DBNull.Value).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        command.Parameters.AddWithValue("from", (object?)from?.UtcDateTime ?? DBNull.Value).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz;
        command.Parameters.AddWithValue("to", (object?)to?.UtcDateTime ?? DBNull.Value).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz;
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    private static async Task<long> CutoverAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return (long)(await new NpgsqlCommand("SELECT cutover FROM notify.history_settings", connection).ExecuteScalarAsync())!;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
