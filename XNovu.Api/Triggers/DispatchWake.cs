using Npgsql;
using XNovu.Core.Persistence;

namespace XNovu.Api.Triggers;

/// <summary>
/// Wakes the dispatchers (<c>NOTIFY xnovu_dispatch</c>) after a coalesced trigger commit, outside the transaction that
/// wrote the triggers.
/// </summary>
/// <remarks>
/// <para>
/// Issue 32: a NOTIFY takes PostgreSQL's one notification-queue lock just before its transaction commits and keeps it
/// until the commit is flushed, so every notifying commit of the cluster waited for the one before it to reach the
/// disk; a coalesced commit once waited past its 100 ms lock timeout there, and its batch of 18 triggers failed. The
/// batch's transaction now says <c>xnovu.dispatch_wake = 'after-commit'</c>, so the deliveries' trigger
/// (<c>Functions/create_statement_deliveries.sql</c>) does not notify, and this class notifies once the batch has
/// committed, in a one-statement transaction that does not wait for its flush (<c>synchronous_commit</c> off: a wake
/// lost to a crash costs a dispatcher's poll interval, never a delivery).
/// </para>
/// <para>
/// Hand-written coalescing, no library: a signal while a wake is being sent asks for one more after it, and any
/// number of signals meanwhile still make one. So the wakes follow the commits at most one at a time, and a burst of
/// commits costs two wakes, not one each. A failed wake is logged and dropped: the dispatchers poll.
/// </para>
/// </remarks>
internal sealed partial class DispatchWake(Func<CancellationToken, Task> send, ILogger<DispatchWake> logger)
{
    /// <summary>The setting the batch's transaction makes, in the same statement as its lock timeout.</summary>
    public const string DeferSql = "set_config('xnovu.dispatch_wake', 'after-commit', true)";

    /// <summary>The wake: its own transaction, committed without waiting for the flush.</summary>
    public const string WakeSql = $"SELECT set_config('synchronous_commit', 'off', true), pg_notify('{NotifyChannels.Dispatch}', '')";

    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(5);

    // 0: idle; 1: a wake is being sent; 2: one is being sent and another was asked for meanwhile.
    private int _state;

    public DispatchWake(XNovuDatabase database, ILogger<DispatchWake> logger)
        : this(token => SendAsync(database.DataSource, token), logger)
    {
    }

    /// <summary>Wakes the dispatchers soon; returns at once.</summary>
    public void Signal()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state == 2)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _state, state + 1, state) == state)
            {
                if (state == 0)
                {
                    _ = Task.Run(SendLoopAsync);
                }

                return;
            }
        }
    }

    private async Task SendLoopAsync()
    {
        do
        {
            try
            {
                using var timeout = new CancellationTokenSource(SendTimeout);
                await send(timeout.Token);
            }
            catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or InvalidOperationException)
            {
                LogWakeFailed(logger, e);
            }
        }
        while (Interlocked.Decrement(ref _state) > 0);
    }

    private static async Task SendAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(WakeSql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waking the dispatchers failed; they find the new deliveries at their next poll")]
    private static partial void LogWakeFailed(ILogger logger, Exception exception);
}
