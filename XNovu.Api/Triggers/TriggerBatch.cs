using Npgsql;
using XNovu.Core.Persistence;

namespace XNovu.Api.Triggers;

/// <summary>
/// The shared transaction of one coalesced batch, as <see cref="TriggerCommitWriter"/> uses it: each enterprise's
/// group is inserted under a savepoint of its own, so that a group's failure is rolled back alone.
/// </summary>
internal interface ITriggerBatch : IAsyncDisposable
{
    /// <summary>
    /// Opens the group's savepoint and inserts its rows with a recheck (<see cref="NotificationRows.InsertSql"/>):
    /// each row's id by transaction id, null for a row checked against rows changed since, none for a transaction
    /// id already used.
    /// </summary>
    Task<Dictionary<string, long?>> InsertGroupAsync(Guid enterpriseId, IReadOnlyList<NotificationRow> rows);

    /// <summary>False when another request stored an answer for the key first.</summary>
    Task<bool> StoreAnswerAsync(Guid enterpriseId, IdempotencyClaim claim, TriggerAccepted answer);

    /// <summary>Undoes everything of the current group, and only of it.</summary>
    Task RollbackGroupAsync();

    Task CommitAsync();
}

/// <summary>
/// <see cref="ITriggerBatch"/> over one PostgreSQL transaction. No statement of the batch waits on a lock longer
/// than the batch's lock timeout (set once, before the first savepoint, so a group's rollback keeps it): a lock
/// held by another transaction on one enterprise's rows costs the batch at most that long, and that group's
/// rollback. The previous group's savepoint is released in the next group's round trip. The same first statement
/// says, when <paramref name="wake"/> is given, that the dispatchers are woken after the commit
/// (<see cref="DispatchWake"/>), not by the commit itself.
/// </summary>
internal sealed class TriggerBatch(
    NpgsqlConnection connection, NpgsqlTransaction transaction, TimeSpan lockTimeout, IdempotencyKeyStore idempotencyKeys, DispatchWake? wake)
    : ITriggerBatch
{
    private const string SetLockTimeoutSql = "SELECT set_config('lock_timeout', @lockTimeout, true)";
    private const string SetLockTimeoutDeferWakeSql = $"{SetLockTimeoutSql}, {DispatchWake.DeferSql}";
    private const string SavepointSql = "SAVEPOINT enterprise_group";
    private const string ReleaseSql = "RELEASE SAVEPOINT enterprise_group";
    private const string RollbackSql = "ROLLBACK TO SAVEPOINT enterprise_group";

    private bool _configured;
    private bool _open;

    public async Task<Dictionary<string, long?>> InsertGroupAsync(Guid enterpriseId, IReadOnlyList<NotificationRow> rows)
    {
        var before = new List<NpgsqlBatchCommand>(4);
        if (!_configured)
        {
            before.Add(TriggerStore.Command(wake is null ? SetLockTimeoutSql : SetLockTimeoutDeferWakeSql, ("lockTimeout", $"{(long)Math.Ceiling(lockTimeout.TotalMilliseconds)}ms")));
            _configured = true;
        }

        if (_open)
        {
            before.Add(new NpgsqlBatchCommand(ReleaseSql));
        }

        before.Add(new NpgsqlBatchCommand(SavepointSql));
        before.Add(TriggerStore.Command(XNovuDatabase.SetEnterpriseSql, ("enterpriseIdText", enterpriseId.ToString())));
        _open = true;
        return await TriggerStore.InsertAsync(connection, transaction, enterpriseId, rows, recheck: true, CancellationToken.None, [.. before]);
    }

    public Task<bool> StoreAnswerAsync(Guid enterpriseId, IdempotencyClaim claim, TriggerAccepted answer) =>
        idempotencyKeys.StoreAnswerAsync(new TenantSession(enterpriseId, connection, transaction), claim, TriggerStore.AcceptedStatus, answer);

    public async Task RollbackGroupAsync()
    {
        if (_open)
        {
            await using var command = new NpgsqlCommand(RollbackSql, connection, transaction);
            await command.ExecuteNonQueryAsync();
        }
    }

    public async Task CommitAsync()
    {
        await transaction.CommitAsync();
        wake?.Signal();
    }

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}
