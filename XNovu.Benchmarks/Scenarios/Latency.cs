using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;

namespace XNovu.Benchmarks.Scenarios;

/// <summary>Latencies in milliseconds, ascending.</summary>
public sealed record LatencySample(IReadOnlyList<double> TriggerToNovu, IReadOnlyList<double> Accepted, int Sent, int Failed)
{
    public int Lost => Sent - Failed - TriggerToNovu.Count;

    public double P(double percent) => Load.Percentile(TriggerToNovu, percent);

    public double AcceptedP(double percent) => Load.Percentile(Accepted, percent);
}

public sealed record LatencyResult(LatencySample Idle, LatencySample Loaded, int PerSecond, TimeSpan Duration);

/// <summary>
/// Scenario 4: trigger-to-Novu latency. For each <c>POST /api/trigger</c>, the emulator's <c>receivedAt</c>
/// minus the moment the client started sending (one machine, one clock). First a few triggers spaced apart
/// on idle dispatchers, then a steady open-loop load.
/// </summary>
public static class Latency
{
    public static async Task<LatencyResult> RunAsync(BenchmarkApp app, BenchmarkSettings settings, CancellationToken cancellationToken)
    {
        await SingleTriggers.DrainAsync(app, settings, cancellationToken);
        await app.ResetEmulatorAsync(cancellationToken);
        var enterprise = await app.CreateEnterpriseAsync("bench-latency", 64, cancellationToken);
        var run = Guid.NewGuid().ToString("N")[..8];

        var idle = await MeasureAsync(app, settings, enterprise, $"lat-idle-{run}-", settings.IdleTriggers, settings.IdleSpacing, cancellationToken);
        Report.Line($"idle:   {idle.Sent} triggers {settings.IdleSpacing.TotalMilliseconds:0} ms apart: p50 {Report.Ms(idle.P(50))}, max {Report.Ms(idle.P(100))}"
            + $" (202 answered in p50 {Report.Ms(idle.AcceptedP(50))}); {idle.Failed} failed, {idle.Lost} not received");

        var calls = (int)(settings.LatencyPerSecond * settings.LatencyDuration.TotalSeconds);
        var loaded = await MeasureAsync(app, settings, enterprise, $"lat-load-{run}-", calls, TimeSpan.FromSeconds(1.0 / settings.LatencyPerSecond), cancellationToken);
        Report.Line($"loaded: {loaded.Sent} triggers at {settings.LatencyPerSecond}/s: p50 {Report.Ms(loaded.P(50))}, p95 {Report.Ms(loaded.P(95))}, p99 {Report.Ms(loaded.P(99))}, max {Report.Ms(loaded.P(100))}"
            + $" (202 answered in p50 {Report.Ms(loaded.AcceptedP(50))}, p99 {Report.Ms(loaded.AcceptedP(99))}); {loaded.Failed} failed, {loaded.Lost} not received");
        return new LatencyResult(idle, loaded, settings.LatencyPerSecond, settings.LatencyDuration);
    }

    private static async Task<LatencySample> MeasureAsync(
        BenchmarkApp app, BenchmarkSettings settings, BenchEnterprise enterprise, string prefix, int calls, TimeSpan interval, CancellationToken cancellationToken)
    {
        var sentAt = new ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var accepted = new ConcurrentBag<double>();
        var failed = 0;
        await Load.OpenLoopAsync(calls, interval, async i =>
        {
            var transactionId = prefix + i.ToString(CultureInfo.InvariantCulture);
            var body = $$$"""{"workflowId":"default-sms","to":"bench-latency-{{{i}}}","transactionId":"{{{transactionId}}}","payload":{"body":"Latency probe {{{i}}}"}}""";
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            var start = DateTimeOffset.UtcNow;
            try
            {
                using var response = await enterprise.Client.PostAsync("/api/trigger", content, cancellationToken);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    sentAt[transactionId] = start;
                    accepted.Add((DateTimeOffset.UtcNow - start).TotalMilliseconds);
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // counted below
            }

            Interlocked.Increment(ref failed);
        }, cancellationToken);

        var latencies = await app.DeliveryLatenciesAsync(enterprise.Id, sentAt, settings.DrainTimeout, cancellationToken);
        return new LatencySample(latencies, accepted.Order().ToList(), calls, failed);
    }
}
