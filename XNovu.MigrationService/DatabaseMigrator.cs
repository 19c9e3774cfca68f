using System.Reflection;
using DbUp;
using DbUp.Engine;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace XNovu.MigrationService;

/// <summary>
/// Applies the SQL scripts embedded under <c>Migrations</c> in name order, each once, each in its own transaction
/// unless its first line is <see cref="NoTransactionMarker"/>; then every file under <c>Functions</c>, on every run,
/// in one transaction: a database function's live body is its function file, not the last numbered script that
/// touched it (Functions/README.md). A session-level advisory lock makes concurrent migrators (several deploys at
/// once) take turns instead of racing. A transactional script first asks for each lock its statements need on an
/// existing table with <c>NOWAIT</c> (<see cref="TableLocks"/>), so that nobody queues behind a lock it waits for;
/// every statement runs under a short <c>lock_timeout</c>, and a script whose lock was refused or timed out is tried
/// again (<see cref="MigrationOptions"/>), so that a migration never holds the
/// services' calls behind it for longer than a moment (docs/operations.md, "Migrations without downtime").
/// </summary>
public sealed partial class DatabaseMigrator(ILogger<DatabaseMigrator> logger, MigrationOptions? options = null)
{
    private readonly MigrationOptions options = options ?? new MigrationOptions();

    // Arbitrary but fixed: "XNOVU" in ASCII.
    private const long AdvisoryLockKey = 0x584E4F5655;
    private const string JournalSchema = "public";
    private const string JournalTable = "xnovu_schema_versions";

    public static Assembly ScriptAssembly => typeof(DatabaseMigrator).Assembly;

    /// <summary>The function files' resource names, in the order they are applied (name order).</summary>
    public static IReadOnlyList<string> FunctionFileNames() =>
        ScriptAssembly.GetManifestResourceNames()
            .Where(IsFunctionFile)
            .Order(StringComparer.Ordinal)
            .ToList();

    public static IReadOnlyList<string> ScriptNames() =>
        ScriptAssembly.GetManifestResourceNames()
            .Where(IsMigrationScript)
            .Order(StringComparer.Ordinal)
            .ToList();

    public const string AppRole = "xnovu_app";
    public const string ApiRole = "xnovu_api";
    public const string DispatcherRole = "xnovu_dispatcher";
    public const string ConsoleRole = "xnovu_console";

    /// <summary>
    /// Applies pending scripts, hands every object of the schema to <c>xnovu_owner</c> (no superuser, so the
    /// SECURITY DEFINER functions run as no superuser), then lets each service role log in with its password.
    /// </summary>
    /// <param name="passwords">Login role to password: <see cref="AppRole"/>, <see cref="ApiRole"/>, <see cref="DispatcherRole"/>, <see cref="ConsoleRole"/>.</param>
    /// <param name="applyFunctionFiles">False only in tests: the one that compares the numbered scripts' functions with the function files', and those that stop at a schema older than the files.</param>
    public async Task<IReadOnlyList<string>> MigrateAsync(
        string connectionString, IReadOnlyDictionary<string, string> passwords, CancellationToken cancellationToken, bool applyFunctionFiles = true)
    {
        ArgumentNullException.ThrowIfNull(passwords);
        EnsureDatabase.For.PostgresqlDatabase(connectionString, new DbUpLogger(logger));

        await using var lockConnection = new NpgsqlConnection(connectionString);
        await lockConnection.OpenAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", lockConnection))
        {
            take.Parameters.AddWithValue("key", AdvisoryLockKey);
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            var scripts = WithLockTimeout(connectionString);
            var last = LastScriptToApply();
            var pending = Upgrader(scripts, IsMigrationScript).GetScriptsToExecute();
            var applied = new List<string>();
            foreach (var script in pending.TakeWhile(s => string.CompareOrdinal(s.Name, last) <= 0))
            {
                await ApplyAsync(scripts, script, cancellationToken);
                applied.Add(script.Name);
            }

            if (applyFunctionFiles)
            {
                await ApplyFunctionFilesAsync(lockConnection, cancellationToken);
            }

            await using (var handOver = new NpgsqlCommand("CALL public.xnovu_hand_schema_to_owner()", lockConnection))
            {
                await handOver.ExecuteNonQueryAsync(cancellationToken);
            }

            foreach (var (role, password) in passwords)
            {
                // Stopped at an earlier script (Through), a role a later script creates does not exist yet: it gets
                // its password on the run that creates it. On a full run every role exists, and a missing one fails.
                if (!string.IsNullOrEmpty(options.Through) && !await RoleExistsAsync(lockConnection, role, cancellationToken))
                {
                    continue;
                }

                await SetLoginPasswordAsync(lockConnection, role, password, cancellationToken);
            }

            LogApplied(logger, applied.Count);
            return applied;
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", lockConnection);
            release.Parameters.AddWithValue("key", AdvisoryLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// One script, in its transaction or outside any, tried again while its lock times out: a failed attempt rolled
    /// its transaction back (a no-transaction script is written to be run again from its start), and the pause
    /// between attempts lets the calls that queued behind it through.
    /// </summary>
    private async Task ApplyAsync(string connectionString, SqlScript script, CancellationToken cancellationToken)
    {
        var outside = RunsOutsideTransaction(script.Contents);
        var nowait = !outside && options.LockNowaitWindow > TimeSpan.Zero;
        var asking = System.Diagnostics.Stopwatch.StartNew();
        var refusals = 0;
        for (var attempt = 1; ; )
        {
            try
            {
                if (outside)
                {
                    await RunOutsideTransactionAsync(connectionString, script, cancellationToken);
                    Upgrader(connectionString, name => name == script.Name).MarkAsExecuted();
                }
                else
                {
                    var result = Upgrader(connectionString, name => name == script.Name, nowait).PerformUpgrade();
                    if (!result.Successful)
                    {
                        throw result.Error is PostgresException postgres ? postgres : new MigrationFailedException(script.Name, result.Error);
                    }
                }

                if (refusals > 0)
                {
                    LogNowaitGranted(logger, script.Name, refusals, asking.Elapsed.TotalSeconds);
                }

                return;
            }
            catch (PostgresException e) when (nowait && TableLocks.IsNowaitRefusal(e.SqlState, e.MessageText))
            {
                // The table was busy: nothing queued behind the ask. Ask again after a moment, a jittered one so that
                // the ask does not keep landing in the same phase of a periodic writer; past the window, the plain way.
                if (++refusals == 1)
                {
                    LogNowaitRefused(logger, script.Name, options.LockNowaitWindow.TotalSeconds, e.MessageText);
                }

                if (asking.Elapsed >= options.LockNowaitWindow)
                {
                    nowait = false;
                    LogNowaitGaveUp(logger, script.Name, refusals, asking.Elapsed.TotalSeconds, e.MessageText);
                    continue;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 40)), cancellationToken);
            }
            catch (PostgresException e) when (IsLockTimeout(e) && attempt < options.LockAttempts)
            {
                var pause = options.RetryDelay(attempt);
                LogLockTimeout(logger, script.Name, attempt, options.LockAttempts, pause.TotalSeconds, e.MessageText);
                attempt++;
                await Task.Delay(pause, cancellationToken);
            }
            catch (PostgresException e)
            {
                throw new MigrationFailedException(script.Name, e);
            }
        }
    }

    /// <summary>lock_timeout expired, or a deadlock broken by cancelling this side: both are worth another attempt.</summary>
    private static bool IsLockTimeout(PostgresException e) =>
        e.SqlState is PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.DeadlockDetected;

    private static string FirstLine(string statement) =>
        statement.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("--", StringComparison.Ordinal)) ?? string.Empty;

    /// <summary>The resource name of the last script to apply: the last one, or the one <see cref="MigrationOptions.Through"/> names.</summary>
    private string LastScriptToApply()
    {
        var names = ScriptNames();
        return string.IsNullOrEmpty(options.Through)
            ? names[^1]
            : names.LastOrDefault(n => ScriptFileName(n).StartsWith(options.Through, StringComparison.Ordinal))
              ?? throw new ArgumentException($"XNovu:Migrations:Through is '{options.Through}', which names no migration script.");
    }

    /// <summary>The file name of a script's resource name (<c>0028_api_key_expiry</c>).</summary>
    public static string ScriptFileName(string resourceName) =>
        resourceName[(resourceName.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..^".sql".Length];

    private string WithLockTimeout(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = $"{builder.Options} -c lock_timeout={(long)options.LockTimeout.TotalMilliseconds}".Trim();
        return builder.ConnectionString;
    }

    /// <param name="nowait">Whether to take, before each statement, the locks it needs with <c>NOWAIT</c> (<see cref="TableLocks"/>).</param>
    private UpgradeEngine Upgrader(string connectionString, Func<string, bool> scripts, bool nowait = false)
    {
        var builder = DeployChanges.To
            .PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(ScriptAssembly, name => IsMigrationScript(name) && scripts(name))
            .JournalToPostgresqlTable(JournalSchema, JournalTable)
            .WithTransactionPerScript()
            // A refused NOWAIT is an expected failed attempt: DbUp's error lines for it would read as an outage, so
            // they go to Debug; a real failure is thrown as MigrationFailedException with its cause either way.
            .LogTo(new DbUpLogger(logger, quietErrors: nowait));
        return (nowait ? builder.WithPreprocessor(new NowaitLocksPreprocessor()) : builder).Build();
    }

    private sealed class NowaitLocksPreprocessor : IScriptPreprocessor
    {
        public string Process(string contents) => TableLocks.WithNowaitLocks(contents);
    }

    private static bool IsMigrationScript(string resourceName) =>
        resourceName.Contains(".Migrations.", StringComparison.Ordinal)
        && resourceName.EndsWith(".sql", StringComparison.Ordinal);

    private static bool IsFunctionFile(string resourceName) =>
        resourceName.Contains(".Functions.", StringComparison.Ordinal)
        && resourceName.EndsWith(".sql", StringComparison.Ordinal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database is up to date; {Count} migration script(s) applied in this run")]
    private static partial void LogApplied(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Script}: a lock was not granted in time (attempt {Attempt} of {Attempts}); trying again in {Seconds:0.#} s: {Error}")]
    private static partial void LogLockTimeout(ILogger logger, string script, int attempt, int attempts, double seconds, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Script}: a table it locks is busy ({Error}); asking again with NOWAIT every few milliseconds, for up to {Seconds:0.#} s")]
    private static partial void LogNowaitRefused(ILogger logger, string script, double seconds, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Script}: its locks were granted after {Refusals} busy refusal(s) in {Seconds:0.0} s")]
    private static partial void LogNowaitGranted(ILogger logger, string script, int refusals, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Script}: its tables stayed busy for {Seconds:0.0} s ({Refusals} refusals, last: {Error}); asking for the locks under lock_timeout")]
    private static partial void LogNowaitGaveUp(ILogger logger, string script, int refusals, double seconds, string error);
}

public sealed class MigrationFailedException(string? script, Exception? inner)
    : Exception($"Migration script {script ?? "(unknown)"} failed.", inner);
