using System.Diagnostics;
using Microsoft.Extensions.Options;
using XNovu.Core.Telemetry;
using Npgsql;

namespace XNovu.Dispatcher.Dispatch;

/// <summary>
/// The claim loops. Each claims a batch, processes it and records the results, and goes again at once while
/// there is work; when there is none it sleeps until the next due delivery, a wake-up, or the sweep interval,
/// whichever is first. Work lives only in the database, so a crash loses nothing: leases expire and another
/// replica (or this one, restarted) takes the deliveries over.
/// </summary>
public sealed partial class DispatchWorker(
    DeliveryStore store,
    DeliveryProcessor processor,
    DispatchSignal signal,
    IOptions<DispatcherOptions> options,
    TimeProvider time,
    ILogger<DispatchWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.Concurrency).Select(_ => LoopAsync(stoppingToken)));

    private async Task LoopAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        LogStarted(logger, settings.WorkerId);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var batch = await store.ClaimAsync(settings.WorkerId, settings.BatchSize, settings.LeaseSeconds, stoppingToken);
                if (batch.Count > 0)
                {
                    var started = Stopwatch.GetTimestamp();
                    var results = await processor.ProcessAsync(batch, stoppingToken);
                    await store.CompleteAsync(settings.WorkerId, results, stoppingToken);
                    XNovuTelemetry.WorkflowExecutionTime.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    continue;
                }

                var now = time.GetUtcNow();
                var next = await store.NextDueAsync(stoppingToken);
                var sleep = next is { } due && due - now < settings.SweepInterval ? due - now : settings.SweepInterval;
                await signal.WaitAsync(sleep, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or HttpRequestException)
            {
                // Claimed rows stay leased and come back when the lease expires: nothing is lost.
                LogLoopFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dispatch loop started as {WorkerId}")]
    private static partial void LogStarted(ILogger logger, string workerId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dispatch loop failed; retrying")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);
}
