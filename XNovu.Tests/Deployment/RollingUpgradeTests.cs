using Xunit.Abstractions;
using XNovu.Testing.ProductionRun;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Deployment;

/// <summary>
/// Issue 27, item 4: a rolling upgrade, as the production-shaped run starts the services (published binaries, the
/// Kubernetes base's environment, no AppHost). The previous release's API and dispatcher serve a database at the
/// previous schema holding a history; triggers flow throughout while the new release's migrator applies the new
/// scripts, the new release's API and dispatcher start beside the previous ones, and the previous ones are stopped.
/// Both releases are this build, so what is proven is the schema change with services running, and that services
/// started before it work on the expanded schema. <c>dotnet run --project XNovu.Benchmarks -- migration-under-load</c>
/// runs the same at 5 million notifications and 500 triggers/s, with the latency targets.
/// </summary>
[Collection(PublishedServicesCollection.Name)]
public sealed class RollingUpgradeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_previous_release_keeps_serving_while_the_new_migrations_apply_and_the_new_release_starts_beside_it()
    {
        var result = await UpgradeUnderLoad.RunAsync(
            new UpgradeRunOptions
            {
                Configuration = RepositoryPaths.Configuration,
                NoBuild = true,
                Notifications = 20_000,
                TriggersPerSecond = 50,
                WarmUp = TimeSpan.FromSeconds(10),
                Before = TimeSpan.FromSeconds(5),
                Beside = TimeSpan.FromSeconds(15),
                SlowStart = TimeSpan.FromSeconds(5),
                After = TimeSpan.FromSeconds(5),
                PlainBuildUnderLoad = false,
                DrainTimeout = TimeSpan.FromMinutes(2),
                Timeout = TimeSpan.FromMinutes(10),
            },
            output.WriteLine,
            CancellationToken.None);

        output.WriteLine($"migration {result.Migration.TotalSeconds:0.0} s: {string.Join(", ", result.Applied)}; "
            + $"{result.Triggers.Count} triggers, {result.Accepted} accepted, drained in {result.Drain.TotalSeconds:0.0} s, statuses {string.Join(", ", result.Triggers.GroupBy(t => t.Status).Select(g => $"{g.Key}: {g.Count()}"))}");

        // The new release's scripts ran while the previous release served, and no service call waited behind them for
        // more than a moment. An ALTER TABLE on a hot table needs its ACCESS EXCLUSIVE lock for its commit at least,
        // so a call arriving then waits those milliseconds; what must not happen is a call queued behind a lock the
        // migrator itself waits for (up to its lock_timeout, 1 s): the migrator asks with NOWAIT (TableLocks).
        foreach (var (phase, waits) in result.MaxLockWaiters)
        {
            output.WriteLine($"{phase}: lock waiters at once {waits.Any}, behind the migrator {waits.BehindOthers}, longest {waits.LongestBehindOthersMs:0} ms{(waits.Blocker is null ? "" : $" behind: {waits.Blocker}")}");
        }

        Assert.Contains("0053_history_partitions", result.Applied);
        Assert.All(result.MaxLockWaiters, phase => Assert.True(phase.Value.LongestBehindOthersMs < 200,
            $"{phase.Key}: a service call waited {phase.Value.LongestBehindOthersMs:0} ms behind: {phase.Value.Blocker}"));
        Assert.Matches("ix_delivery_subscriber|enterprise_id_subscriber_id_idx", result.SubscriberLookupPlan);

        // Every call was answered, with 202 or at worst 503; every 202 is stored and SENT.
        Assert.All(result.Triggers, t => Assert.Contains(t.Status, new[] { 202, 503 }));
        Assert.Contains(result.Triggers, t => t.Phase == UpgradeRunResult.SideBySide && t.Api == "api-1" && t.Status == 202);
        Assert.Contains(result.Triggers, t => t.Phase == UpgradeRunResult.Migrating && t.Status == 202);
        Assert.Equal(0, result.Lost);
        Assert.Equal(result.Accepted, result.Delivered);
        Assert.True(result.PreviousStoppedGracefully, "the previous release did not stop within 30 s of SIGTERM");
        // The previous dispatcher finished the batch it held when it was stopped (ShutdownDrain): nothing waited for
        // its lease (60 s) to expire. Before the drain, one run waited 54 s here.
        Assert.True(result.Drain < TimeSpan.FromSeconds(30), $"the last triggers took {result.Drain.TotalSeconds:0} s to be SENT after the load stopped");
    }
}
