using System.Diagnostics;
using System.Net;
using System.Text;

namespace XNovu.Benchmarks.Scenarios;

public sealed record SingleTriggerResult(IReadOnlyList<LoopResult> Http, IReadOnlyList<PgBenchResult> PgBench, IReadOnlyList<PgBenchResult> Plain)
{
    /// <summary>The 202's latency over every measured call of every round, in milliseconds.</summary>
    public IReadOnlyList<double> Latencies { get; } = Http.SelectMany(r => r.Latencies).Order().ToList();

    /// <summary>The plain anchor's rate: notification-shaped row, one delivery, NOTIFY, nothing else.</summary>
    public double PlainPerSecond => Plain.Sum(r => r.Transactions) / Plain.Sum(r => r.Transactions / r.TransactionsPerSecond);

    public double PlainRatio => HttpPerSecond / PlainPerSecond;

    /// <summary>All rounds' successful triggers over all rounds' time.</summary>
    public double HttpPerSecond => Http.Sum(r => r.Calls - r.Failures) / Http.Sum(r => r.Elapsed.TotalSeconds);

    /// <summary>All rounds' transactions over the time pgbench reports for them.</summary>
    public double PgBenchPerSecond => PgBench.Sum(r => r.Transactions) / PgBench.Sum(r => r.Transactions / r.TransactionsPerSecond);

    public double Ratio => HttpPerSecond / PgBenchPerSecond;
}

/// <summary>
/// Scenario 1: <c>POST /api/trigger</c> at concurrency 32 against pgbench inserting the same rows at the
/// same concurrency, in alternating rounds. The dispatchers run throughout and send what each side
/// inserts, as in production; each round starts with an empty queue, so both sides share the machine
/// with the same dispatch work.
/// </summary>
public static class SingleTriggers
{
    /// <param name="beforeRounds">Run after the warm-up, before the first measured round (history-at-scale: a checkpoint).</param>
    public static async Task<SingleTriggerResult> RunAsync(
        BenchmarkApp app, BenchmarkSettings settings, CancellationToken cancellationToken, Func<CancellationToken, Task>? beforeRounds = null)
    {
        var enterprise = await app.CreateEnterpriseAsync("bench-single", settings.SingleConcurrency, cancellationToken);
        var sqlEnterprise = await app.CreateEnterpriseAsync("bench-pgbench", 1, cancellationToken);
        var pgbench = PgBench.Locate(settings.PgBenchPath);

        var warming = Stopwatch.StartNew();
        var (warmCalls, warmFailures, warmRates) = (0, 0, new List<string>());
        do
        {
            var offset = warmCalls;
            var warmUp = await Load.ClosedLoopAsync(settings.SingleWarmUp, settings.SingleConcurrency, i => TriggerAsync(enterprise, $"warm-{offset + i}", cancellationToken));
            (warmCalls, warmFailures) = (warmCalls + warmUp.Calls, warmFailures + warmUp.Failures);
            warmRates.Add(warmUp.PerSecond().ToString("0", System.Globalization.CultureInfo.InvariantCulture));
        }
        while (warming.Elapsed.TotalSeconds < settings.SingleWarmUpSeconds);

        Report.Line($"warm-up: {warmCalls} triggers in {warming.Elapsed.TotalSeconds:0} s, {warmFailures} failed; triggers/s by round of {settings.SingleWarmUp}: {string.Join(' ', warmRates)}");

        var perRound = settings.SingleRequests / settings.SingleRounds;
        var perClient = (int)Math.Ceiling(perRound / (double)settings.SingleConcurrency);
        var http = new List<LoopResult>();
        var sql = new List<PgBenchResult>();
        var plain = new List<PgBenchResult>();
        await PgBench.PreparePlainAsync(app.OwnerConnectionString, cancellationToken);
        if (beforeRounds is not null)
        {
            await beforeRounds(cancellationToken);
        }

        for (var round = 1; round <= settings.SingleRounds; round++)
        {
            await DrainAsync(app, settings, cancellationToken);
            var offset = (round - 1) * perRound;
            var started = DateTime.UtcNow;
            var loop = await Load.ClosedLoopAsync(perRound, settings.SingleConcurrency, i => TriggerAsync(enterprise, (offset + i).ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken));
            http.Add(loop);
            // The round's clock times (UTC), to set it beside a sampler's or PostgreSQL's log.
            Report.Line($"round {round} ({started:HH:mm:ss}-{DateTime.UtcNow:HH:mm:ss}): HTTP    {loop.Calls} triggers in {loop.Elapsed.TotalSeconds:0.00} s, {loop.Failures} failed{(loop.FirstFailure is null ? "" : $" (first: {loop.FirstFailure})")} -> {Report.Rate(loop.PerSecond(), "triggers/s")}, 202 p50 {Report.Ms(loop.P(50))} p99 {Report.Ms(loop.P(99))} (load {Report.LoadAverage()})");

            await DrainAsync(app, settings, cancellationToken);
            var run = await PgBench.RunAsync(pgbench, app.AppConnectionString, sqlEnterprise.Id,
                settings.SingleConcurrency, settings.PgBenchThreads, perClient, cancellationToken);
            sql.Add(run);
            Report.Line($"         pgbench {run.Transactions} inserts, {run.Failed} failed -> {Report.Rate(run.TransactionsPerSecond, "rows/s")} ({run.Command}) (load {Report.LoadAverage()})");

            var anchor = await PgBench.RunScriptAsync(pgbench, app.OwnerConnectionString, PgBench.PlainScript,
                settings.SingleConcurrency, settings.PgBenchThreads, perClient, cancellationToken);
            plain.Add(anchor);
            Report.Line($"         plain   {anchor.Transactions} inserts, {anchor.Failed} failed -> {Report.Rate(anchor.TransactionsPerSecond, "rows/s")} (plain table, one delivery, NOTIFY; as the owner) (load {Report.LoadAverage()})");
        }

        await DrainAsync(app, settings, cancellationToken);
        return new SingleTriggerResult(http, sql, plain);
    }

    private static async Task<string?> TriggerAsync(BenchEnterprise enterprise, string suffix, CancellationToken cancellationToken)
    {
        var body = $$$"""{"workflowId":"default-sms","to":"bench-single-{{{suffix}}}","payload":{"body":"Benchmark message {{{suffix}}}"}}""";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await enterprise.Client.PostAsync("/api/trigger", content, cancellationToken);
        return response.StatusCode == HttpStatusCode.Accepted
            ? null
            : $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}";
    }

    internal static async Task DrainAsync(BenchmarkApp app, BenchmarkSettings settings, CancellationToken cancellationToken)
    {
        if (!await app.WaitForDrainAsync(null, settings.DrainTimeout, cancellationToken))
        {
            Report.Line($"warning: deliveries still open after {settings.DrainTimeout.TotalSeconds:0} s; going on");
        }
    }
}
