using XNovu.Testing.NoisyNeighbours;

namespace XNovu.Benchmarks;

/// <summary>
/// The sizes of a run, overridable on the command line (<c>-- --SingleRequests 1000</c>). The defaults keep a
/// whole run, start-up included, within about five minutes on two cores.
/// </summary>
public sealed class BenchmarkSettings
{
    /// <summary>
    /// Single triggers measured, after the warm-up: 4 rounds of 3,000 (about 3 s each). Until the fourth pass it was
    /// 2 rounds of 1,500, about 1.5 s each: too short for a rate, since the first autovacuum after the 60 s warm-up
    /// (autovacuum_naptime is 60 s) fell in round 1 every time. Sampled in one run: VACUUM ANALYZE of the deliveries
    /// during round 1 (589/s), none during round 2 (945/s). Longer rounds and more of them weigh it as production
    /// does, on one stretch of the run.
    /// </summary>
    public int SingleRequests { get; set; } = 12000;

    /// <summary>
    /// The warm-up runs in rounds of this many unmeasured single triggers until <see cref="SingleWarmUpSeconds"/>
    /// have passed (at least one round); the rate of each round is printed.
    /// </summary>
    public int SingleWarmUp { get; set; } = 2000;

    /// <summary>
    /// How long the warm-up lasts. Each service's JIT keeps recompiling hot methods (tier 0, then instrumented,
    /// then optimized) for about a minute of load on two cores: after 3,000 warm-up triggers the first measured
    /// round ran at two thirds of the second's rate (407 against 615/s). 0 gives one round of
    /// <see cref="SingleWarmUp"/>.
    /// </summary>
    public double SingleWarmUpSeconds { get; set; } = 60;

    /// <summary>
    /// The single-trigger requests and the pgbench transactions are each split into this many rounds,
    /// alternated (HTTP, pgbench, HTTP, pgbench...), so a change in the machine's background load weighs on
    /// both sides alike.
    /// </summary>
    public int SingleRounds { get; set; } = 4;

    /// <summary>Callers in flight for single triggers, and pgbench's clients (<c>-c</c>).</summary>
    public int SingleConcurrency { get; set; } = 32;

    /// <summary>pgbench's worker threads (<c>-j</c>).</summary>
    public int PgBenchThreads { get; set; } = 2;

    public int BulkCalls { get; set; } = 20;

    public int BulkEventsPerCall { get; set; } = 500;

    public int BulkConcurrency { get; set; } = 4;

    /// <summary>Notifications inserted at once for the dispatch scenario.</summary>
    public int DispatchNotifications { get; set; } = 10000;

    /// <summary>
    /// Rounds of the dispatch scenario, each the dispatchers then the raw loop; the medians are reported,
    /// because one round of either lasts well under a second and a shared machine is noisy.
    /// </summary>
    public int DispatchRounds { get; set; } = 3;

    /// <summary>How far ahead they fall due, so the insert is committed before the dispatchers see any.</summary>
    public TimeSpan DispatchLead { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Dispatcher replicas; each runs <see cref="DispatcherLoops"/> claim loops.</summary>
    public int DispatcherReplicas { get; set; } = 2;

    public int DispatcherLoops { get; set; } = 2;

    /// <summary>Events per bulk call of the raw loop: Novu's and the dispatcher's batch size.</summary>
    public int RawBulkSize { get; set; } = 100;

    /// <summary>Offered load of the latency scenario (open loop: a trigger leaves on schedule, answered or not).</summary>
    public int LatencyPerSecond { get; set; } = 20;

    public TimeSpan LatencyDuration { get; set; } = TimeSpan.FromSeconds(15);

    public int IdleTriggers { get; set; } = 20;

    public TimeSpan IdleSpacing { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Scenario 5: the offered rates (triggers/s, comma-separated), tried in order until one does not hold.</summary>
    public string SustainedRates { get; set; } = "200,400,600,800,1000,1200,1600";

    /// <summary>Scenario 5: how long each rate is offered.</summary>
    public TimeSpan SustainedStep { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Scenario 5: a rate holds when every accepted trigger reaches Novu within this time of its send.</summary>
    public TimeSpan SustainedDeadline { get; set; } = TimeSpan.FromSeconds(1);

    public IEnumerable<int> SustainedRateList() =>
        SustainedRates.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(r => int.Parse(r, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Scenario 6: outbox messages queued at once for one local endpoint, and timed until all are delivered.</summary>
    public int WebhookMessages { get; set; } = 20_000;

    /// <summary>Scenario 6: triggers per round (c = SingleConcurrency) to compare the 202's p99 with and without webhooks.</summary>
    public int WebhookTriggerCalls { get; set; } = 2_000;

    /// <summary>
    /// More AppHost settings, <c>;</c>-separated <c>key=value</c> pairs, e.g. to measure without commit coalescing or
    /// without the overlapped completion: <c>--AppHostArgs "XNovu:Triggers:Commit:Coalesce=false;XNovu:Dispatcher:OverlapCompletion=false"</c>.
    /// </summary>
    public string? AppHostArgs { get; set; }

    /// <summary>The longest wait for the dispatchers to drain a queue; past it the run reports and moves on.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(120);

    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>pgbench; empty: <c>pg_config --bindir</c>, then <c>/usr/lib/postgresql/*/bin</c>, then PATH.</summary>
    public string? PgBenchPath { get; set; }

    /// <summary>
    /// The local servers' data folder. Empty: a fresh folder in the temp directory, deleted at the end. Given: that
    /// folder, kept, so a later run can start on what this one loaded (<c>history-at-scale</c> reuses its history).
    /// </summary>
    public string? DataPath { get; set; }

    /// <summary>These settings for a second app of the same run: another data folder (null: a fresh one) and log folder.</summary>
    public BenchmarkSettings ForApp(string? dataPath, string logSuffix)
    {
        var copy = (BenchmarkSettings)MemberwiseClone();
        copy.DataPath = dataPath;
        copy.LogPath = LogPath + logSuffix;
        return copy;
    }

    /// <summary>Where each resource's console output goes, one file per resource.</summary>
    public string LogPath { get; set; } = Path.Combine(Path.GetTempPath(), "xnovu-bench-logs", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// The scenarios to run, comma-separated numbers (<c>--Scenarios 1,5</c>); empty: all. Scenario 2 needs 1
    /// (its baseline is 1's pgbench rate).
    /// </summary>
    public string? Scenarios { get; set; }

    /// <summary>Whether scenario <paramref name="number"/> is selected by <see cref="Scenarios"/>.</summary>
    public bool Runs(int number) =>
        string.IsNullOrWhiteSpace(Scenarios)
        || Scenarios.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Contains(number.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);

    /// <summary>Chaos: the enterprises under load, each with this many callers at this rate.</summary>
    public int ChaosEnterprises { get; set; } = 3;

    public int ChaosCallersPerEnterprise { get; set; } = 2;

    public int ChaosTriggersPerSecondPerCaller { get; set; } = 5;

    /// <summary>Chaos: how long the load runs in the scenarios without a timed outage.</summary>
    public TimeSpan ChaosLoad { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan ChaosRedisDown { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan ChaosNovuDown { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Chaos, failover: enterprises under load and each one's triggers per second (open loop over two APIs).</summary>
    public int FailoverEnterprises { get; set; } = 3;

    public int FailoverTriggersPerSecond { get; set; } = 40;

    /// <summary>Chaos, failover: from the primary's loss to the standby's promotion (the failover manager's decision).</summary>
    public TimeSpan FailoverDetection { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Chaos, failover: publish the services' existing build (<c>dotnet publish --no-build</c>) instead of building.</summary>
    public bool FailoverNoBuild { get; set; }

    /// <summary>Chaos, failover: the configuration the services are published in.</summary>
    public string FailoverConfiguration { get; set; } = "Release";

    /// <summary>Chaos: the scenarios to run, comma-separated (empty: all).</summary>
    public string? ChaosScenarios { get; set; }

    /// <summary>Noisy neighbours: how long each attack runs (the lock is held this long).</summary>
    public TimeSpan NoisyDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Noisy neighbours: notifications in the history of the subscriber the erase attack erases.</summary>
    public int NoisyEraseHistory { get; set; } = 50_000;

    /// <summary>Restore drill: triggers sent in each of its three phases (before the backup, before and after the point).</summary>
    public int DrillTriggers { get; set; } = 500;

    public NoisySettings Noisy() => new() { Duration = NoisyDuration, EraseHistory = NoisyEraseHistory };
}
