using Npgsql;
using XNovu.Core.Persistence;

namespace XNovu.Dispatcher.Dispatch;

/// <summary>A PostgreSQL NOTIFY channel and what to do when it fires.</summary>
public sealed record DatabaseChannel(string Name, Action OnNotify);

/// <summary>
/// One connection LISTENing on every registered channel: <c>xnovu_dispatch</c> (new deliveries committed)
/// wakes the claim loops, <c>xnovu_rules</c> (rules changed, or a reload asked for) reloads the rule engine,
/// each within milliseconds. If the connection drops it reconnects, firing every channel once for what was
/// committed meanwhile; the sweeps and reload intervals cover the gap.
/// </summary>
/// <remarks>
/// The connection comes from its own data source with pooling off (<see cref="CreateDataSource"/>), so closing it
/// after any failure closes the physical connection. A pooled one went back to the pool still listening whenever
/// the loop failed between <c>LISTEN</c> and <c>UNLISTEN</c> (or <c>UNLISTEN</c> itself failed), and the next user
/// of that connection silently held PostgreSQL's notification queue back.
/// </remarks>
public sealed partial class DatabaseNotificationListener(
    [FromKeyedServices(DatabaseNotificationListener.DataSourceKey)] NpgsqlDataSource dataSource,
    IEnumerable<DatabaseChannel> channels,
    ILogger<DatabaseNotificationListener> logger) : BackgroundService
{
    public const string DataSourceKey = "listen";

    /// <summary>
    /// The listener's own data source: the service's connection string (or the direct one the settings name,
    /// <c>ConnectionStrings:xnovu-dispatcher-listen</c>, behind a pooler) with pooling off. Over a primary and its
    /// standbys it follows the primary (<see cref="PostgresDataSources"/>): after a failover the next reconnection
    /// LISTENs on the new primary, where the commits now NOTIFY.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString, ILoggerFactory loggerFactory) =>
        PostgresDataSources.Create(connectionString, loggerFactory, builder =>
        {
            builder.Pooling = false;
            builder.ApplicationName = "xnovu-listen";
        });

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
            catch (Exception e)
            {
                // Any failure, a handler's included: the connection is closed (not pooled), and a new one listens.
                LogListenFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "LISTEN connection lost; reconnecting")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);
}
