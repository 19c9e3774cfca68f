using DbUp.Engine;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace XNovu.MigrationService;

/// <summary>
/// The scripts that run outside a transaction (<see cref="NoTransactionMarker"/>): index builds and drops
/// <c>CONCURRENTLY</c>, which PostgreSQL refuses inside one, run one statement per command, and the each-row
/// statements (<see cref="EachRowMarker"/>) that generate such statements for objects a script cannot name.
/// </summary>
public sealed partial class DatabaseMigrator
{
    /// <summary>
    /// The first line of a script that runs outside a transaction (<c>CREATE INDEX CONCURRENTLY</c> cannot run in
    /// one), one statement at a time. Such a script may fail half-way and is then run again from its first
    /// statement, so every statement in it must be safe to repeat.
    /// </summary>
    public const string NoTransactionMarker = "-- xnovu:no-transaction";

    /// <summary>
    /// A line of a no-transaction script's statement, among the comments before its code, that makes the statement a
    /// query whose rows are statements: each row's first column is run in turn, as a statement of the script (its own
    /// command, its own <c>lock_timeout</c>). For work over a set the script cannot name, as an index on each partition
    /// of a partitioned table (<c>CREATE INDEX CONCURRENTLY</c> cannot run in a <c>DO</c> block). The query must
    /// answer only what is still to do: it is asked again after its statements ran, until it answers none (what a
    /// running service added meanwhile is done too), and a re-run of the script resumes where a failure stopped it.
    /// </summary>
    public const string EachRowMarker = "-- xnovu:each-row";

    /// <summary>How many times an <see cref="EachRowMarker"/> query's statements are run before the script fails for answering still.</summary>
    private const int MaxEachRowPasses = 5;

    /// <summary>
    /// Each statement is its own command, so each commits on its own, outside any transaction block. The
    /// <c>CONCURRENTLY</c> ones wait for locks longer (<see cref="MigrationOptions.ConcurrentLockTimeout"/>), since
    /// their waits hold nobody up, and have no command timeout: an index build on a large table takes minutes.
    /// </summary>
    private async Task RunOutsideTransactionAsync(string connectionString, SqlScript script, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        foreach (var statement in SqlStatements.Split(script.Contents))
        {
            if (!IsEachRow(statement))
            {
                await RunAsync(connection, script.Name, statement, cancellationToken);
                continue;
            }

            // Asked again after its statements ran, until it answers none: what appeared meanwhile (a partition a
            // running service made) is done too. A query that keeps answering is a broken script, not progress.
            for (var pass = 1; ; pass++)
            {
                var generated = await RowsAsync(connection, statement, cancellationToken);
                LogEachRow(logger, script.Name, generated.Count, FirstLine(statement));
                if (generated.Count == 0)
                {
                    break;
                }

                if (pass > MaxEachRowPasses)
                {
                    throw new InvalidOperationException(
                        $"{script.Name}: an each-row query still answered {generated.Count} statement(s) after {MaxEachRowPasses} passes; its statements do not do what it asks for.");
                }

                foreach (var row in generated)
                {
                    await RunAsync(connection, script.Name, row, cancellationToken);
                }
            }
        }
    }

    /// <summary>One statement, a script's or one an <see cref="EachRowMarker"/> query generated, with the lock timeout of its kind.</summary>
    private async Task RunAsync(NpgsqlConnection connection, string scriptName, string statement, CancellationToken cancellationToken)
    {
        var timeout = IsConcurrent(statement) ? options.ConcurrentLockTimeout : options.LockTimeout;
        await using (var set = new NpgsqlCommand($"SET lock_timeout = {(long)timeout.TotalMilliseconds}", connection))
        {
            await set.ExecuteNonQueryAsync(cancellationToken);
        }

        LogStatement(logger, scriptName, FirstLine(statement));
        await using var run = new NpgsqlCommand(statement, connection) { CommandTimeout = 0 };
        await run.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The first column of every row <paramref name="query"/> answers, read before any of them runs.</summary>
    private static async Task<List<string>> RowsAsync(NpgsqlConnection connection, string query, CancellationToken cancellationToken)
    {
        var rows = new List<string>();
        await using var command = new NpgsqlCommand(query, connection) { CommandTimeout = 0 };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    /// <summary>Whether <see cref="EachRowMarker"/> is a line of the comments before the statement's code.</summary>
    public static bool IsEachRow(string statement) =>
        statement.Split('\n')
            .Select(l => l.Trim())
            .TakeWhile(l => l.Length == 0 || l.StartsWith("--", StringComparison.Ordinal))
            .Contains(EachRowMarker);

    /// <summary>Whether the script's first line is <see cref="NoTransactionMarker"/>.</summary>
    public static bool RunsOutsideTransaction(string script) =>
        script.TrimStart('\uFEFF').Split('\n', 2)[0].Trim() == NoTransactionMarker;

    private static bool IsConcurrent(string statement) =>
        SqlStatements.CodeOnly(statement).Contains("CONCURRENTLY", StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Script}, outside a transaction: {Count} statement(s) from the rows of: {Statement}")]
    private static partial void LogEachRow(ILogger logger, string script, int count, string statement);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Script}, outside a transaction: {Statement}")]
    private static partial void LogStatement(ILogger logger, string script, string statement);
}
