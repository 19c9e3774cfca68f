using Npgsql;

namespace XNovu.Dispatcher.Dispatch;

/// <summary>
/// LISTENs on <c>xnovu_dispatch</c>, which the database NOTIFYs when new deliveries commit, and wakes the
/// claim loops within milliseconds. If the connection drops it reconnects; meanwhile the sweep still runs.
/// </summary>
public sealed partial class NotificationListener(
    NpgsqlDataSource dataSource, DispatchSignal signal, ILogger<NotificationListener> logger) : BackgroundService
{
    public const string Channel = "xnovu_dispatch";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => signal.Wake();
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Work committed while we were not listening.
                signal.Wake();
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
