using System.Diagnostics;
using System.Globalization;
using XNovu.Core.Sharding;
using XNovu.Testing.Sharding;

namespace XNovu.Benchmarks;

/// <summary>
/// Issue 32, deliverable 4: the trigger and claim paths with every enterprise on one database, then the same load
/// with the enterprises spread over two databases (two PostgreSQL servers on this machine), in one run, and the ratio
/// (docs/scaling.md, "Past one database"). Triggers go through the API's own coalescing writer and claims through the
/// dispatcher's own store, per shard (<see cref="ShardedPaths"/>); no HTTP, no rendering, no Novu: what is measured
/// is the database side of both paths and what a second shard costs or gives.
/// </summary>
/// <remarks>
/// The claim loops are the same in number in both layouts (split evenly over the shards), so the two figures compare
/// the same work. Two databases on the same cores cannot be twice as fast: the figure to read is the ratio on this
/// machine (the per-shard overhead), not a projection of shards on machines of their own.
/// </remarks>
internal static class ShardsCommand
{
    /// <param name="args">After <c>shards</c>: <c>--enterprises 8</c>, <c>--triggers 6000</c>, <c>--concurrency 16</c>, <c>--recipients 2</c>, <c>--claim-loops 4</c>, <c>--rounds 2</c>.</param>
    public static async Task<int> RunAsync(string[] args)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        var settings = new Settings(
            Int(args, "--enterprises", 8), Int(args, "--triggers", 6000), Int(args, "--concurrency", 16), Int(args, "--recipients", 2), Int(args, "--claim-loops", 4), Int(args, "--rounds", 2));
        var enterprises = Enumerable.Range(1, settings.Enterprises).Select(i => new Guid($"00000000-0000-0000-0032-{i:x12}")).ToList();
        Console.WriteLine($"XNovu shards: {settings.Triggers:N0} triggers of {settings.Recipients} recipients over {settings.Enterprises} enterprises, "
            + $"{settings.Concurrency} callers; {settings.ClaimLoops} claim loops of 100 in all; {settings.Rounds} rounds of each layout, alternating. Build: {Build}.");

        await using var a = await ShardServer.StartAsync("a", stop.Token);
        await using var b = await ShardServer.StartAsync("b", stop.Token);
        var one = new Dictionary<string, ShardDatabase> { ["one"] = await a.MigrateAsync("one", "xnovu_one", stop.Token) };
        var two = new Dictionary<string, ShardDatabase>
        {
            ["a"] = await a.MigrateAsync("a", "xnovu_two_a", stop.Token),
            ["b"] = await b.MigrateAsync("b", "xnovu_two_b", stop.Token),
        };

        var single = new ShardDirectory(["one"], enterprises.ToDictionary(e => e, _ => "one"), "one");
        var spread = new ShardDirectory(["a", "b"], enterprises.Select((e, i) => (e, i)).ToDictionary(p => p.e, p => p.i % 2 == 0 ? "a" : "b"), "a");
        await using var onePaths = await PrepareAsync(single, one, enterprises, settings, stop.Token);
        await using var twoPaths = await PrepareAsync(spread, two, enterprises, settings, stop.Token);

        // Both servers' CPU, whichever layout runs: the cost of the work, whatever share of the machine it got.
        double ServersCpu() => a.CpuSeconds() + b.CpuSeconds();

        // The layouts alternate, round after round, so that a change of the machine's load falls on both.
        var figures = new List<(string Layout, Figures Figures)>();
        for (var round = 1; round <= settings.Rounds; round++)
        {
            figures.Add(("one database", await MeasureAsync(onePaths, enterprises, settings, $"r{round}", ServersCpu, stop.Token)));
            figures.Add(("two databases", await MeasureAsync(twoPaths, enterprises, settings, $"r{round}", ServersCpu, stop.Token)));
        }

        Console.WriteLine();
        Console.WriteLine($"{"layout",-14} {"triggers/s",11} {"deliveries claimed/s",21} {"PG CPU ms/trigger",18} {"PG CPU ms/delivery",19} {"load at start",14}");
        foreach (var (layout, f) in figures)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{layout,-14} {f.TriggersPerSecond,11:N0} {f.ClaimedPerSecond,21:N0} {f.ServerMsPerTrigger,18:0.000} {f.ServerMsPerDelivery,19:0.000} {f.LoadAtStart,14}"));
        }

        double Mean(string layout, Func<Figures, double> figure) => figures.Where(f => f.Layout == layout).Average(f => figure(f.Figures));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"two / one, mean of {settings.Rounds} rounds: triggers/s {Mean("two databases", f => f.TriggersPerSecond) / Mean("one database", f => f.TriggersPerSecond):0.00}, "
            + $"deliveries claimed/s {Mean("two databases", f => f.ClaimedPerSecond) / Mean("one database", f => f.ClaimedPerSecond):0.00}; "
            + $"PostgreSQL CPU per trigger {Mean("two databases", f => f.ServerMsPerTrigger) / Mean("one database", f => f.ServerMsPerTrigger):0.00}, "
            + $"per delivery {Mean("two databases", f => f.ServerMsPerDelivery) / Mean("one database", f => f.ServerMsPerDelivery):0.00}"));
        return 0;
    }

    /// <summary>The layout's paths, its enterprises created on their shards, warmed up (pools, prepared statements, the writers' kept lookups).</summary>
    private static async Task<ShardedPaths> PrepareAsync(
        ShardDirectory directory, Dictionary<string, ShardDatabase> databases, List<Guid> enterprises, Settings settings, CancellationToken cancellationToken)
    {
        Console.WriteLine($"{string.Join(" + ", directory.Shards.Select(s => $"{s}: {enterprises.Count(e => directory.ShardOf(e) == s)} enterprises"))}");
        var paths = new ShardedPaths(directory, databases);
        await paths.CreateEnterprisesAsync(enterprises, cancellationToken);
        await TriggerAsync(paths, enterprises, enterprises.Count * 10, settings, "warm", cancellationToken);
        await ClaimAllAsync(paths, settings, cancellationToken);
        return paths;
    }

    private static async Task<Figures> MeasureAsync(
        ShardedPaths paths, List<Guid> enterprises, Settings settings, string round, Func<double> serversCpu, CancellationToken cancellationToken)
    {
        var load = Report.LoadAverage();
        var cpu = serversCpu();
        var clock = Stopwatch.StartNew();
        var refused = await TriggerAsync(paths, enterprises, settings.Triggers, settings, round, cancellationToken);
        var triggerSeconds = clock.Elapsed.TotalSeconds;
        var triggerCpu = serversCpu() - cpu;
        cpu = serversCpu();
        clock.Restart();
        var claimed = await ClaimAllAsync(paths, settings, cancellationToken);
        var claimSeconds = clock.Elapsed.TotalSeconds;
        var claimCpu = serversCpu() - cpu;
        if (claimed != (settings.Triggers - refused) * settings.Recipients)
        {
            throw new InvalidOperationException($"{claimed} deliveries claimed, {(settings.Triggers - refused) * settings.Recipients} expected.");
        }

        var figures = new Figures(
            (settings.Triggers - refused) / triggerSeconds, claimed / claimSeconds, 1000 * triggerCpu / (settings.Triggers - refused), 1000 * claimCpu / claimed, load);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{string.Join("+", paths.Directory.Shards)}, {round}: load {load} at start; {settings.Triggers - refused:N0} triggers stored ({refused} refused) in {triggerSeconds:0.0} s ({figures.TriggersPerSecond:N0}/s); {claimed:N0} deliveries claimed and completed in {claimSeconds:0.0} s ({figures.ClaimedPerSecond:N0}/s); PostgreSQL CPU {triggerCpu:0.0} s and {claimCpu:0.0} s"));
        return figures;
    }

    /// <summary>
    /// <paramref name="count"/> triggers, enterprise after enterprise, <see cref="Settings.Concurrency"/> callers at
    /// once: how many were refused for a database error (what the API answers 503, and a caller sends again).
    /// </summary>
    private static async Task<int> TriggerAsync(ShardedPaths paths, List<Guid> enterprises, int count, Settings settings, string prefix, CancellationToken cancellationToken)
    {
        var next = -1;
        var refused = 0;
        var recipients = Enumerable.Range(0, settings.Recipients).Select(r => $"subscriber-{r}").ToArray();
        await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                try
                {
                    await paths.TriggerAsync(enterprises[i % enterprises.Count], $"{prefix}-{i}", recipients, cancellationToken);
                }
                catch (Npgsql.NpgsqlException e)
                {
                    Interlocked.Increment(ref refused);
                    Console.WriteLine($"   trigger {prefix}-{i} refused (503 at the API): {e.Message}");
                }
            }
        }, cancellationToken)));
        return refused;
    }

    /// <summary>The claim loops, split evenly over the shards, each claiming and completing until its shard is empty.</summary>
    private static async Task<int> ClaimAllAsync(ShardedPaths paths, Settings settings, CancellationToken cancellationToken)
    {
        var directory = paths.Directory;
        var perShard = Math.Max(1, settings.ClaimLoops / directory.Shards.Count);
        var loops = directory.Shards.SelectMany(shard => Enumerable.Range(0, perShard).Select(loop => Task.Run(async () =>
        {
            var worker = $"bench-{shard}-{loop}";
            var claimed = 0;
            while (await paths.ClaimAsync(shard, worker, 100, cancellationToken) is { Count: > 0 } batch)
            {
                await paths.CompleteSentAsync(shard, worker, batch, cancellationToken);
                claimed += batch.Count;
            }

            return claimed;
        }, cancellationToken)));
        return (await Task.WhenAll(loops)).Sum();
    }

    private static int Int(string[] args, string name, int fallback) =>
        args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

#if DEBUG
    private const string Build = "Debug (figures only prove the paths work)";
#else
    private const string Build = "Release";
#endif

    private sealed record Settings(int Enterprises, int Triggers, int Concurrency, int Recipients, int ClaimLoops, int Rounds);

    private sealed record Figures(double TriggersPerSecond, double ClaimedPerSecond, double ServerMsPerTrigger, double ServerMsPerDelivery, string LoadAtStart);
}
