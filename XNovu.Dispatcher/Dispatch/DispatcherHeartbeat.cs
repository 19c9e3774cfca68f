using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace XNovu.Dispatcher.Dispatch;

/// <summary>
/// Tells <c>/api/health</c> that this replica runs and how many claim loops it runs: a row in
/// <c>dispatcher_instance</c> refreshed every <see cref="DispatcherOptions.HeartbeatInterval"/>, valid for three
/// intervals, removed on a clean stop. A killed replica simply stops beating and expires. Each beat also offers to
/// raise the claim's floor (<see cref="DeliveryStore.RaiseFloorAsync"/>): the database lets one replica do it per
/// <see cref="DispatcherOptions.FloorInterval"/>.
/// </summary>
public sealed partial class DispatcherHeartbeat(
    DeliveryStore store,
    DispatchLoops loops,
    IOptions<DispatcherOptions> options,
    TimeProvider time,
    ILogger<DispatcherHeartbeat> logger) : BackgroundService
{
    private const int MissesBeforeGone = 3;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await store.HeartbeatAsync(settings.WorkerId, settings.HeartbeatInterval * MissesBeforeGone, settings.Concurrency, loops.Running, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a heartbeat that fails is tried again at the next beat, whatever failed
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogHeartbeatFailed(logger, e);
            }

            try
            {
                await store.RaiseFloorAsync(settings.FloorInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a floor left low only costs the claim some locks until the next beat raises it
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogFloorFailed(logger, e);
            }

            try
            {
                await Task.Delay(settings.HeartbeatInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await store.StoppedAsync(options.Value.WorkerId, cancellationToken);
        }
#pragma warning disable CA1031 // the row expires by itself
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatcher heartbeat failed; the next one tries again")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Raising the claim's floor failed; the next beat tries again")]
    private static partial void LogFloorFailed(ILogger logger, Exception exception);
}

/// <summary>Readiness: unhealthy while fewer claim loops run than configured (one is waiting to restart).</summary>
public sealed class DispatchLoopsHealthCheck(DispatchLoops loops, IOptions<DispatcherOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var running = loops.Running;
        var configured = options.Value.Concurrency;
        return Task.FromResult(running >= configured
            ? HealthCheckResult.Healthy($"{running} of {configured} claim loops run")
            : HealthCheckResult.Unhealthy($"{running} of {configured} claim loops run"));
    }
}

/// <summary>
/// Liveness: fails when a claim loop has been stuck in one round longer than <see cref="DispatcherOptions.StallTimeout"/>,
/// or no loop runs at all: the process cannot make progress, and restarting it is the cure.
/// </summary>
public sealed class DispatchProgressHealthCheck(DispatchLoops loops, IOptions<DispatcherOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var longest = loops.LongestRound();
        var stall = options.Value.StallTimeout;
        if (longest > stall)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"a claim loop has been in one round for {longest.TotalSeconds:0} s (limit {stall.TotalSeconds:0} s)"));
        }

        return Task.FromResult(HealthCheckResult.Healthy($"longest round {longest.TotalSeconds:0.0} s"));
    }
}
