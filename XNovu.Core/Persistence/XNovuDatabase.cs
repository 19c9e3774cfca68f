using Npgsql;

namespace XNovu.Core.Persistence;

/// <summary>
/// The services' only door to PostgreSQL. They connect as <c>xnovu_app</c>, whom row-level security binds,
/// so every tenant-scoped unit of work names its enterprise for its own transaction only
/// (<c>set_config(..., is_local => true)</c>): the setting cannot leak to the next user of a pooled connection.
/// </summary>
public sealed class XNovuDatabase(NpgsqlDataSource dataSource)
{
    /// <summary>Names the enterprise for the current transaction only; its parameter is <c>@enterpriseIdText</c>.</summary>
    public const string SetEnterpriseSql = "SELECT set_config('app.current_enterprise_id', @enterpriseIdText, true)";

    /// <summary>
    /// <see cref="SetEnterpriseSql"/> with the writer named too (<see cref="WriteAuthor"/>), in the same round trip.
    /// </summary>
    private const string SetEnterpriseAndAuthorSql =
        "SELECT set_config('app.current_enterprise_id', @enterpriseIdText, true), set_config('app.actor', @actor, true), "
        + "set_config('app.request', @request, true)";

    /// <summary>Distinct statements each pooled connection keeps prepared (see <see cref="PrepareRepeatedStatements"/>).</summary>
    public const int AutoPreparedStatements = 64;

    public NpgsqlDataSource DataSource => dataSource;

    /// <summary>
    /// Lets Npgsql prepare a statement on a connection once it has run there five times, and keep it across uses of
    /// the pooled connection. Unprepared, PostgreSQL parsed and planned every statement of every trigger and claim:
    /// under trigger load, planning client statements was a quarter of PostgreSQL's CPU (perf, docs/benchmarks.md).
    /// Safe with row-level security: the enterprise is a transaction-local setting read at execution, never a
    /// constant in a plan. A connection string that sets <c>Max Auto Prepare</c> itself wins (0 turns it off, for a
    /// pooler that cannot keep prepared statements, such as PgBouncer before 1.21 in transaction mode).
    /// </summary>
    public static void PrepareRepeatedStatements(NpgsqlConnectionStringBuilder connectionString)
    {
        if (SetsItself(connectionString, "Max Auto Prepare"))
        {
            return;
        }

        connectionString.MaxAutoPrepare = AutoPreparedStatements;
        connectionString.AutoPrepareMinUsages = 5;
    }

    /// <summary>
    /// The pool settings of every service's data source, in one place so that none gets one without the other:
    /// <see cref="PrepareRepeatedStatements"/> and <see cref="SkipSessionReset"/>.
    /// </summary>
    public static void ApplyPoolSettings(NpgsqlConnectionStringBuilder connectionString)
    {
        PrepareRepeatedStatements(connectionString);
        SkipSessionReset(connectionString);
    }

    /// <summary>
    /// Lets a pooled connection go back to the pool without Npgsql's session reset. With prepared statements kept,
    /// that reset is seven statements (<c>SET SESSION AUTHORIZATION DEFAULT; RESET ALL; CLOSE ALL; UNLISTEN *;
    /// SELECT pg_advisory_unlock_all(); DISCARD SEQUENCES; DISCARD TEMP</c>) run by PostgreSQL before the next
    /// command of every checkout: about 6,000 times per 5,000 single triggers (pg_stat_statements,
    /// docs/benchmarks.md). Nothing the services do leaves session state to reset: the enterprise is a
    /// transaction-local setting, no service sets a session setting, takes a session advisory lock or creates a
    /// temporary table, and the dispatcher's one LISTEN connection is never pooled. A connection
    /// string that sets <c>No Reset On Close</c> itself wins.
    /// </summary>
    public static void SkipSessionReset(NpgsqlConnectionStringBuilder connectionString)
    {
        if (!SetsItself(connectionString, "No Reset On Close"))
        {
            connectionString.NoResetOnClose = true;
        }
    }

    /// <summary>Whether the connection string names <paramref name="keyword"/> itself, whatever its value.</summary>
    private static bool SetsItself(NpgsqlConnectionStringBuilder connectionString, string keyword)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        // The builder writes back only the settings it was given, under their canonical names.
        return connectionString.ConnectionString.Contains(keyword, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Opens a transaction that sees and writes only <paramref name="enterpriseId"/>'s rows.</summary>
    public async Task<TenantSession> BeginTenantAsync(Guid enterpriseId, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var author = WriteAuthor.Current;
            await using var command = new NpgsqlCommand(author is null ? SetEnterpriseSql : SetEnterpriseAndAuthorSql, connection, transaction);
            command.Parameters.AddWithValue("enterpriseIdText", enterpriseId.ToString());
            if (author is not null)
            {
                command.Parameters.AddWithValue("actor", author.Actor);
                command.Parameters.AddWithValue("request", author.Request ?? string.Empty);
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
            return new TenantSession(enterpriseId, connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> in a tenant transaction and commits it when it returns.</summary>
    public async Task<T> InTenantAsync<T>(Guid enterpriseId, Func<TenantSession, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var session = await BeginTenantAsync(enterpriseId, cancellationToken);
        var result = await work(session);
        await session.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// A connection with no enterprise set: it sees no tenant rows. For the narrow SECURITY DEFINER
    /// functions that must cross enterprises (key lookup, admin listing, statistics) and nothing else.
    /// </summary>
    public ValueTask<NpgsqlConnection> OpenUnscopedAsync(CancellationToken cancellationToken) =>
        dataSource.OpenConnectionAsync(cancellationToken);
}

public sealed class TenantSession(Guid enterpriseId, NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
{
    public Guid EnterpriseId { get; } = enterpriseId;
    public NpgsqlConnection Connection { get; } = connection;
    public NpgsqlTransaction Transaction { get; } = transaction;

    public Task CommitAsync(CancellationToken cancellationToken) => Transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
