using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;

namespace XNovu.Benchmarks.Scenarios;

/// <summary>One offered rate: what was accepted, and how long each accepted trigger took to reach the emulator.</summary>
public sealed record SustainedStep(int Offered, double AcceptedPerSecond, int Failed, int Lost, IReadOnlyList<double> TriggerToNovu, string Load)
{
    public double P(double percent) => XNovu.Benchmarks.Load.Percentile(TriggerToNovu, percent);

    /// <summary>Every trigger offered was accepted, and every accepted one reached Novu within the deadline.</summary>
    public bool Holds(TimeSpan deadline) => Failed == 0 && Lost == 0 && TriggerToNovu.Count > 0 && P(100) <= deadline.TotalMilliseconds;

    /// <summary>
    /// The open loop offered this step's rate: its last send came at most 1% late, so the accepted rate of a step
    /// that holds is within 1% of <see cref="Offered"/>. A step never reads above its offered rate (its window
    /// ends one interval after the last send), so a step that held at 800/s read 799.x/s and missed a ">= 800" test
    /// by the generator's timer alone.
    /// </summary>
    public bool OnSchedule => AcceptedPerSecond >= Offered * 0.99;
}

public sealed record SustainedResult(IReadOnlyList<SustainedStep> Steps, TimeSpan Deadline)
{
    /// <summary>The highest step that held: the end-to-end sustained rate.</summary>
    public SustainedStep? Sustained => SustainedWithin(double.PositiveInfinity);

    /// <summary>The fastest step that held with a trigger -> Novu p99 under <paramref name="p99Ms"/>.</summary>
    public SustainedStep? SustainedWithin(double p99Ms) => Steps.Where(s => s.Holds(Deadline) && s.P(99) < p99Ms).MaxBy(s => s.AcceptedPerSecond);
}

/// <summary>
/// Scenario 5: the end-to-end sustained rate. <c>POST /api/trigger</c> in an open loop at rising rates
/// (<see cref="BenchmarkSettings.SustainedRates"/>), each for <see cref="BenchmarkSettings.SustainedStep"/>;
/// a rate holds when every trigger is accepted and every accepted one reaches the emulator within
/// <see cref="BenchmarkSettings.SustainedDeadline"/> of its send (so the backlog does not grow). The run
/// stops at the first rate that does not hold.
/// </summary>
public static class Sustained
{
    public static async Task<SustainedResult> RunAsync(BenchmarkApp app, BenchmarkSettings settings, CancellationToken cancellationToken)
    {
        var enterprise = await app.CreateEnterpriseAsync("bench-sustained", 512, cancellationToken);
        var steps = new List<SustainedStep>();
        foreach (var rate in settings.SustainedRateList())
        {
            await SingleTriggers.DrainAsync(app, settings, cancellationToken);
            await app.ResetEmulatorAsync(cancellationToken);
            var step = await StepAsync(app, settings, enterprise, rate, cancellationToken);
            steps.Add(step);
            var holds = step.Holds(settings.SustainedDeadline);
            Report.Line($"{rate,5}/s offered: {Report.Rate(step.AcceptedPerSecond, "accepted/s")}, {step.Failed} refused, {step.Lost} not received;"
                + $" trigger -> Novu p50 {Report.Ms(step.P(50))}, p99 {Report.Ms(step.P(99))}, max {Report.Ms(step.P(100))} -> {(holds ? "holds" : "does not hold")} (load {step.Load})");
            if (!holds)
            {
                break;
            }
        }

        return new SustainedResult(steps, settings.SustainedDeadline);
    }

    private static async Task<SustainedStep> StepAsync(
        BenchmarkApp app, BenchmarkSettings settings, BenchEnterprise enterprise, int rate, CancellationToken cancellationToken)
    {
        var prefix = $"sus-{rate}-{Guid.NewGuid():N}"[..16] + "-";
        var calls = (int)(rate * settings.SustainedStep.TotalSeconds);
        var sentAt = new ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var failed = 0;
        var offeredOver = await Load.OpenLoopAsync(calls, TimeSpan.FromSeconds(1.0 / rate), async i =>
        {
            var transactionId = prefix + i.ToString(CultureInfo.InvariantCulture);
            var body = $$$"""{"workflowId":"default-sms","to":"bench-sustained-{{{i % 1000}}}","transactionId":"{{{transactionId}}}","payload":{"body":"Sustained {{{i}}}"}}""";
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            var start = DateTimeOffset.UtcNow;
            try
            {
                using var response = await enterprise.Client.PostAsync("/api/trigger", content, cancellationToken);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    sentAt[transactionId] = start;
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // counted below
            }

            Interlocked.Increment(ref failed);
        }, cancellationToken);
        var load = Report.LoadAverage();

        var latencies = await app.DeliveryLatenciesAsync(enterprise.Id, sentAt, settings.DrainTimeout, cancellationToken);
        // Accepted per second of the window the triggers were offered over. (Until the fourth pass this divided by the
        // time to the last answer, so a step could not reach its own offered rate: 800/s held read as 793-796/s.)
        return new SustainedStep(rate, sentAt.Count / offeredOver.TotalSeconds, failed, sentAt.Count - latencies.Count, latencies, load);
    }
}
