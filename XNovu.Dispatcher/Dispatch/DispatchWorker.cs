using System.Diagnostics;
using Microsoft.Extensions.Options;
using XNovu.Core.Telemetry;

namespace XNovu.Dispatcher.Dispatch;

/// <summary>
/// The claim loops, each supervised. A loop claims a batch, processes it and records the results, and goes
/// again at once while there is work (an enterprise's part of the batch that is still rendering after
/// <see cref="DispatcherOptions.SlowPartAfter"/> finishes on its own and is recorded when it ends); when there is none it sleeps until the next due delivery, a wake-up, or
/// the sweep interval, whichever is first. Work lives only in the database, so a crash loses nothing: leases
/// expire and another replica (or this one, restarted) takes the deliveries over. Told to stop, a loop claims
/// nothing more and finishes the batch it holds (<see cref="DispatcherOptions.ShutdownDrain"/>), then releases what
/// the drain could not finish: a rolling deploy then leaves no delivery waiting for a lease to expire (a minute by
/// default; one upgrade test waited 54 s).
/// </summary>
/// <remarks>
/// Whatever a round throws (a database outage, or a bug: the processor already turns one delivery's failure
/// into that delivery's outcome) is logged and the loop starts again after a backoff that doubles per
/// consecutive fault. A loop never dies silently inside a live process: <see cref="DispatchLoops"/> counts
/// the running ones for readiness and the heartbeat, and spots a stalled round for liveness.
/// </remarks>
public sealed partial class DispatchWorker(
    DeliveryStore store,
    DeliveryProcessor processor,
    DispatchSignal signal,
    DispatchLoops loops,
    IOptions<DispatcherOptions> options,
    TimeProvider time,
    ILogger<DispatchWorker> logger) : BackgroundService
{
    /// <summary>How long the release of what the drain could not finish may take; within the host's shutdown timeout.</summary>
    internal static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.WhenAll(Enumerable.Range(0, options.Value.Concurrency).Select(loop => Task.Run(() => SuperviseAsync(loop, stoppingToken), stoppingToken)));
        await ReleaseUnfinishedAsync();
    }

    /// <summary>
    /// Once every loop has ended, gives back the claims still leased to this replica: a batch its drain cut off (a Novu
    /// that answers too slowly) is taken over by another replica at its next claim instead of after the lease. A
    /// release that fails (the database is down as well) is logged; the leases then expire as before.
    /// </summary>
    private async Task ReleaseUnfinishedAsync()
    {
        using var timeout = new CancellationTokenSource(ReleaseTimeout);
        try
        {
            var released = await store.ReleaseAsync(options.Value.WorkerId, timeout.Token);
            if (released > 0)
            {
                LogReleased(logger, released);
            }
        }
#pragma warning disable CA1031 // stopping goes on; the leases expire by themselves
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogReleaseFailed(logger, e);
        }
    }

    private async Task SuperviseAsync(int loop, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var faults = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            loops.Started(loop);
            LogStarted(logger, settings.WorkerId, loop);
            try
            {
                await LoopAsync(loop, () => faults = 0, stoppingToken);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Claimed rows stay leased and come back when the lease expires: nothing is lost.
                faults++;
                var backoff = TimeSpan.FromTicks(Math.Min(
                    settings.MaxRestartBackoff.Ticks, settings.RestartBackoff.Ticks * (1L << Math.Min(faults - 1, 20))));
                LogLoopFailed(logger, e, loop, backoff.TotalMilliseconds);
                loops.Stopped(loop);
                try
                {
                    await Task.Delay(backoff, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            finally
            {
                loops.Stopped(loop);
            }
        }
    }

    /// <summary>
    /// Claim, process, record; the recording of one batch overlaps the claim and processing of the next (at most
    /// one recording in flight per loop, awaited before the next starts and before the loop sleeps or ends). The
    /// recorded rows stay leased to this replica until their completion commits, so no claim can take them
    /// meanwhile, and a completion that fails surfaces at that await and restarts the loop as before.
    /// </summary>
    private async Task LoopAsync(int loop, Action madeProgress, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        Task? recording = null;
        // Claiming stops with the host; sending and recording what was claimed stop only after the drain.
        using var draining = new CancellationTokenSource();
        using var drainOnStop = stoppingToken.Register(() => draining.CancelAfter(settings.ShutdownDrain));
        var finishing = draining.Token;
        // Slow enterprises' parts finishing on their own (DeliveryProcessor.ProcessAsync), each recorded when it ends.
        var slowParts = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                loops.Busy(loop);
                var batch = await store.ClaimAsync(settings.WorkerId, settings.BatchSize, settings.LeaseSeconds, settings.MaxUnfinishedClaims, stoppingToken);
                if (batch.Count > 0)
                {
                    if (batch.Count >= settings.BatchSize)
                    {
                        // A full batch: more may be due. Hand the next wake-up to another loop (DispatchSignal).
                        // A takeover (an expired claim, taken whole) can be smaller while more is due: this loop
                        // claims again as soon as it has processed it, and that full claim wakes the others.
                        signal.Wake();
                    }

                    var started = Stopwatch.GetTimestamp();
                    var outcome = await processor.ProcessAsync(batch, finishing);
                    foreach (var part in outcome.SlowParts)
                    {
                        slowParts.Add(RecordSlowPartAsync(settings.WorkerId, part, started, finishing));
                    }

                    slowParts.RemoveAll(part => part.IsCompleted);
                    if (recording is not null)
                    {
                        await recording;
                    }

                    recording = RecordAsync(settings.WorkerId, outcome.Results, started, finishing);
                    if (!settings.OverlapCompletion)
                    {
                        await recording;
                        recording = null;
                    }

                    madeProgress();
                    continue;
                }

                if (recording is not null)
                {
                    await recording;
                    recording = null;
                }

                var now = time.GetUtcNow();
                var next = await store.NextDueAsync(stoppingToken);
                madeProgress();
                loops.Idle(loop);
                var sleep = next is { } due && due - now < settings.SweepInterval ? due - now : settings.SweepInterval;
                await signal.WaitAsync(sleep, time, stoppingToken);
            }
        }
        finally
        {
            if (recording is not null)
            {
                await recording;
            }

            await Task.WhenAll(slowParts);
        }
    }

    /// <summary>
    /// Records a slow part's results when it ends. A failure is logged, not thrown: the part's rows stay leased to
    /// this replica and are claimed again when the lease expires (the same Novu calls, under the same keys).
    /// </summary>
    private async Task RecordSlowPartAsync(string workerId, Task<IReadOnlyList<DeliveryResult>> part, long started, CancellationToken finishing)
    {
        try
        {
            await RecordAsync(workerId, await part, started, finishing);
        }
        catch (OperationCanceledException) when (finishing.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // the loop goes on; the lease brings the rows back
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogSlowPartFailed(logger, e);
        }
    }

    private async Task RecordAsync(string workerId, IReadOnlyList<DeliveryResult> results, long started, CancellationToken finishing)
    {
        await store.CompleteAsync(workerId, results, finishing);
        XNovuTelemetry.WorkflowExecutionTime.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping: {Count} deliveries the drain could not finish were released for another replica to take over")]
    private static partial void LogReleased(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping: the claims still held could not be released; they come back when their lease expires")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dispatch loop {Loop} started as {WorkerId}")]
    private static partial void LogStarted(ILogger logger, string workerId, int loop);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A slow part of a batch could not be recorded; its deliveries come back when their lease expires")]
    private static partial void LogSlowPartFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dispatch loop {Loop} failed; restarting in {BackoffMs} ms")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception, int loop, double backoffMs);
}
