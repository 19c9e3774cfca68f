using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace XNovu.Testing.ProductionRun;

public sealed record UpgradeRunOptions
{
    /// <summary>The build configuration to publish.</summary>
    public string Configuration { get; init; } = "Release";

    /// <summary>Publishes the existing build output (<c>dotnet publish --no-build</c>) instead of building.</summary>
    public bool NoBuild { get; init; }

    /// <summary>The previous release's last script: the database is migrated this far before the load starts.</summary>
    public string PreviousSchema { get; init; } = "0052";

    /// <summary>Delivered notifications (each with one delivery) in the history before the upgrade.</summary>
    public int Notifications { get; init; } = 5_000_000;

    /// <summary>The enterprises the history is spread over.</summary>
    public int HistoryEnterprises { get; init; } = 20;

    public int TriggersPerSecond { get; init; } = 500;

    /// <summary>
    /// Load on the previous release before anything is measured, rising from 0 to the full rate over its first half:
    /// each service's JIT keeps compiling hot methods for about a minute of load on two cores (docs/benchmarks.md),
    /// and a release that has run for days is warm.
    /// </summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The server's <c>max_connections</c>. During a rolling upgrade both releases' pods hold connection pools, so a
    /// server sized for one release's pods refuses connections (docs/operations.md).
    /// </summary>
    public int MaxConnections { get; init; } = 400;

    /// <summary>Load on the previous release alone, measured, before the migration starts.</summary>
    public TimeSpan Before { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Load on both releases' APIs once the new one is ready.</summary>
    public TimeSpan Beside { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>
    /// The new API's share of the triggers rises from nothing to an even one over this time after it is ready, as
    /// a load balancer's slow start gives a new pod (AWS ALB, Envoy, NGINX Plus); zero: an even share at once. A
    /// cold API given half of 500 triggers/s on two cores spends its first seconds compiling, and on a busy
    /// machine does not catch up (docs/operations.md).
    /// </summary>
    public TimeSpan SlowStart { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Load on the new release alone once the previous one is stopped.</summary>
    public TimeSpan After { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// For comparison, once the upgrade is done: the same index as 0029's built by a plain <c>CREATE INDEX</c> under the
    /// same load, as 0026 built its index (what a migration written without the rule costs), then dropped.
    /// </summary>
    public bool PlainBuildUnderLoad { get; init; } = true;

    /// <summary>How long every accepted trigger may take to be SENT once the load stops.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(3);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromHours(3);
}

/// <summary>
/// The most service backends seen waiting on a lock at once: any lock (the services' own contention included, such as
/// two commits upserting one subscriber), and a lock held by (or queued for by) a backend that is not a service's (the
/// migrator's); the longest such wait seen in progress (pg_locks.waitstart, sampled every 100 ms, so a lower bound
/// of the longest), and the statement of the backend it waited behind.
/// </summary>
public sealed record LockWaits(int Any, int BehindOthers, double LongestBehindOthersMs = 0, string? Blocker = null);

/// <summary>What the upgrade run observed; the harness throws before returning when a step fails outright.</summary>
public sealed record UpgradeRunResult(
    string Directory,
    TimeSpan Load,
    TimeSpan Vacuum,
    TimeSpan Migration,
    IReadOnlyList<string> Applied,
    IReadOnlyList<TriggerSample> Triggers,
    int Stored,
    int Delivered,
    TimeSpan Drain,
    bool PreviousStoppedGracefully,
    IReadOnlyDictionary<string, LockWaits> MaxLockWaiters,
    int PeakConnections,
    IReadOnlyList<string> IndexBuildPhases,
    TimeSpan? PlainIndexBuild,
    double SubscriberLookupBeforeMs,
    double SubscriberLookupAfterMs,
    string SubscriberLookupPlan,
    double LoadLagMs)
{
    public const string WarmUp = "warm-up";
    public const string PreviousRelease = "previous release";
    public const string Migrating = "migrating";
    public const string NewStarting = "new release starting";
    public const string SideBySide = "side by side";
    public const string NewRelease = "new release";
    public const string PlainBuild = "plain CREATE INDEX";
    public const string AfterPlainBuild = "after it";

    public static IReadOnlyList<string> Phases { get; } = [WarmUp, PreviousRelease, Migrating, NewStarting, SideBySide, NewRelease, PlainBuild, AfterPlainBuild];

    /// <summary>Whether <paramref name="phase"/> belongs to the upgrade (neither the warm-up nor the comparison after it).</summary>
    public static bool IsUpgrade(string phase) => phase is not (WarmUp or PlainBuild or AfterPlainBuild);

    /// <summary>The triggers of <paramref name="phase"/>; null: every one of the upgrade, what the targets judge.</summary>
    public IReadOnlyList<TriggerSample> In(string? phase) =>
        Triggers.Where(t => phase is null ? IsUpgrade(t.Phase) : t.Phase == phase).ToList();

    /// <summary>Accepted triggers, the warm-up's included: each must be stored and SENT.</summary>
    public int Accepted => Triggers.Count(t => t.Status == 202);

    /// <summary>Accepted triggers that are not in the database: lost.</summary>
    public int Lost => Accepted - Stored;

    /// <summary>Latencies of the accepted triggers of <paramref name="phase"/> (all: null), ascending.</summary>
    public IReadOnlyList<double> Latencies(string? phase = null) =>
        In(phase).Where(t => t.Status == 202).Select(t => t.Milliseconds).Order().ToList();

    /// <summary>Answers other than 202 by status (0: no answer), for <paramref name="phase"/> (all: null).</summary>
    public IReadOnlyDictionary<int, int> Errors(string? phase = null) =>
        In(phase).Where(t => t.Status != 202).GroupBy(t => t.Status).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());

    public static double Percentile(IReadOnlyList<double> sorted, double percent) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
