using System.Diagnostics;

namespace XNovu.Benchmarks;

/// <summary>
/// What a closed loop did: how long it took, how many calls did not answer as expected, and how long each
/// successful call took (milliseconds, ascending).
/// </summary>
/// <param name="Latencies">The successful calls' latencies in milliseconds, sorted.</param>
/// <param name="ByIndex">Each call's latency by its index, NaN where it failed.</param>
public sealed record LoopResult(int Calls, int Failures, TimeSpan Elapsed, string? FirstFailure, IReadOnlyList<double> Latencies, IReadOnlyList<double> ByIndex)
{
    public double PerSecond(double unitsPerCall = 1) => (Calls - Failures) * unitsPerCall / Elapsed.TotalSeconds;

    public double P(double percent) => Load.Percentile(Latencies, percent);
}

public static class Load
{
    /// <summary>
    /// <paramref name="calls"/> calls made by <paramref name="concurrency"/> callers, each starting its next
    /// call when its last one answered. <paramref name="call"/> answers null on success, else what went wrong.
    /// </summary>
    public static async Task<LoopResult> ClosedLoopAsync(int calls, int concurrency, Func<int, Task<string?>> call)
    {
        var next = -1;
        var failures = 0;
        string? firstFailure = null;
        var latencies = new double[calls];
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < calls)
            {
                string? failure;
                var start = Stopwatch.GetTimestamp();
                try
                {
                    failure = await call(index);
                    latencies[index] = failure is null ? Stopwatch.GetElapsedTime(start).TotalMilliseconds : double.NaN;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    failure = e.Message;
                    latencies[index] = double.NaN;
                }

                if (failure is not null)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, failure, null);
                }
            }
        }));
        return new LoopResult(calls, failures, stopwatch.Elapsed, firstFailure, latencies.Where(l => !double.IsNaN(l)).Order().ToList(), latencies);
    }

    /// <summary>
    /// Open loop: call <c>i</c> leaves at <c>i × interval</c> from the start whether or not earlier ones
    /// answered, so a slow answer cannot lower the offered load (no coordinated omission). Answers the window the
    /// calls were offered over: from the start to one interval after the last call left (<c>calls × interval</c>
    /// when the loop kept its schedule, longer when it fell behind).
    /// </summary>
    public static async Task<TimeSpan> OpenLoopAsync(int calls, TimeSpan interval, Func<int, Task> call, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var inFlight = new List<Task>(calls);
        for (var i = 0; i < calls; i++)
        {
            var wait = interval * i - stopwatch.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }

            var index = i;
            inFlight.Add(Task.Run(() => call(index), cancellationToken));
        }

        var offered = stopwatch.Elapsed + interval;
        await Task.WhenAll(inFlight);
        return offered;
    }

    /// <summary>Nearest-rank percentile of <paramref name="sorted"/> (ascending).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percent)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
