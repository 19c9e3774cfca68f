using XNovu.Testing.ProductionRun;

namespace XNovu.Benchmarks.Scenarios;

/// <summary>
/// The chaos command's failover scenarios (issue 31, docs/reliability.md "Failover"): the database's machine lost
/// under load, with a synchronous standby (<c>failover</c>, judged against the targets) and with an asynchronous one
/// (<c>failover-async</c>, recorded so that an operator chooses knowingly). Each runs <see cref="FailoverUnderLoad"/>.
/// </summary>
public static class FailoverScenarios
{
    public static IReadOnlyList<(string Name, string Title)> All { get; } =
    [
        ("failover", "primary SIGKILLed under load, synchronous standby promoted, old primary rejoined as standby"),
        ("failover-async", "the same with asynchronous replication (recorded, no target)"),
    ];

    private static string[]? Listed(BenchmarkSettings settings) =>
        settings.ChaosScenarios?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static IReadOnlyList<string> Wanted(BenchmarkSettings settings) =>
        All.Select(s => s.Name).Where(name => Listed(settings) is not { Length: > 0 } listed || listed.Contains(name)).ToList();

    /// <summary>Whether scenarios other than the failovers were asked for (all of them when none is named).</summary>
    public static bool OthersWanted(BenchmarkSettings settings) =>
        Listed(settings) is not { Length: > 0 } listed || listed.Any(name => All.All(s => s.Name != name));

    public static async Task<int> RunAsync(IReadOnlyList<string> names, BenchmarkSettings settings, CancellationToken cancellationToken)
    {
        var rows = new List<(string Name, FailoverRunResult? Result, string? Failure)>();
        foreach (var name in names)
        {
            Report.Section($"{name}: {All.Single(s => s.Name == name).Title}");
            try
            {
                var result = await FailoverUnderLoad.RunAsync(new FailoverRunOptions
                {
                    Configuration = settings.FailoverConfiguration,
                    NoBuild = settings.FailoverNoBuild,
                    Synchronous = name == "failover",
                    Enterprises = settings.FailoverEnterprises,
                    TriggersPerSecondPerEnterprise = settings.FailoverTriggersPerSecond,
                    Detection = settings.FailoverDetection,
                }, Report.Line, cancellationToken);
                Report.Line($"statuses {string.Join(", ", result.Triggers.GroupBy(t => t.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"))}; "
                    + $"replication at the end: {string.Join(", ", result.ReplicationAtEnd)}");
                rows.Add((name, result, null));
            }
            catch (Exception e) when (e is InvalidOperationException or HttpRequestException or Npgsql.NpgsqlException or TimeoutException)
            {
                Report.Line($"FAILED: {e.Message}");
                rows.Add((name, null, e.Message));
            }
        }

        Report.Section("Failover (target with synchronous replication: 0 lost, 0 duplicated at Novu, 0 5xx other than 503, accepting again < 15 s after the promotion)");
        Console.WriteLine("| scenario | triggers | acknowledged | lost (not on the new primary) | lost at Novu | duplicated at Novu | 503 | 5xx other than 503 or no answer | first 202 after promotion | last refusal after promotion | rejoin | target |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (name, r, failure) in rows)
        {
            if (r is null)
            {
                Console.WriteLine($"| {name} | FAILED: {failure} |||||||||||");
                continue;
            }

            static string Seconds(double? s) => s is { } v ? $"{v:0.0} s" : "-";
            var target = name == "failover" ? (r.MeetsTarget ? "met" : "MISSED") : "recorded";
            Console.WriteLine($"| {name} | {r.Triggers.Count} | {r.Accepted} | {r.Lost} | {r.LostAtNovu} | {r.DuplicatedAtNovu} | {r.Answered503} | {r.Other5xx} | "
                + $"{Seconds(r.FirstAcceptedAfterPromotion)} | {Seconds(r.LastRefusedAfterPromotion)} | {r.Rejoin}, {r.RejoinSeconds:0.0} s | {target} |");
        }

        return rows.All(r => r.Name != "failover" || r.Result is { MeetsTarget: true }) ? 0 : 1;
    }
}
