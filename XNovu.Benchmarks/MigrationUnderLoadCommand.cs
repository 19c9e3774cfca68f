using System.Globalization;
using Microsoft.Extensions.Configuration;
using XNovu.Testing.ProductionRun;

namespace XNovu.Benchmarks;

/// <summary>
/// The upgrade under load as one command (docs/operations.md, "Migrations without downtime"): a database at the
/// previous release's schema holding <c>--Notifications</c> delivered notifications, triggers at
/// <c>--TriggersPerSecond</c> on the previous release's API, the new release's migrations applied meanwhile, the new
/// release started beside the previous one, the previous one stopped. Prints the triggers' latency and errors per
/// phase, the migration's duration, and whether every accepted trigger was stored and SENT. Exit code 0 when the
/// targets hold: while the migration runs, trigger p99 under 250 ms and no error; over the whole upgrade, nothing
/// lost, every accepted trigger SENT, no 5xx but 503.
/// </summary>
internal static class MigrationUnderLoadCommand
{
    private const double P99TargetMs = 250;

    /// <param name="args">After <c>migration-under-load</c>: <c>-c Debug</c>, <c>--no-build</c>, and
    /// <c>--Notifications</c>, <c>--TriggersPerSecond</c>, <c>--PreviousSchema</c>, <c>--HistoryEnterprises</c>,
    /// <c>--MaxConnections</c>, <c>--WarmUp</c>, <c>--Before</c>, <c>--Beside</c>, <c>--SlowStart</c>, <c>--After</c> (seconds), <c>--PlainBuildUnderLoad false</c>.</param>
    public static async Task<int> RunAsync(string[] args)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        var configuration = args.SkipWhile(a => a != "-c").Skip(1).FirstOrDefault() ?? "Release";
        var settings = new ConfigurationBuilder()
            .AddCommandLine(args.Where((a, i) => a != "--no-build" && a != "-c" && (i == 0 || args[i - 1] != "-c")).ToArray())
            .Build();
        var defaults = new UpgradeRunOptions();
        TimeSpan Seconds(string key, TimeSpan fallback) =>
            settings[key] is { } value ? TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) : fallback;
        var options = new UpgradeRunOptions
        {
            Configuration = configuration,
            NoBuild = args.Contains("--no-build"),
            Notifications = settings.GetValue("Notifications", defaults.Notifications),
            HistoryEnterprises = settings.GetValue("HistoryEnterprises", defaults.HistoryEnterprises),
            TriggersPerSecond = settings.GetValue("TriggersPerSecond", defaults.TriggersPerSecond),
            PreviousSchema = settings["PreviousSchema"] ?? defaults.PreviousSchema,
            MaxConnections = settings.GetValue("MaxConnections", defaults.MaxConnections),
            WarmUp = Seconds("WarmUp", defaults.WarmUp),
            Before = Seconds("Before", defaults.Before),
            Beside = Seconds("Beside", defaults.Beside),
            SlowStart = Seconds("SlowStart", defaults.SlowStart),
            After = Seconds("After", defaults.After),
            PlainBuildUnderLoad = settings.GetValue("PlainBuildUnderLoad", defaults.PlainBuildUnderLoad),
        };

        Console.WriteLine($"XNovu upgrade under load: {options.Notifications:N0} notifications at schema {options.PreviousSchema}, "
            + $"{options.TriggersPerSecond} triggers/s, the new release's migrations applied meanwhile.");
        var result = await UpgradeUnderLoad.RunAsync(options, Console.WriteLine, stop.Token);

        Report.Section("Triggers by phase (POST /api/trigger, open loop; latency of the 202s; service backends waiting on a lock at once, at most: any lock / behind a non-service backend (the longest such wait seen))");
        Report.Line($"{"phase",-22} {"sent",7} {"p50",9} {"p99",9} {"max",9} {"lock waits",10}  errors");
        foreach (var phase in UpgradeRunResult.Phases.Append(null))
        {
            var sent = result.In(phase);
            if (sent.Count == 0)
            {
                continue;
            }

            var latencies = result.Latencies(phase);
            var seen = result.MaxLockWaiters.Where(w => phase is null ? UpgradeRunResult.IsUpgrade(w.Key) : w.Key == phase).Select(w => w.Value).ToList();
            var waiters = $"{seen.Select(w => w.Any).DefaultIfEmpty().Max()} / {seen.Select(w => w.BehindOthers).DefaultIfEmpty().Max()} ({seen.Select(w => w.LongestBehindOthersMs).DefaultIfEmpty().Max():0} ms)";
            Report.Line($"{phase ?? "the whole upgrade",-22} {sent.Count,7:N0} {Report.Ms(UpgradeRunResult.Percentile(latencies, 50)),9} "
                + $"{Report.Ms(UpgradeRunResult.Percentile(latencies, 99)),9} {Report.Ms(UpgradeRunResult.Percentile(latencies, 100)),9} {waiters,10}  {Errors(result.Errors(phase))}");
            var apis = sent.GroupBy(t => t.Api).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
            if (phase is not null && apis.Count > 1)
            {
                foreach (var api in apis)
                {
                    var own = api.Where(t => t.Status == 202).Select(t => t.Milliseconds).Order().ToList();
                    Report.Line($"  {api.Key,-20} {api.Count(),7:N0} {Report.Ms(UpgradeRunResult.Percentile(own, 50)),9} "
                        + $"{Report.Ms(UpgradeRunResult.Percentile(own, 99)),9} {Report.Ms(UpgradeRunResult.Percentile(own, 100)),9}");
                }
            }
        }

        Report.Section("Upgrade");
        Report.Line($"history: {options.Notifications:N0} notifications and deliveries loaded in {result.Load.TotalSeconds:0} s, VACUUM ANALYZE {result.Vacuum.TotalSeconds:0} s");
        Report.Line($"migration (the new release's migrator process, start to exit): {result.Migration.TotalSeconds:0.0} s, applied {string.Join(", ", result.Applied)}");
        Report.Line($"index build phases seen (seconds from the load's start): {string.Join("; ", result.IndexBuildPhases)}");
        if (result.PlainIndexBuild is { } plain)
        {
            Report.Line($"for comparison, the same index built by a plain CREATE INDEX under the same load (as 0026 built its index): {plain.TotalSeconds:0.0} s; see the phase \"{UpgradeRunResult.PlainBuild}\"");
        }

        Report.Line($"service connections at most: {result.PeakConnections} (max_connections {options.MaxConnections})");
        Report.Line($"a subscriber's deliveries in one enterprise: {Report.Ms(result.SubscriberLookupBeforeMs)} before, {Report.Ms(result.SubscriberLookupAfterMs)} after ({result.SubscriberLookupPlan})");
        Report.Line($"accepted {result.Accepted:N0}, stored {result.Stored:N0} (lost {result.Lost}), SENT {result.Delivered:N0} ({result.Drain.TotalSeconds:0} s after the load stopped)");
        Report.Line($"previous release stopped {(result.PreviousStoppedGracefully ? "gracefully on SIGTERM" : "by SIGKILL after 30 s")}; load generator lag at most {Report.Ms(result.LoadLagMs)}");

        // The migration's target is judged on the triggers sent while the new release's migrator ran; the rolling
        // upgrade's on every trigger of the upgrade (warm-up to the previous release's stop and after), and nothing
        // accepted may be lost, the comparison's triggers included.
        var migrating = result.Latencies(UpgradeRunResult.Migrating);
        var p99 = UpgradeRunResult.Percentile(migrating, 99);
        var migrationErrors = result.Errors(UpgradeRunResult.Migrating);
        var upgrade = result.In(null);
        var fiveHundreds = upgrade.Count(t => t.Status >= 500 && t.Status != 503);
        var unanswered = upgrade.Count(t => t.Status == 0);
        (string Target, bool Held)[] targets =
        [
            ($"migration under load: trigger p99 under {P99TargetMs:0} ms while it ran: {Report.Ms(p99)} (max {Report.Ms(UpgradeRunResult.Percentile(migrating, 100))})",
                migrating.Count > 0 && p99 < P99TargetMs),
            ($"migration under load: no error while it ran: {Errors(migrationErrors)}", migrationErrors.Count == 0),
            ($"rolling upgrade: nothing lost ({result.Lost}), every accepted trigger SENT ({result.Delivered:N0} of {result.Accepted:N0}), every call answered ({unanswered} not), no 5xx but 503 ({fiveHundreds}; 503s: {upgrade.Count(t => t.Status == 503)})",
                result.Lost == 0 && result.Delivered == result.Accepted && unanswered == 0 && fiveHundreds == 0),
        ];
        Report.Section("Targets");
        foreach (var (target, held) in targets)
        {
            Report.Line($"{(held ? "met   " : "MISSED")} {target}");
        }

        return targets.All(t => t.Held) ? 0 : 1;
    }

    private static string Errors(IReadOnlyDictionary<int, int> errors) =>
        errors.Count == 0 ? "none" : string.Join(", ", errors.Select(e => $"{(e.Key == 0 ? "no answer" : e.Key.ToString(CultureInfo.InvariantCulture))}: {e.Value}"));
}
