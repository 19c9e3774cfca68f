using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace XNovu.Benchmarks;

/// <summary>What pgbench reported for one run.</summary>
public sealed record PgBenchResult(double TransactionsPerSecond, long Transactions, long Failed, string Command);

/// <summary>
/// The ingest baseline: pgbench inserting the same notification row the trigger API inserts, one per
/// transaction, as <c>xnovu_app</c> with the enterprise set for the transaction (so row-level security
/// and the delivery trigger do the same work), at the same concurrency.
/// </summary>
public static partial class PgBench
{
    public static string Locate(string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        var candidates = new List<string>();
        if (Run("pg_config", "--bindir") is { Length: > 0 } bindir)
        {
            candidates.Add(Path.Combine(bindir.Trim(), "pgbench"));
        }

        if (System.IO.Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(System.IO.Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => d, StringComparer.Ordinal)
                .Select(d => Path.Combine(d, "bin", "pgbench")));
        }

        return candidates.FirstOrDefault(File.Exists) ?? "pgbench";
    }

    /// <summary>
    /// The script: one transaction that names the enterprise and inserts one PENDING notification with
    /// one recipient and a fresh transaction id, exactly the statement shape of <c>POST /api/trigger</c>
    /// without its lookups (workflow, idempotency key), which have no SQL-only equivalent.
    /// </summary>
    public static string Script(Guid enterpriseId) =>
        $$"""
        BEGIN;
        SELECT set_config('app.current_enterprise_id', '{{enterpriseId}}', true);
        WITH k AS (
            INSERT INTO notify.notification_transaction (enterprise_id, transaction_id, notification_id)
            VALUES ('{{enterpriseId}}', gen_random_uuid()::text, notify.new_notification_id())
            ON CONFLICT (enterprise_id, transaction_id) DO NOTHING
            RETURNING transaction_id, notification_id)
        INSERT INTO notify.ent_notification (id, enterprise_id, workflow_key, notification_status, payload, recipients, transaction_id)
        OVERRIDING SYSTEM VALUE
        SELECT k.notification_id, '{{enterpriseId}}', 'default-sms', 'PENDING', '{"body":"Benchmark message"}'::jsonb, '["bench-pgbench"]'::jsonb, k.transaction_id
        FROM k
        ON CONFLICT DO NOTHING
        RETURNING id;
        COMMIT;

        """;

    /// <summary>
    /// The plain anchor: a durable insert of a notification-shaped row into a table with only its primary key
    /// (no row-level security, no partial unique index, no trigger), one delivery row and a NOTIFY, in one
    /// transaction. What one notification costs the database at the least, on this machine, in this run.
    /// </summary>
    public const string PlainScript =
        """
        BEGIN;
        WITH n AS (
            INSERT INTO xnovu_bench.plain_notification (enterprise_id, workflow_key, status, payload, recipients, transaction_id)
            VALUES ('00000000-0000-0000-0000-000000000001', 'default-sms', 'PENDING', '{"body":"Benchmark message"}'::jsonb, '["bench-plain"]'::jsonb, gen_random_uuid()::text)
            RETURNING id, transaction_id)
        INSERT INTO xnovu_bench.plain_delivery (notification_id, subscriber_id, transaction_id) SELECT id, 'bench-plain', transaction_id FROM n;
        SELECT pg_notify('xnovu_bench_plain', '');
        COMMIT;

        """;

    /// <summary>Creates the plain anchor's two tables (as the database owner), outside the application's schema.</summary>
    public static async Task PreparePlainAsync(string ownerConnectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ownerConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            CREATE SCHEMA IF NOT EXISTS xnovu_bench;
            CREATE TABLE IF NOT EXISTS xnovu_bench.plain_notification (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, enterprise_id uuid NOT NULL, workflow_key text NOT NULL,
                status text NOT NULL, payload jsonb, recipients jsonb, transaction_id text, created_at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE IF NOT EXISTS xnovu_bench.plain_delivery (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, notification_id bigint NOT NULL, subscriber_id text NOT NULL,
                transaction_id text, created_at timestamptz NOT NULL DEFAULT now());
            """,
            connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static Task<PgBenchResult> RunAsync(
        string pgbench, string connectionString, Guid enterpriseId, int clients, int threads, int transactionsPerClient, CancellationToken cancellationToken) =>
        RunScriptAsync(pgbench, connectionString, Script(enterpriseId), clients, threads, transactionsPerClient, cancellationToken);

    public static async Task<PgBenchResult> RunScriptAsync(
        string pgbench, string connectionString, string script, int clients, int threads, int transactionsPerClient, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnectionStringBuilder(connectionString);
        var scriptPath = Path.Combine(Path.GetTempPath(), $"xnovu-bench-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(scriptPath, script, cancellationToken);
        try
        {
            // -n: no vacuum of pgbench's own tables (there are none); -M extended: Npgsql's protocol.
            string[] arguments =
            [
                "-n", "-M", "extended",
                "-c", clients.ToString(CultureInfo.InvariantCulture),
                "-j", threads.ToString(CultureInfo.InvariantCulture),
                "-t", transactionsPerClient.ToString(CultureInfo.InvariantCulture),
                "-f", scriptPath,
                "-h", connection.Host!,
                "-p", connection.Port.ToString(CultureInfo.InvariantCulture),
                "-U", connection.Username!,
                connection.Database!,
            ];
            var start = new ProcessStartInfo(pgbench)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["PGPASSWORD"] = connection.Password ?? string.Empty;
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{pgbench} did not start.");
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            var text = await output + await error;
            if (process.ExitCode != 0 || TpsLine().Match(text) is not { Success: true } tps)
            {
                throw new InvalidOperationException($"pgbench failed (exit {process.ExitCode}):{Environment.NewLine}{text}");
            }

            var processed = ProcessedLine().Match(text);
            var failed = FailedLine().Match(text);
            return new PgBenchResult(
                double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture),
                processed.Success ? long.Parse(processed.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
                failed.Success ? long.Parse(failed.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
                $"pgbench {string.Join(' ', arguments.Select(a => a == scriptPath ? "<script>" : a))}");
        }
        finally
        {
            File.Delete(scriptPath);
        }
    }

    public static string Version(string pgbench) => Run(pgbench, "--version")?.Trim() ?? pgbench;

    private static string? Run(string file, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, UseShellExecute = false });
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    // "tps = 1234.567890 (without initial connection time)"
    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsLine();

    [GeneratedRegex(@"number of transactions actually processed: (\d+)")]
    private static partial Regex ProcessedLine();

    [GeneratedRegex(@"number of failed transactions: (\d+)")]
    private static partial Regex FailedLine();
}
