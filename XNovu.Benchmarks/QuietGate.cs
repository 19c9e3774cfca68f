using System.Globalization;

namespace XNovu.Benchmarks;

/// <summary>
/// A long benchmark on a shared machine: before each measured phase, <c>--QuietFile</c> (if given) is created so
/// that other work on the machine can hold back while it exists, and the phase waits (at most 15 minutes) until the
/// one-minute load average is under <c>--QuietLoad</c> (0: no wait); a phase may wait so again before each of its
/// scenarios (<see cref="WaitAsync"/>). The file is removed after the phase. The load at
/// the start of the phase is printed either way, so a figure measured on a busy machine says so.
/// </summary>
internal sealed class QuietGate(string? file, double maxLoad)
{
    public async Task<T> RunAsync<T>(Func<Task<T>> phase, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(file))
        {
            await File.WriteAllTextAsync(file, $"benchmark measuring since {DateTime.UtcNow:O}\n", cancellationToken);
        }

        try
        {
            await WaitAsync("phase", cancellationToken);
            return await phase();
        }
        finally
        {
            if (!string.IsNullOrEmpty(file))
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>
    /// Within a phase, before each scenario after the first: the one before it leaves work behind (the dispatch's
    /// autovacuum of the day's partitions, a checkpoint), larger with history, which the next would otherwise be
    /// measured beside. Both phases wait alike.
    /// </summary>
    public async Task WaitAsync(string what, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (maxLoad > 0 && Load() >= maxLoad && waited.Elapsed < TimeSpan.FromMinutes(15))
        {
            await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
        }

        Report.Line($"{what} starts at load {Report.LoadAverage()} (waited {waited.Elapsed.TotalSeconds:0} s for quiet)");
    }

    private static double Load() =>
        double.TryParse(Report.LoadAverage(), NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : 0;
}
