using Microsoft.Extensions.Logging;
using Npgsql;
using XNovu.MigrationService;
using XNovu.Testing.ProductionRun;
using static XNovu.Tests.Migrations.ScratchSql;

namespace XNovu.Tests.Migrations;

/// <summary>A PostgreSQL of its own for the online migration tests (no AppHost): each test migrates its own database.</summary>
public sealed class ScratchPostgres : IAsyncLifetime
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"xnovu-online-migrations-{Guid.NewGuid():N}"[..36]);
    private RunProcess? server;
    private string password = string.Empty;
    private int port;

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={port};Username=postgres;Password={password};Database={database};Pooling=false";

    public async Task InitializeAsync()
    {
        (port, password) = (LocalServers.FreePort(), LocalServers.NewPassword());
        server = await LocalServers.StartPostgresAsync(directory, port, password, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // the temp directory is cleaned by the machine
        }
        catch (UnauthorizedAccessException)
        {
            // owned by the postgres user
        }
    }
}

/// <summary>
/// Issue 27, item 4: a script marked <see cref="DatabaseMigrator.NoTransactionMarker"/> runs outside a transaction,
/// a lock that is not granted in time is tried again instead of holding the traffic behind it, and a build that failed
/// half-way is replaced on the next run. 0029 (an index built CONCURRENTLY on the deliveries) is the script under test.
/// </summary>
public sealed class OnlineMigrationTests(ScratchPostgres postgres) : IClassFixture<ScratchPostgres>
{
    private const string NewIndex = "ix_delivery_subscriber";
    private const string OldIndex = "ix_delivery_notification";

    [Fact]
    public async Task An_index_script_builds_concurrently_outside_a_transaction_and_retries_while_its_lock_is_held()
    {
        var connectionString = postgres.ConnectionString("online_retry");
        await Migrator(new MigrationOptions { Through = "0028" }).MigrateAsync(connectionString, NoPasswords, CancellationToken.None, applyFunctionFiles: false);
        await ExecuteAsync(connectionString, SeedDeliveries);

        // A transaction holding SHARE on the deliveries, as a long report would hold a lock: the build waits for it.
        await using var holder = new NpgsqlConnection(connectionString);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await new NpgsqlCommand("LOCK TABLE notify.ent_notification_delivery IN SHARE MODE", holder, transaction).ExecuteNonQueryAsync();

        var log = new ListLogger();
        var options = new MigrationOptions
        {
            ConcurrentLockTimeout = TimeSpan.FromMilliseconds(200),
            LockRetryDelay = TimeSpan.FromMilliseconds(100),
            LockAttempts = 100,
        };
        var migrating = Migrator(options, log).MigrateAsync(connectionString, NoPasswords, CancellationToken.None);
        await log.WaitForRetryAsync("0029_deliveries_by_subscriber");
        Assert.False(migrating.IsCompleted);
        await transaction.CommitAsync();

        var applied = await migrating;

        // Later scripts (other issues' ranges) follow; the ones under test come first, in order.
        Assert.Equal(["XNovu.MigrationService.Migrations.0029_deliveries_by_subscriber.sql", "XNovu.MigrationService.Migrations.0030_console_key_ring.sql"], applied.Take(2));
        Assert.Equal([(NewIndex, true)], await IndexesAsync(connectionString));
        Assert.Contains(log.Lines, l => l.Contains("outside a transaction: CREATE INDEX CONCURRENTLY", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_build_that_failed_half_way_leaves_an_invalid_index_which_the_next_run_replaces()
    {
        var connectionString = postgres.ConnectionString("online_invalid");
        await Migrator(new MigrationOptions { Through = "0028" }).MigrateAsync(connectionString, NoPasswords, CancellationToken.None, applyFunctionFiles: false);
        await ExecuteAsync(connectionString, SeedDeliveries);

        // What a failed CONCURRENTLY build leaves: an INVALID index of the script's name (here a unique one that the
        // duplicates break), and the script not journaled.
        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connectionString,
            $"CREATE UNIQUE INDEX CONCURRENTLY {NewIndex} ON notify.ent_notification_delivery (enterprise_id)"));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
        Assert.Contains((NewIndex, false), await IndexesAsync(connectionString));

        // Through 0050: after it the deliveries become a partitioned table (0053) and the index a partition's.
        await Migrator(new MigrationOptions { Through = "0050" }).MigrateAsync(connectionString, NoPasswords, CancellationToken.None, applyFunctionFiles: false);

        Assert.Equal([(NewIndex, true)], await IndexesAsync(connectionString));
        Assert.Equal("CREATE INDEX ix_delivery_subscriber ON notify.ent_notification_delivery USING btree (enterprise_id, subscriber_id)",
            await ScalarAsync(connectionString, $"SELECT pg_get_indexdef('notify.{NewIndex}'::regclass)"));
    }

    [Fact]
    public async Task A_script_in_a_transaction_asks_for_its_locks_with_nowait_so_nobody_queues_behind_it()
    {
        var connectionString = postgres.ConnectionString("online_nowait");
        await Migrator(new MigrationOptions { Through = "0027" }).MigrateAsync(connectionString, NoPasswords, CancellationToken.None, applyFunctionFiles: false);

        // 0028 alters enterprise_api_key (ACCESS EXCLUSIVE) while a reader holds the table. Asked for the plain way,
        // the lock would queue, and every key lookup with it, for up to LockTimeout (here 3 s).
        await using var reader = new NpgsqlConnection(connectionString);
        await reader.OpenAsync();
        await using var transaction = await reader.BeginTransactionAsync();
        await new NpgsqlCommand("SELECT count(*) FROM notify.enterprise_api_key", reader, transaction).ExecuteScalarAsync();

        var log = new ListLogger();
        var options = new MigrationOptions { LockTimeout = TimeSpan.FromSeconds(3), LockNowaitWindow = TimeSpan.FromMinutes(1) };
        var migrating = Migrator(options, log).MigrateAsync(connectionString, NoPasswords, CancellationToken.None);
        await Eventually.WaitForAsync(
            () => Task.FromResult<bool?>(log.Lines.Any(l => l.Contains("0028_api_key_expiry.sql: a table it locks is busy", StringComparison.Ordinal))),
            busy => busy == true, TimeSpan.FromSeconds(30), "0028 to be refused its lock");

        // While it keeps asking, other readers never wait for it: each is answered within its own 200 ms lock_timeout.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var reads = 0;
        await using (var other = new NpgsqlConnection(connectionString))
        {
            await other.OpenAsync();
            while (clock.Elapsed < TimeSpan.FromSeconds(1.5))
            {
                await new NpgsqlCommand("SET lock_timeout = '200ms'; SELECT count(*) FROM notify.enterprise_api_key", other).ExecuteScalarAsync();
                reads++;
            }
        }

        Assert.False(migrating.IsCompleted);
        await transaction.CommitAsync();
        var applied = await migrating;

        Assert.True(reads > 10, $"{reads} reads");
        Assert.Equal("0028_api_key_expiry", applied.Select(DatabaseMigrator.ScriptFileName).First());
        Assert.Contains(log.Lines, l => l.Contains("0028_api_key_expiry.sql: its locks were granted after", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_script_in_a_transaction_gives_up_its_lock_wait_and_is_retried()
    {
        var connectionString = postgres.ConnectionString("online_transactional");
        // Without the function files: today's find_api_key answers 0028's column, which 0027's schema cannot hold.
        await Migrator(new MigrationOptions { Through = "0027" }).MigrateAsync(connectionString, NoPasswords, CancellationToken.None, applyFunctionFiles: false);

        // 0028 alters enterprise_api_key (ACCESS EXCLUSIVE). Queued behind this reader, it would hold every key lookup
        // behind it: it gives up after LockTimeout instead, and tries again.
        await using var reader = new NpgsqlConnection(connectionString);
        await reader.OpenAsync();
        await using var transaction = await reader.BeginTransactionAsync();
        await new NpgsqlCommand("SELECT count(*) FROM notify.enterprise_api_key", reader, transaction).ExecuteScalarAsync();

        var log = new ListLogger();
        // NOWAIT off: the plain way (lock_timeout and retries) is what a script falls back to past LockNowaitWindow.
        var options = new MigrationOptions { LockTimeout = TimeSpan.FromMilliseconds(100), LockRetryDelay = TimeSpan.FromMilliseconds(100), LockAttempts = 100, LockNowaitWindow = TimeSpan.Zero };
        var migrating = Migrator(options, log).MigrateAsync(connectionString, NoPasswords, CancellationToken.None);

        // Another reader of the table waits at most one LockTimeout behind the queued ALTER, not until the first reader ends.
        await log.WaitForRetryAsync("0028_api_key_expiry");
        await using (var other = new NpgsqlConnection(connectionString))
        {
            await other.OpenAsync();
            await new NpgsqlCommand("SET lock_timeout = '2s'; SELECT count(*) FROM notify.enterprise_api_key", other).ExecuteScalarAsync();
        }

        await transaction.CommitAsync();
        var applied = await migrating;

        Assert.Equal(["0028_api_key_expiry", "0029_deliveries_by_subscriber", "0030_console_key_ring"], applied.Select(DatabaseMigrator.ScriptFileName).Take(3));
        Assert.Equal("timestamp with time zone", await ScalarAsync(connectionString,
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'notify.enterprise_api_key'::regclass AND attname = 'expires_at'"));
    }

    [Fact]
    public async Task Through_names_a_script_or_fails()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Migrator(new MigrationOptions { Through = "9999" })
            .MigrateAsync(postgres.ConnectionString("online_through"), NoPasswords, CancellationToken.None));

        Assert.Contains("9999", error.Message, StringComparison.Ordinal);
    }

    /// <summary>An enterprise with 2,000 delivered notifications, inserted as another system would (the trigger makes the deliveries).</summary>
    private const string SeedDeliveries =
        """
        INSERT INTO notify.enterprise (id, name) VALUES ('00000000-0000-0000-0000-000000000029', 'online migrations');
        INSERT INTO notify.ent_notification (enterprise_id, workflow_key, recipients)
        SELECT '00000000-0000-0000-0000-000000000029', 'default-sms', jsonb_build_array('subscriber-' || (i % 100))
        FROM generate_series(1, 2000) AS i;
        """;

    private static DatabaseMigrator Migrator(MigrationOptions options, ILogger<DatabaseMigrator>? logger = null) =>
        new(logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<DatabaseMigrator>.Instance, options);

    private static async Task<List<(string Name, bool Valid)>> IndexesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"""
            SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE c.relname IN ('{NewIndex}', '{OldIndex}') ORDER BY c.relname
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var indexes = new List<(string, bool)>();
        while (await reader.ReadAsync())
        {
            indexes.Add((reader.GetString(0), reader.GetBoolean(1)));
        }

        return indexes;
    }

    private sealed class ListLogger : ILogger<DatabaseMigrator>
    {
        private readonly List<string> lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (lines)
                {
                    return [.. lines];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public Task WaitForRetryAsync(string script) =>
            Eventually.WaitForAsync(
                () => Task.FromResult<bool?>(Lines.Any(l => l.Contains(script, StringComparison.Ordinal) && l.Contains("trying again", StringComparison.Ordinal))),
                retried => retried == true, TimeSpan.FromSeconds(30), $"{script} to retry its lock");

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (lines)
            {
                lines.Add(formatter(state, exception));
            }
        }
    }
}
