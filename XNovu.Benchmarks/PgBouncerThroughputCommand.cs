using System.Globalization;
using XNovu.Testing.ProductionRun;

namespace XNovu.Benchmarks;

/// <summary>
/// Issue 31, item 3: the trigger and dispatch throughput of the production-shaped deployment (published binaries,
/// two APIs, two dispatchers) with the services connected to PostgreSQL directly, then the same through PgBouncer
/// in transaction mode (docs/operations.md, "Behind PgBouncer"), in one run, and the ratio.
/// </summary>
internal static class PgBouncerThroughputCommand
{
    /// <param name="args">After <c>pgbouncer-throughput</c>: <c>--seconds 30</c>, <c>--concurrency 32</c>, <c>--no-build</c>.</param>
    public static async Task<int> RunAsync(string[] args)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        var seconds = int.Parse(Option(args, "--seconds") ?? "30", CultureInfo.InvariantCulture);
        var concurrency = int.Parse(Option(args, "--concurrency") ?? "32", CultureInfo.InvariantCulture);
        var figures = new Dictionary<string, ThroughputFigures>();
        foreach (var (name, bouncer) in new[] { ("direct", false), ("PgBouncer", true) })
        {
            await ProductionShapedRun.RunAsync(new ProductionRunOptions
            {
                NoBuild = args.Contains("--no-build") || figures.Count > 0,
                ThroughPgBouncer = bouncer,
                Timeout = TimeSpan.FromMinutes(15),
                // The emulator stands for a large Novu plan: Novu's rate is not what is compared.
                ServiceEnvironment = new Dictionary<string, string> { ["XNovu__Novu__RequestsPerSecond"] = "6000" },
                Load = async (context, token) =>
                {
                    Console.WriteLine($"{name}: {concurrency} callers for {seconds} s over {context.Apis.Count} APIs");
                    figures[name] = await ThroughputProbe.MeasureAsync(context, TimeSpan.FromSeconds(seconds), concurrency, token);
                },
            }, Console.WriteLine, stop.Token);
        }

        Console.WriteLine();
        Console.WriteLine($"{"deployment",-10} {"accepted",9} {"refused",8} {"triggers/s",11} {"p50 ms",8} {"p99 ms",8} {"SENT/s",8} {"drain s",8}");
        foreach (var (name, f) in figures)
        {
            Console.WriteLine($"{name,-10} {f.Accepted,9:N0} {f.Refused,8:N0} {f.PerSecond,11:N0} {f.P50Ms,8:0.0} {f.P99Ms,8:0.0} {f.DispatchPerSecond,8:N0} {f.DrainSeconds,8:0.0}");
        }

        var (direct, pooled) = (figures["direct"], figures["PgBouncer"]);
        Console.WriteLine($"PgBouncer / direct: triggers/s {pooled.PerSecond / direct.PerSecond:0.00}, p99 {pooled.P99Ms / direct.P99Ms:0.00}, SENT/s {pooled.DispatchPerSecond / direct.DispatchPerSecond:0.00}");
        return direct.Refused + pooled.Refused == 0 ? 0 : 1;
    }

    private static string? Option(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
}
