using System.Reflection;
using DbUp;
using DbUp.Engine;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace XNovu.MigrationService;

/// <summary>
/// Applies the SQL scripts embedded under <c>Migrations</c> in name order, each once, each in
/// its own transaction; then every file under <c>Functions</c>, on every run, in one transaction: a
/// database function's live body is its function file, not the last numbered script that touched it
/// (Functions/README.md). A session-level advisory lock makes concurrent migrators (several deploys at
/// once) take turns instead of racing.
/// </summary>
public sealed partial class DatabaseMigrator(ILogger<DatabaseMigrator> logger)
{
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
    /// <param name="applyFunctionFiles">False only in the test that compares the numbered scripts' functions with the function files'.</param>
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
            var upgrader = DeployChanges.To
                .PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(ScriptAssembly, IsMigrationScript)
                .JournalToPostgresqlTable(JournalSchema, JournalTable)
                .WithTransactionPerScript()
                .LogTo(new DbUpLogger(logger))
                .Build();

            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
            {
                throw new MigrationFailedException(result.ErrorScript?.Name, result.Error);
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
                await SetLoginPasswordAsync(lockConnection, role, password, cancellationToken);
            }

            var applied = result.Scripts.Select(s => s.Name).ToList();
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
    /// Runs every function file (CREATE OR REPLACE and its grants) in one transaction, so a failing file leaves
    /// every function as it was. Bodies are not checked at creation (as pg_dump restores them): a SQL-language
    /// function may then call one whose file comes later in name order.
    /// </summary>
    private async Task ApplyFunctionFilesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var off = new NpgsqlCommand("SET LOCAL check_function_bodies = off", connection, transaction))
        {
            await off.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var name in FunctionFileNames())
        {
            await using var stream = ScriptAssembly.GetManifestResourceStream(name)
                ?? throw new InvalidOperationException($"Resource {name} is missing.");
            using var reader = new StreamReader(stream);
            var sql = await reader.ReadToEndAsync(cancellationToken);
            try
            {
                await using var apply = new NpgsqlCommand(sql, connection, transaction);
                await apply.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e)
            {
                throw new MigrationFailedException(name, e);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        LogFunctionFiles(logger, FunctionFileNames().Count);
    }

    private static async Task SetLoginPasswordAsync(NpgsqlConnection connection, string role, string password, CancellationToken cancellationToken)
    {
        if (role is not (AppRole or ApiRole or DispatcherRole or ConsoleRole))
        {
            throw new ArgumentException($"'{role}' is not a service role.", nameof(role));
        }

        // ALTER ROLE takes no parameters; the literal is quoted by the server's own quote_literal.
        await using var set = new NpgsqlCommand("SELECT set_config('xnovu.role_password', @password, false)", connection);
        set.Parameters.AddWithValue("password", password);
        await set.ExecuteNonQueryAsync(cancellationToken);
        await using var login = new NpgsqlCommand(
            $"DO $$ BEGIN EXECUTE format('ALTER ROLE {role} WITH LOGIN PASSWORD %L', current_setting('xnovu.role_password')); END $$",
            connection);
        await login.ExecuteNonQueryAsync(cancellationToken);
        await using var clear = new NpgsqlCommand("RESET xnovu.role_password", connection);
        await clear.ExecuteNonQueryAsync(cancellationToken);
    }

    private static bool IsMigrationScript(string resourceName) =>
        resourceName.Contains(".Migrations.", StringComparison.Ordinal)
        && resourceName.EndsWith(".sql", StringComparison.Ordinal);

    private static bool IsFunctionFile(string resourceName) =>
        resourceName.Contains(".Functions.", StringComparison.Ordinal)
        && resourceName.EndsWith(".sql", StringComparison.Ordinal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database is up to date; {Count} migration script(s) applied in this run")]
    private static partial void LogApplied(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} function file(s) applied")]
    private static partial void LogFunctionFiles(ILogger logger, int count);

    private sealed class DbUpLogger(ILogger logger) : DbUp.Engine.Output.IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) => logger.LogTrace(format, args);
        public void LogDebug(string format, params object[] args) => logger.LogDebug(format, args);
        public void LogInformation(string format, params object[] args) => logger.LogInformation(format, args);
        public void LogWarning(string format, params object[] args) => logger.LogWarning(format, args);
        public void LogError(string format, params object[] args) => logger.LogError(format, args);
        public void LogError(Exception ex, string format, params object[] args) => logger.LogError(ex, format, args);
    }
}

public sealed class MigrationFailedException(string? script, Exception? inner)
    : Exception($"Migration script {script ?? "(unknown)"} failed.", inner);
