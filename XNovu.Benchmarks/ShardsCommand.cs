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
    /// <param name="args">After <c>shards</c>: <c>--enterprises 8</c>, <c>--triggers 6000</c>, <c>--concurrency 16</c>, <c>--recipients 2</c>, <c>--claim-loops 4</c>.</param>
    public static async Task<int> RunAsync(string[] args)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        var settings = new Settings(
            Int(args, "--enterprises", 8), Int(args, "--triggers", 6000), Int(args, "--concurrency", 16), Int(args, "--recipients", 2), Int(args, "--claim-loops", 4));
        var enterprises = Enumerable.Range(1, settings.Enterprises).Select(i => new Guid($"00000000-0000-0000-0032-{i:x12}")).ToList();
        Console.WriteLine($"XNovu shards: {settings.Triggers:N0} triggers of {settings.Recipients} recipients over {settings.Enterprises} enterprises, "
            + $"{settings.Concurrency} callers; {settings.ClaimLoops} claim loops of 100 in all. Build: {Build}.");

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
        var figures = new List<(string Layout, Figures Figures)>
        {
            ("one database", await MeasureAsync(single, one, enterprises, settings, stop.Token)),
            ("two databases", await MeasureAsync(spread, two, enterprises, settings, stop.Token)),
        };

        Console.WriteLine();
        Console.WriteLine($"{"layout",-14} {"triggers/s",11} {"deliveries claimed/s",21} {"load at start",14}");
        foreach (var (layout, f) in figures)
        {
            Console.WriteLine($"{layout,-14} {f.TriggersPerSecond,11:N0} {f.ClaimedPerSecond,21:N0} {f.LoadAtStart,14}");
        }

        var (first, second) = (figures[0].Figures, figures[1].Figures);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"two / one: triggers/s {second.TriggersPerSecond / first.TriggersPerSecond:0.00}, deliveries claimed/s {second.ClaimedPerSecond / first.ClaimedPerSecond:0.00}"));
        return 0;
    }

    private static async Task<Figures> MeasureAsync(
        ShardDirectory directory, Dictionary<string, ShardDatabase> databases, List<Guid> enterprises, Settings settings, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"{string.Join(" + ", directory.Shards.Select(s => $"{s}: {enterprises.Count(e => directory.ShardOf(e) == s)} enterprises"))}");
        await using var paths = new ShardedPaths(directory, databases);
        await paths.CreateEnterprisesAsync(enterprises, cancellationToken);

        // A warm-up per enterprise (pools, prepared statements, the writers' kept lookups), claimed away before the clock.
        await TriggerAsync(paths, enterprises, enterprises.Count * 10, settings, "warm", cancellationToken);
        await ClaimAllAsync(paths, directory, settings, cancellationToken);

        var load = Report.LoadAverage();
        var clock = Stopwatch.StartNew();
        await TriggerAsync(paths, enterprises, settings.Triggers, settings, "run", cancellationToken);
        var triggerSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var claimed = await ClaimAllAsync(paths, directory, settings, cancellationToken);
        var claimSeconds = clock.Elapsed.TotalSeconds;
        if (claimed != settings.Triggers * settings.Recipients)
        {
            throw new InvalidOperationException($"{claimed} deliveries claimed, {settings.Triggers * settings.Recipients} expected.");
        }

        var figures = new Figures(settings.Triggers / triggerSeconds, claimed / claimSeconds, load);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   load {load} at start; {settings.Triggers:N0} triggers in {triggerSeconds:0.0} s ({figures.TriggersPerSecond:N0}/s); {claimed:N0} deliveries claimed and completed in {claimSeconds:0.0} s ({figures.ClaimedPerSecond:N0}/s)"));
        return figures;
    }

    /// <summary><paramref name="count"/> triggers, enterprise after enterprise, <see cref="Settings.Concurrency"/> callers at once.</summary>
    private static async Task TriggerAsync(ShardedPaths paths, List<Guid> enterprises, int count, Settings settings, string prefix, CancellationToken cancellationToken)
    {
        var next = -1;
        var recipients = Enumerable.Range(0, settings.Recipients).Select(r => $"subscriber-{r}").ToArray();
        await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                await paths.TriggerAsync(enterprises[i % enterprises.Count], $"{prefix}-{i}", recipients, cancellationToken);
            }
        }, cancellationToken)));
    }

    /// <summary>The claim loops, split evenly over the shards, each claiming and completing until its shard is empty.</summary>
    private static async Task<int> ClaimAllAsync(ShardedPaths paths, ShardDirectory directory, Settings settings, CancellationToken cancellationToken)
    {
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

    private sealed record Settings(int Enterprises, int Triggers, int Concurrency, int Recipients, int ClaimLoops);

    private sealed record Figures(double TriggersPerSecond, double ClaimedPerSecond, string LoadAtStart);
}
