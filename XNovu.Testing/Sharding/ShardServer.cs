using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using XNovu.MigrationService;
using XNovu.Testing.ProductionRun;

namespace XNovu.Testing.Sharding;

/// <summary>
/// A PostgreSQL server of its own for one or more shards of the two-database prototype (issue 32): a fresh cluster on
/// a free loopback port (<see cref="LocalServers"/>), whose databases the real migrator makes, with the services'
/// login roles (<c>xnovu_api</c>, <c>xnovu_dispatcher</c>) given passwords as the AppHost gives them.
/// </summary>
public sealed class ShardServer : IAsyncDisposable
{
    private readonly string directory;
    private readonly string superPassword = LocalServers.NewPassword();
    private readonly Dictionary<string, string> passwords = new()
    {
        [DatabaseMigrator.ApiRole] = LocalServers.NewPassword(),
        [DatabaseMigrator.DispatcherRole] = LocalServers.NewPassword(),
    };

    private RunProcess? server;

    private ShardServer(string name)
    {
        Name = name;
        directory = Path.Combine(Path.GetTempPath(), $"xnovu-shard-{name}-{Guid.NewGuid():N}"[..40]);
        Port = LocalServers.FreePort();
    }

    public string Name { get; }

    public int Port { get; }

    /// <summary>Starts a fresh cluster; <paramref name="settings"/> are more <c>-c</c> settings.</summary>
    public static async Task<ShardServer> StartAsync(string name, CancellationToken cancellationToken, IEnumerable<string>? settings = null)
    {
        var shard = new ShardServer(name);
        shard.server = await LocalServers.StartPostgresAsync(shard.directory, shard.Port, shard.superPassword, cancellationToken, settings: settings);
        return shard;
    }

    /// <summary>Creates <paramref name="database"/> and migrates it with the real migrator (every script, every function file).</summary>
    public async Task<ShardDatabase> MigrateAsync(string shard, string database, CancellationToken cancellationToken)
    {
        var owner = ConnectionString(database, "postgres", superPassword);
        await new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance, new MigrationOptions())
            .MigrateAsync(owner, passwords, cancellationToken);
        return new ShardDatabase(
            shard,
            owner,
            ConnectionString(database, DatabaseMigrator.ApiRole, passwords[DatabaseMigrator.ApiRole]),
            ConnectionString(database, DatabaseMigrator.DispatcherRole, passwords[DatabaseMigrator.DispatcherRole]));
    }

    /// <summary>
    /// CPU seconds the server has used so far: the postmaster's, its live backends' and those of the children it has
    /// reaped (<c>/proc</c>, Linux only). The cost of work on a shard, whatever share of a busy machine it got.
    /// </summary>
    public double CpuSeconds()
    {
        if (server is null || server.HasExited)
        {
            return 0;
        }

        var postmaster = server.Id;
        var ticks = 0L;
        foreach (var entry in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid))
            {
                continue;
            }

            try
            {
                // Fields after the command's closing parenthesis: state ppid ... utime(14) stime(15) cutime(16) cstime(17).
                var stat = File.ReadAllText(Path.Combine(entry, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var parent = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
                if (pid == postmaster || parent == postmaster)
                {
                    ticks += Enumerable.Range(11, pid == postmaster ? 4 : 2)
                        .Sum(i => long.Parse(fields[i], System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            catch (IOException)
            {
                // the process ended meanwhile
            }
        }

        return ticks / 100.0;
    }

    /// <summary>
    /// The shard's database made unavailable as when its machine is lost: the server and its backends killed at once,
    /// the open connections broken and the port refusing new ones.
    /// </summary>
    public async Task KillAsync()
    {
        if (server is not null)
        {
            await server.KillAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
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

    private string ConnectionString(string database, string user, string password) =>
        $"Host=127.0.0.1;Port={Port};Username={user};Password={password};Database={database};Timeout=5;Command Timeout=60";
}
