using Npgsql;

namespace XNovu.Dispatcher.Rules;

/// <summary>
/// LISTENs on <c>xnovu_rules</c>, which a trigger on <c>ent_notification_rule</c> and the reload endpoint NOTIFY,
/// and asks the scheduler to reload. If the connection drops it reconnects; the reload interval covers the gap.
/// </summary>
public sealed partial class RuleChangeListener(
    NpgsqlDataSource dataSource, RuleEngineSignal signal, ILogger<RuleChangeListener> logger) : BackgroundService
{
    public const string Channel = "xnovu_rules";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => signal.RequestReload();
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Changes committed while we were not listening.
                signal.RequestReload();
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "LISTEN connection for rule changes lost; reconnecting")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);
}
