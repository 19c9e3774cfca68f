using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace XNovu.Benchmarks.Scenarios;

public sealed record BulkTriggerResult(LoopResult Http, int EventsPerCall, double BaselineRowsPerSecond)
{
    public double EventsPerSecond => Http.PerSecond(EventsPerCall);

    public double Ratio => EventsPerSecond / BaselineRowsPerSecond;
}

/// <summary>
/// Scenario 2: events per second through <c>POST /api/trigger/bulk</c>, against the pgbench rate of
/// scenario 1 in rows per second (one row per transaction: what a caller without a bulk API gets).
/// </summary>
public static class BulkTriggers
{
    public static async Task<BulkTriggerResult> RunAsync(BenchmarkApp app, BenchmarkSettings settings, double pgbenchRowsPerSecond, CancellationToken cancellationToken)
    {
        var enterprise = await app.CreateEnterpriseAsync("bench-bulk", settings.BulkConcurrency, cancellationToken);
        var size = settings.BulkEventsPerCall;

        var warmUp = await BulkAsync(enterprise, "warm", size, cancellationToken);
        Report.Line($"warm-up: one call of {size} events{(warmUp is null ? "" : $", failed: {warmUp}")}");
        await SingleTriggers.DrainAsync(app, settings, cancellationToken);

        var http = await Load.ClosedLoopAsync(settings.BulkCalls, settings.BulkConcurrency, i => BulkAsync(enterprise, i.ToString(CultureInfo.InvariantCulture), size, cancellationToken));
        var result = new BulkTriggerResult(http, size, pgbenchRowsPerSecond);
        Report.Line($"HTTP:    {http.Calls} calls of {size} events at concurrency {settings.BulkConcurrency} in {http.Elapsed.TotalSeconds:0.00} s, {http.Failures} failed{(http.FirstFailure is null ? "" : $" (first: {http.FirstFailure})")} -> {Report.Rate(result.EventsPerSecond, "events/s")}");
        await SingleTriggers.DrainAsync(app, settings, cancellationToken);
        return result;
    }

    private static async Task<string?> BulkAsync(BenchEnterprise enterprise, string call, int size, CancellationToken cancellationToken)
    {
        var body = new StringBuilder("""{"events":[""");
        for (var i = 0; i < size; i++)
        {
            body.Append(i == 0 ? "" : ",")
                .Append(CultureInfo.InvariantCulture, $$$"""{"workflowId":"default-sms","to":"bench-bulk-{{{call}}}-{{{i}}}","payload":{"body":"Benchmark message {{{call}}}-{{{i}}}"}}""");
        }

        body.Append("]}");
        using var content = new StringContent(body.ToString(), Encoding.UTF8, "application/json");
        using var response = await enterprise.Client.PostAsync("/api/trigger/bulk", content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return $"HTTP {(int)response.StatusCode}: {text[..Math.Min(text.Length, 300)]}";
        }

        var accepted = (int?)JsonNode.Parse(text)?["accepted"];
        return accepted == size ? null : $"{accepted} of {size} events accepted";
    }
}
