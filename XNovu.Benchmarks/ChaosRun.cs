using System.Diagnostics;
using XNovu.Benchmarks.Scenarios;
using XNovu.Testing.NoisyNeighbours;

namespace XNovu.Benchmarks;

/// <summary>
/// The <c>chaos</c> command: every fault-injection scenario in turn, then every noisy-neighbour attack
/// (<see cref="NoisyNeighbourSuite"/>), then a summary of each against its targets.
/// </summary>
public static class ChaosRun
{
    public static async Task<int> RunAsync(BenchmarkApp app, BenchmarkSettings settings, Stopwatch total, CancellationToken cancellationToken)
    {
        var wanted = settings.ChaosScenarios?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var results = new List<ChaosResult>();
        var noisy = new List<NoisyResult>();
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

            var attacks = NoisyNeighbourSuite.Attacks.Where(a => wanted is not { Length: > 0 } || wanted.Contains("noisy") || wanted.Contains("noisy-" + a.Name)).ToList();
            if (attacks.Count > 0)
            {
                Report.Section("noisy warm-up: a tenant triggers steadily for 20 s with nobody attacking (a fresh system's first minute is not an attack's)");
                await new NoisyNeighbourSuite(app.NoisyTarget, settings.Noisy()).WarmUpSystemAsync(TimeSpan.FromSeconds(20), cancellationToken);
            }

            foreach (var (name, title) in attacks)
            {
                Report.Section($"noisy-{name}: {title}, while enterprise B triggers steadily");
                try
                {
                    var result = await new NoisyNeighbourSuite(app.NoisyTarget, settings.Noisy()).RunAsync(name, cancellationToken);
                    Report.Line(result + (result.MeetsTarget ? " — target met" : " — TARGET MISSED"));
                    noisy.Add(result);
                }
                catch (Exception e) when (e is InvalidOperationException or HttpRequestException or Npgsql.NpgsqlException or TimeoutException)
                {
                    Report.Line($"FAILED: {e.Message}");
                    noisy.Add(new NoisyResult(name, 0, 0, 0, double.NaN, double.NaN, double.NaN, e.Message));
                }
            }

            if (noisy.Count > 0)
            {
                Report.Section($"Noisy neighbours (target for B: 0 errors, 0 lost, answer p99 < {NoisyResult.AnswerP99TargetMs} ms, delivery p99 < {NoisyResult.DeliveryP99TargetMs} ms)");
                Console.WriteLine("| attack | B triggers | B errors | B lost | B answer p99 | B answer max | B delivery p99 | A's answers | target |");
                Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
                foreach (var r in noisy)
                {
                    Console.WriteLine($"| {r.Attack} | {r.VictimTriggers} | {r.VictimErrors} | {r.VictimLost} | {Report.Ms(r.VictimAnswerP99Ms)} | {Report.Ms(r.VictimAnswerMaxMs)} | "
                        + $"{Report.Ms(r.VictimDeliveryP99Ms)} | {r.Attacker} | {(r.MeetsTarget ? "met" : "MISSED")} |");
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

        return results.All(r => r.MeetsTarget) && noisy.All(r => r.MeetsTarget) ? 0 : 1;
    }
}
