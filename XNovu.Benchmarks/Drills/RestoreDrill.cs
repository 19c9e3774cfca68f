using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Npgsql;
using XNovu.AppHost.Infrastructure;

namespace XNovu.Benchmarks.Drills;

/// <summary>
/// The restore drill (<c>dotnet run -c Release --project XNovu.Benchmarks -- restore-drill</c>): point-in-time
/// recovery of the local cluster, end to end. The AppHost's PostgreSQL archives every WAL segment; the drill takes
/// a base backup, keeps triggering through the API, marks a recovery point, triggers more, destroys the cluster
/// (the whole app stops and its data folder is deleted), restores the base backup with the archive to the point,
/// and checks that every notification acknowledged (202) before the point is there and none after it. It prints
/// the recovery time (restored server started to read-write) and how much was written after the point.
/// </summary>
public static class RestoreDrill
{
    private const string RestorePoint = "xnovu-restore-drill";

    public static async Task<int> RunAsync(BenchmarkSettings settings, CancellationToken cancellationToken)
    {
        var work = Path.Combine(Path.GetTempPath(), $"xnovu-drill-{Guid.NewGuid():N}"[..24]);
        var archive = Path.Combine(work, "archive");
        var backup = Path.Combine(work, "backup");
        var restored = Path.Combine(work, "restored");
        Directory.CreateDirectory(work);
        LocalPostgresExtensions.GiveToServiceUser(work);
        Console.WriteLine($"Restore drill in {work}");

        var before = new List<string>();
        var after = new List<string>();
        string password;
        Guid enterpriseId;
        var phase = Stopwatch.StartNew();
        settings.AppHostArgs = $"{settings.AppHostArgs};XNovu:Local:WalArchivePath={archive}";
        var app = await BenchmarkApp.StartAsync(settings, cancellationToken);
        string database;
        await using (app)
        {
            Report.Line($"AppHost started with WAL archiving in {phase.Elapsed.TotalSeconds:0} s");
            var server = await app.Distributed.GetConnectionStringAsync(XNovuInfrastructureExtensions.PostgresName, cancellationToken)
                ?? throw new InvalidOperationException("postgres has no connection string.");
            password = new NpgsqlConnectionStringBuilder(server).Password!;
            database = new NpgsqlConnectionStringBuilder(app.OwnerConnectionString).Database!;
            var enterprise = await app.CreateEnterpriseAsync("restore-drill", 8, cancellationToken);
            enterpriseId = enterprise.Id;

            await TriggerAsync(enterprise, "base", settings.DrillTriggers, before, cancellationToken);
            Report.Line($"{before.Count} notifications acknowledged before the base backup");

            phase.Restart();
            BaseBackup(server, backup);
            Report.Line($"base backup taken in {phase.Elapsed.TotalSeconds:0.0} s ({DirectorySize(backup) / 1024 / 1024:N0} MB)");

            await TriggerAsync(enterprise, "pitr", settings.DrillTriggers, before, cancellationToken);
            var (lsn, segment) = await CreateRestorePointAsync(server, cancellationToken);
            Report.Line($"{before.Count} acknowledged before the recovery point '{RestorePoint}' at {lsn}");
            await TriggerAsync(enterprise, "after", settings.DrillTriggers, after, cancellationToken);
            Report.Line($"{after.Count} acknowledged after it (the point in time chosen excludes them)");
            await WaitArchivedAsync(server, segment, cancellationToken);
            Report.Line($"WAL archived up to {segment}");
        }

        // Destroyed: the app stopped its servers and deleted its data folder.
        Report.Line($"cluster destroyed: data folder {(Directory.Exists(app.DataPath) ? "still there" : "gone")}");

        phase.Restart();
        var port = LocalProcess.FreeLoopbackPort();
        using var postgres = StartRestored(backup, restored, archive, port);
        var connection = $"Host=127.0.0.1;Port={port};Username=postgres;Password={password};Database={database};Pooling=false;Timeout=2";
        try
        {
            await WaitReadWriteAsync(connection, postgres, cancellationToken);
            var recovery = phase.Elapsed;
            var found = await TransactionIdsAsync(connection, enterpriseId, cancellationToken);
            var missing = before.Count(id => !found.Contains(id));
            var beyond = after.Count(found.Contains);
            Report.Section("Restore drill");
            Report.Line($"recovery time (restored server start to read-write at the point): {recovery.TotalSeconds:0.0} s");
            Report.Line($"acknowledged before the point: {before.Count}, restored {before.Count - missing}, missing {missing}");
            Report.Line($"acknowledged after the point: {after.Count}, restored {beyond} (expected 0: recovery stops at the point)");
            var met = missing == 0 && beyond == 0 && before.Count > 0;
            Report.Line(met ? "every notification acknowledged before the recovery point was recovered — target met" : "TARGET MISSED");
            return met ? 0 : 1;
        }
        finally
        {
            postgres.Kill(entireProcessTree: true);
            await postgres.WaitForExitAsync(CancellationToken.None);
            TryDelete(work);
        }
    }

    private static async Task TriggerAsync(BenchEnterprise enterprise, string prefix, int count, List<string> acknowledged, CancellationToken cancellationToken)
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var transactionId = $"{prefix}-{run}-{i.ToString(CultureInfo.InvariantCulture)}";
            using var answer = await enterprise.Client.PostAsJsonAsync(
                "/api/trigger", new { workflowId = "default-sms", to = $"drill-{i}", transactionId, payload = new { body = "drill" } }, ct);
            if (answer.StatusCode == HttpStatusCode.Accepted)
            {
                lock (acknowledged)
                {
                    acknowledged.Add(transactionId);
                }
            }
        });
    }

    /// <summary><c>pg_basebackup</c> as the server's user, without WAL: recovery takes it from the archive.</summary>
    private static void BaseBackup(string server, string backup)
    {
        var builder = new NpgsqlConnectionStringBuilder(server);
        var (command, prefix) = LocalPostgresExtensions.AsServiceUser(Path.Combine(LocalPostgresExtensions.FindBinDirectory(), "pg_basebackup"));
        LocalProcess.Run(command, [
            .. prefix,
            "-d", $"host={builder.Host} port={builder.Port} user={builder.Username} password={builder.Password}",
            "-D", backup, "-X", "none", "-c", "fast", "--no-sync",
        ], timeout: TimeSpan.FromMinutes(10));
    }

    private static async Task<(string Lsn, string Segment)> CreateRestorePointAsync(string server, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync(cancellationToken);
        await using var point = new NpgsqlCommand(
            $"SELECT lsn::text, pg_walfile_name(lsn) FROM pg_create_restore_point('{RestorePoint}') AS lsn", connection);
        await using var reader = await point.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetString(0), reader.GetString(1));
    }

    /// <summary>Closes the current segment and waits until the archiver has copied the one holding the point.</summary>
    private static async Task WaitArchivedAsync(string server, string segment, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync(cancellationToken);
        await using (var switchWal = new NpgsqlCommand("SELECT pg_switch_wal()", connection))
        {
            await switchWal.ExecuteScalarAsync(cancellationToken);
        }

        await using var archived = new NpgsqlCommand("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver", connection);
        var deadline = Stopwatch.StartNew();
        while (string.CompareOrdinal((string)(await archived.ExecuteScalarAsync(cancellationToken))!, segment) < 0)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException($"WAL segment {segment} was not archived within 2 minutes.");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>The base backup in a new folder, told to replay the archive up to the point and open read-write.</summary>
    private static Process StartRestored(string backup, string restored, string archive, int port)
    {
        LocalProcess.Run("cp", ["-a", backup, restored]);
        File.AppendAllText(Path.Combine(restored, "postgresql.auto.conf"), $"""

            restore_command = 'cp "{archive}/%f" "%p"'
            recovery_target_name = '{RestorePoint}'
            recovery_target_action = 'promote'

            """);
        File.WriteAllText(Path.Combine(restored, "recovery.signal"), string.Empty);
        LocalPostgresExtensions.GiveToServiceUser(restored);
        var (command, prefix) = LocalPostgresExtensions.AsServiceUser(Path.Combine(LocalPostgresExtensions.FindBinDirectory(), "postgres"));
        var start = new ProcessStartInfo(command, [
            .. prefix, "-D", restored, "-p", port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "archive_mode=off",
            // Recovery refuses settings lower than the server that wrote the WAL (the AppHost's allows 200 connections).
            "-c", "max_connections=200",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("The restored server did not start.");
        process.OutputDataReceived += (_, line) => Remember(line.Data);
        process.ErrorDataReceived += (_, line) => Remember(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static readonly Queue<string> ServerLog = new();

    private static void Remember(string? line)
    {
        lock (ServerLog)
        {
            if (line is not null)
            {
                ServerLog.Enqueue(line);
            }

            while (ServerLog.Count > 20)
            {
                ServerLog.Dequeue();
            }
        }
    }

    private static async Task WaitReadWriteAsync(string connection, Process postgres, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (postgres.HasExited)
            {
                lock (ServerLog)
                {
                    throw new InvalidOperationException($"The restored server exited with {postgres.ExitCode}: {string.Join(Environment.NewLine, ServerLog)}");
                }
            }

            try
            {
                await using var open = new NpgsqlConnection(connection);
                await open.OpenAsync(cancellationToken);
                await using var recovering = new NpgsqlCommand("SELECT pg_is_in_recovery()", open);
                if (!(bool)(await recovering.ExecuteScalarAsync(cancellationToken))!)
                {
                    return;
                }
            }
            catch (NpgsqlException) when (deadline.Elapsed < TimeSpan.FromMinutes(5))
            {
                // starting up, or still replaying the archive
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static async Task<HashSet<string>> TransactionIdsAsync(string connection, Guid enterpriseId, CancellationToken cancellationToken)
    {
        await using var open = new NpgsqlConnection(connection);
        await open.OpenAsync(cancellationToken);
        await using var select = new NpgsqlCommand("SELECT transaction_id FROM notify.ent_notification WHERE enterprise_id = @e", open);
        select.Parameters.AddWithValue("e", enterpriseId);
        var found = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(reader.GetString(0));
        }

        return found;
    }

    private static long DirectorySize(string path) =>
        new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    private static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // the temp directory is cleaned by the machine
        }
    }
}
