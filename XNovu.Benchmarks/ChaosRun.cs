using System.Diagnostics;
using XNovu.Benchmarks.Scenarios;

namespace XNovu.Benchmarks;

/// <summary>The <c>chaos</c> command: every fault-injection scenario in turn, then a summary against the targets.</summary>
public static class ChaosRun
{
    public static async Task<int> RunAsync(BenchmarkApp app, BenchmarkSettings settings, Stopwatch total, CancellationToken cancellationToken)
    {
        var wanted = settings.ChaosScenarios?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var results = new List<ChaosResult>();
        await using (app)
        {
            foreach (var (name, title) in Chaos.Scenarios.Where(s => wanted is not { Length: > 0 } || wanted.Contains(s.Name)))
            {
                Report.Section($"{name}: {title}");
                try
                {
                    results.Add(await Chaos.RunAsync(app, settings, name, cancellationToken));
                }
                catch (Exception e) when (e is InvalidOperationException or HttpRequestException or Npgsql.NpgsqlException or TimeoutException)
                {
                    Report.Line($"FAILED: {e.Message}");
                    results.Add(new ChaosResult(name, 0, 0, 0, -1, -1, 0, -1, double.NaN, null));
                }
            }

            Report.Section("Summary (target: 0 lost, 0 duplicated, 0 5xx other than 503; other enterprises' p99 < 2 s where measured)");
            Console.WriteLine("| scenario | triggers | acknowledged | delivered exactly once | lost | duplicated at Novu | 503 | 5xx other than 503 | longest trigger answer | others' delivery p99 | target |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var r in results)
            {
                Console.WriteLine($"| {r.Name} | {r.Triggers} | {r.Acknowledged} | {r.ExactlyOnce} | {r.Lost} | {r.Duplicated} | {r.Answered503} | {r.Other5xx} | "
                    + $"{Report.Ms(r.LongestAnswerMs)} | {(r.OthersP99Ms is { } p ? Report.Ms(p) : "-")} | {(r.MeetsTarget ? "met" : "MISSED")} |");
            }

            Report.Line($"run time {total.Elapsed.TotalSeconds:0} s (AppHost start-up included)");
        }

        return results.All(r => r.MeetsTarget) ? 0 : 1;
    }
}
