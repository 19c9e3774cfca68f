using Microsoft.Extensions.Options;
using Npgsql;
using XNovu.Dispatcher.Dispatch;

namespace XNovu.Dispatcher.Rules;

/// <summary>
/// Tells the status endpoint that this replica's rule engine runs: a row in <c>rule_engine_instance</c> refreshed
/// every interval and at every reload, valid for a few intervals, and removed on a clean stop.
/// </summary>
public sealed partial class RuleEngineHeartbeat(
    RuleStore store,
    RuleEngineState state,
    IOptions<RuleEngineOptions> options,
    IOptions<DispatcherOptions> dispatcher,
    TimeProvider time,
    ILogger<RuleEngineHeartbeat> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var timeToLive = settings.HeartbeatInterval * settings.HeartbeatMisses;
        await state.Started.WaitAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var changed = state.Changed;
            try
            {
                await store.HeartbeatAsync(dispatcher.Value.WorkerId, state, timeToLive, stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                LogHeartbeatFailed(logger, e);
            }

            try
            {
                await changed.WaitAsync(settings.HeartbeatInterval, time, stoppingToken);
            }
            catch (TimeoutException)
            {
                // the interval passed without a reload
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await store.StoppedAsync(dispatcher.Value.WorkerId, cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            // The row expires by itself.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule engine heartbeat failed; the next one tries again")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception);
}
