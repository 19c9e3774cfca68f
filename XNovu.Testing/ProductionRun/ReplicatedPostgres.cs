using Npgsql;

namespace XNovu.Testing.ProductionRun;

/// <summary>
/// Two PostgreSQL servers on this machine as a primary and its streaming standby (docs/operations.md, "Production
/// topology"), built from <see cref="LocalServers"/>: a fresh cluster, a standby copied from it with
/// <c>pg_basebackup</c>, synchronous (the primary's <c>synchronous_standby_names = '*'</c>: a commit returns once the
/// standby has flushed it) or asynchronous. The harness plays the failover manager: it loses the primary's machine
/// (SIGKILL to the server and every backend), promotes the standby (<c>pg_promote()</c>), and rejoins the old
/// primary as the new one's standby (<c>pg_rewind</c>, or a fresh <c>pg_basebackup</c> when the rewind fails).
/// </summary>
/// <remarks>
/// Between the promotion and the rejoin the new primary has no standby and commits alone, as Patroni's
/// non-strict synchronous mode does; requiring a standby there would stop every write until one rejoins.
/// </remarks>
public sealed class ReplicatedPostgres : IAsyncDisposable
{
    /// <summary>pg_rewind needs hint bits in the WAL; the standby keeps enough WAL to catch up after the rejoin.</summary>
    private static readonly string[] Common = ["wal_log_hints=on", "wal_keep_size=512MB", "hot_standby=on"];

    private readonly string directory;
    private readonly string password;
    private readonly bool synchronous;
    private readonly int maxConnections;
    private readonly Node[] nodes;

    private ReplicatedPostgres(string directory, string password, bool synchronous, int maxConnections, Node[] nodes)
    {
        this.directory = directory;
        this.password = password;
        this.synchronous = synchronous;
        this.maxConnections = maxConnections;
        this.nodes = nodes;
    }

    private sealed class Node(string name, int port, string directory)
    {
        public string Name { get; } = name;
        public int Port { get; } = port;
        public string Directory { get; } = directory;
        public string Data => Path.Combine(Directory, "pgdata");
        public RunProcess? Server { get; set; }
    }

    /// <summary>Which node is the primary now (0 or 1).</summary>
    public int Primary { get; private set; }

    public bool Synchronous => synchronous;

    /// <summary>Both servers as Npgsql names several hosts: <c>Host=127.0.0.1:a,127.0.0.1:b</c>, the first primary at the start.</summary>
    public string Hosts => $"Host={string.Join(',', nodes.Select(n => $"127.0.0.1:{n.Port}"))}";

    /// <summary>The superuser on the current primary (one host): what the harness counts with.</summary>
    public string OwnerOnPrimary(string database = "xnovu") =>
        $"Host=127.0.0.1;Port={nodes[Primary].Port};Username=postgres;Password={password};Database={database};Pooling=false;Timeout=60;Command Timeout=120";

    /// <summary>The superuser on the current standby (one host).</summary>
    public string OwnerOnStandby(string database = "xnovu") =>
        $"Host=127.0.0.1;Port={nodes[1 - Primary].Port};Username=postgres;Password={password};Database={database};Pooling=false;Timeout=60";

    private string Owner(Node node, string database = "postgres") =>
        $"Host=127.0.0.1;Port={node.Port};Username=postgres;Password={password};Database={database};Pooling=false;Timeout=60";

    private string Conninfo(Node node) => $"host=127.0.0.1 port={node.Port} user=postgres password={password} dbname=postgres";

    public static async Task<ReplicatedPostgres> StartAsync(
        string directory, string password, bool synchronous, int maxConnections, CancellationToken cancellationToken)
    {
        var nodes = new[]
        {
            new Node("postgres-a", LocalServers.FreePort(), Path.Combine(directory, "postgres-a")),
            new Node("postgres-b", LocalServers.FreePort(), Path.Combine(directory, "postgres-b")),
        };
        var cluster = new ReplicatedPostgres(directory, password, synchronous, maxConnections, nodes);
        nodes[0].Server = await LocalServers.StartPostgresAsync(nodes[0].Directory, nodes[0].Port, password, cancellationToken, maxConnections,
            [.. Common, .. synchronous ? new[] { "synchronous_standby_names=*" } : []]);
        // Also in the cluster's own configuration (copied to the standby): pg_rewind's crash recovery of a killed
        // primary runs without our -c settings, and would otherwise record wal_log_hints off.
        await using (var connection = new NpgsqlConnection(cluster.Owner(nodes[0])))
        {
            await connection.OpenAsync(cancellationToken);
            await using var hints = new NpgsqlCommand("ALTER SYSTEM SET wal_log_hints = on", connection);
            await hints.ExecuteNonQueryAsync(cancellationToken);
        }

        await cluster.CopyAsStandbyAsync(nodes[1], nodes[0], cancellationToken);
        await cluster.WaitStreamingAsync(synchronous ? "streaming sync" : "streaming async", cancellationToken);
        return cluster;
    }

    /// <summary>The standby's view: whether each of the primary's standbys streams, and as what (<c>sync</c>, <c>async</c>).</summary>
    public async Task<IReadOnlyList<string>> ReplicationAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(Owner(nodes[Primary]));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT state || ' ' || sync_state FROM pg_stat_replication", connection);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    /// <summary>Loses the primary's machine: SIGKILL to the server and its backends at once, nothing flushed or said goodbye.</summary>
    public async Task KillPrimaryAsync() => await nodes[Primary].Server!.KillAsync();

    /// <summary>Promotes the standby (as a failover manager would, once the primary is found dead) and waits until it writes.</summary>
    public async Task PromoteAsync(CancellationToken cancellationToken)
    {
        var standby = 1 - Primary;
        await using (var connection = new NpgsqlConnection(Owner(nodes[standby])))
        {
            await connection.OpenAsync(cancellationToken);
            await using var promote = new NpgsqlCommand("SELECT pg_promote(true, 60)", connection);
            if (await promote.ExecuteScalarAsync(cancellationToken) is not true)
            {
                throw new InvalidOperationException($"{nodes[standby].Name} was not promoted within 60 s");
            }
        }

        Primary = standby;
    }

    /// <summary>
    /// Rejoins the lost primary as the new primary's standby: <c>pg_rewind</c> (which first recovers the crashed
    /// cluster) or, when the rewind fails, a fresh <c>pg_basebackup</c>; then, with synchronous replication, makes it
    /// the new primary's synchronous standby again. Answers how it rejoined.
    /// </summary>
    public async Task<string> RejoinAsync(CancellationToken cancellationToken)
    {
        var old = nodes[1 - Primary];
        await old.Server!.DisposeAsync();
        string how;
        // The promoted server writes its new timeline to its control file at its next checkpoint; until then pg_rewind
        // reads both clusters as on timeline 1, answers "no rewind required", and the old primary, ahead of the fork
        // by the commits its standby never confirmed, cannot follow the new timeline.
        await using (var connection = new NpgsqlConnection(Owner(nodes[Primary])))
        {
            await connection.OpenAsync(cancellationToken);
            await using var checkpoint = new NpgsqlCommand("CHECKPOINT", connection) { CommandTimeout = 120 };
            await checkpoint.ExecuteNonQueryAsync(cancellationToken);
        }

        // pg_rewind first recovers the crashed cluster in single-user mode, which reads postgresql.conf but not the
        // settings the servers are started with: without wal_keep_size there, its checkpoint recycles the WAL the
        // rewind then needs to find where the servers diverged.
        File.AppendAllLines(Path.Combine(old.Data, "postgresql.conf"), Common.Select(c => c.Replace("=", " = '", StringComparison.Ordinal) + "'"));
        try
        {
            LocalServers.RunAsPostgres("pg_rewind", ["--target-pgdata", old.Data, "--source-server", Conninfo(nodes[Primary]), "--write-recovery-conf"]);
            old.Server = await LocalServers.StartServerAsync($"{old.Name}-rejoined", old.Directory, old.Data, old.Port, cancellationToken, maxConnections, Common);
            how = "pg_rewind";
        }
        catch (InvalidOperationException e)
        {
            File.AppendAllText(Path.Combine(old.Directory, "rejoin.log"), e.Message + Environment.NewLine);
            Directory.Delete(old.Data, recursive: true);
            await CopyAsStandbyAsync(old, nodes[Primary], cancellationToken);
            how = "pg_basebackup (pg_rewind failed: see rejoin.log)";
        }

        // Synchronous only once it streams: a standby still catching up (a fresh base backup, a rewind's WAL) would
        // hold every commit on the primary until it has replayed its way to the present.
        await WaitStreamingAsync("streaming async", cancellationToken);
        if (synchronous)
        {
            await using var connection = new NpgsqlConnection(Owner(nodes[Primary]));
            await connection.OpenAsync(cancellationToken);
            await using var setting = new NpgsqlCommand("ALTER SYSTEM SET synchronous_standby_names = '*'; SELECT pg_reload_conf()", connection);
            await setting.ExecuteNonQueryAsync(cancellationToken);
        }

        await WaitStreamingAsync(synchronous ? "streaming sync" : "streaming async", cancellationToken);
        return how;
    }

    private async Task CopyAsStandbyAsync(Node standby, Node primary, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(standby.Directory);
        LocalServers.OwnAsPostgres(standby.Directory);
        LocalServers.RunAsPostgres("pg_basebackup", ["-d", Conninfo(primary), "-D", standby.Data, "-R", "-X", "stream", "--no-sync", "-c", "fast"]);
        standby.Server = await LocalServers.StartServerAsync(standby.Name, standby.Directory, standby.Data, standby.Port, cancellationToken, maxConnections, Common);
    }

    /// <summary>Waits until the primary sees its standby in <paramref name="expected"/> (<c>streaming sync</c>, <c>streaming async</c>).</summary>
    private async Task WaitStreamingAsync(string expected, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await ReplicationAsync(cancellationToken)).Contains(expected))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"the standby is not '{expected}' after 60 s (see {directory}/postgres-*/*.log)");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in nodes)
        {
            if (node.Server is { } server)
            {
                await server.DisposeAsync();
            }
        }
    }
}
