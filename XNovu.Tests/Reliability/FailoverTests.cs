using Xunit.Abstractions;
using XNovu.Testing.ProductionRun;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Reliability;

/// <summary>
/// Issue 31: the database's machine is lost under load. The services (published, two APIs and two dispatchers, as the
/// Kubernetes base configures them) name a primary and its synchronous standby in one multi-host connection string;
/// the primary is SIGKILLed, the standby promoted, the old primary rejoined as a standby. No service is restarted.
/// <c>dotnet run -c Release --project XNovu.Benchmarks -- chaos --ChaosScenarios failover,failover-async</c> runs the
/// longer version and the asynchronous comparison (docs/reliability.md).
/// </summary>
[Collection(PublishedServicesCollection.Name)]
public sealed class FailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task With_a_synchronous_standby_no_acknowledged_trigger_is_lost_and_triggers_are_accepted_again_soon_after_the_promotion()
    {
        var result = await FailoverUnderLoad.RunAsync(
            new FailoverRunOptions
            {
                Configuration = RepositoryPaths.Configuration,
                NoBuild = true,
                Synchronous = true,
                Enterprises = 2,
                TriggersPerSecondPerEnterprise = 10,
                Before = TimeSpan.FromSeconds(10),
                Detection = TimeSpan.FromSeconds(2),
                Alone = TimeSpan.FromSeconds(8),
                After = TimeSpan.FromSeconds(5),
                Timeout = TimeSpan.FromMinutes(20),
            },
            output.WriteLine,
            CancellationToken.None);

        output.WriteLine($"{result.Triggers.Count} triggers, {result.Accepted} accepted, statuses "
            + string.Join(", ", result.Triggers.GroupBy(t => t.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"))
            + $"; first 202 {result.FirstAcceptedAfterPromotion:0.00} s after the promotion, last refusal {result.LastRefusedAfterPromotion:0.00} s; "
            + $"rejoined by {result.Rejoin}; replication at the end: {string.Join(", ", result.ReplicationAtEnd)}; "
            + $"lost {result.Lost}, lost at Novu {result.LostAtNovu}, duplicated at Novu {result.DuplicatedAtNovu}, delivered {result.Delivered}; "
            + "no answer by phase: " + string.Join(", ", result.Triggers.Where(t => t.Status == 0).GroupBy(t => t.Phase).Select(g => $"{g.Key}: {g.Count()}")));

        // The failover window was an outage: 503s, never another 5xx, never a call left without an answer.
        Assert.Contains(result.Triggers, t => t.Phase == FailoverRunResult.PrimaryLost && t.Status == 503);
        Assert.All(result.Triggers, t => Assert.Contains(t.Status, new[] { 202, 503 }));
        // Every 202 was on both machines: stored on the new primary and delivered to Novu exactly once.
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.LostAtNovu);
        Assert.Equal(0, result.DuplicatedAtNovu);
        Assert.Equal(result.Accepted, result.Delivered);
        // The services found the new primary by themselves; the listener and the claim loops delivered on it.
        Assert.True(result.FirstAcceptedAfterPromotion < 15, $"first 202 {result.FirstAcceptedAfterPromotion} s after the promotion");
        Assert.Contains(result.Triggers, t => t.Phase == FailoverRunResult.Rejoined && t.Status == 202);
        Assert.Contains("streaming sync", result.ReplicationAtEnd);
        // The notification history is read off the primary: the API's sessions show on the standby.
        Assert.Equal(200, result.HistoryRead);
        Assert.True(result.ApiSessionsOnStandby > 0, "no API session on the standby after reading the history");
    }
}
