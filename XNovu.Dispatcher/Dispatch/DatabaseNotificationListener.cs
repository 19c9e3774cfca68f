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

                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "LISTEN connection lost; reconnecting")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);
}
