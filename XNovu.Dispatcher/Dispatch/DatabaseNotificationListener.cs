using Npgsql;

namespace XNovu.Dispatcher.Dispatch;

/// <summary>A PostgreSQL NOTIFY channel and what to do when it fires.</summary>
public sealed record DatabaseChannel(string Name, Action OnNotify);

/// <summary>
/// One connection LISTENing on every registered channel: <c>xnovu_dispatch</c> (new deliveries committed)
/// wakes the claim loops, <c>xnovu_rules</c> (rules changed, or a reload asked for) reloads the rule engine,
/// each within milliseconds. If the connection drops it reconnects, firing every channel once for what was
/// committed meanwhile; the sweeps and reload intervals cover the gap.
/// </summary>
public sealed partial class DatabaseNotificationListener(
    NpgsqlDataSource dataSource, IEnumerable<DatabaseChannel> channels, ILogger<DatabaseNotificationListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var byName = channels.GroupBy(c => c.Name).ToDictionary(g => g.Key, g => g.ToList());
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (byName.TryGetValue(e.Channel, out var handlers))
                    {
                        handlers.ForEach(h => h.OnNotify());
                    }
                };
                await using (var listen = new NpgsqlCommand(string.Concat(byName.Keys.Select(name => $"LISTEN {name};")), connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                foreach (var handler in byName.Values.SelectMany(h => h))
                {
                    handler.OnNotify();
                }

                try
                {
                    while (!stoppingToken.IsCancellationRequested)
                    {
                        await connection.WaitAsync(stoppingToken);
                    }
                }
                finally
                {
                    await UnlistenAsync(connection);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
            {
                LogListenFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>
    /// The pool returns connections without a session reset (<see cref="XNovu.Core.Persistence.XNovuDatabase.SkipSessionReset"/>),
    /// so a LISTEN connection that is still open stops listening before it goes back; one that broke is not reused.
    /// </summary>
    private static async Task UnlistenAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            await using var unlisten = new NpgsqlCommand("UNLISTEN *", connection) { CommandTimeout = 2 };
            await unlisten.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
        {
            // A connection that cannot run it is broken, and a broken connection is not returned to the pool.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "LISTEN connection lost; reconnecting")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);
}
