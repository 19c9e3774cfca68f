using XNovu.Testing.NoisyNeighbours;
using XNovu.Tests.Infrastructure;
using Xunit.Abstractions;

namespace XNovu.Tests.Tenancy;

/// <summary>
/// The noisy-neighbour suite (<see cref="NoisyNeighbourSuite"/>), shortened: while enterprise A does its worst,
/// enterprise B triggers steadily and must see no error, lose nothing, and be answered and delivered in time.
/// The bounds here are the targets loosened for a busy CI machine (the benchmark command judges the
/// targets themselves); each still fails by far when one tenant's wait becomes everyone's: before the shared
/// commit had a lock timeout, B's triggers waited out the whole lock.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class NoisyNeighbourTests(XNovuAppFixture fixture, ITestOutputHelper output)
{
    // p99 of about 56 calls is the slowest one. A single answer of 0.92-1.02 s has been seen with no error and nothing
    // lost: the erase attack run alone on a cold API (dotnet-counters: the API was compiling code most of each second)
    // and once trigger-flood in a full CI run (1,000.4 ms). 1.5 s still fails by far on the old shared wait (10 s).
    private const double AnswerP99BoundMs = 1500;
    private const double DeliveryP99BoundMs = 4000;

    [Theory]
    [InlineData("lock")]
    [InlineData("trigger-flood")]
    [InlineData("events-flood")]
    [InlineData("idempotency-pairs")]
    // Before the per-enterprise render turns and the dispatchers' slow parts, B's delivery p99 here was 3.4-12.7 s.
    [InlineData("render-budget")]
    [InlineData("erase")]
    public async Task Enterprise_B_is_answered_and_delivered_in_time_while_enterprise_A_attacks(string attack)
    {
        var target = new NoisyTarget(
            fixture.CreateHttpClient("api").BaseAddress!,
            fixture.CreateHttpClient("novu").BaseAddress!,
            XNovuAppFixture.AdminKey,
            await fixture.ConnectionStringAsync("xnovu"));
        var settings = new NoisySettings
        {
            // The lock is held longer than a client's patience would be without the lock timeout in the shared commit.
            Duration = TimeSpan.FromSeconds(attack == "lock" ? 10 : 6),
            VictimPerSecondPerCaller = 5,
            AttackerConcurrency = 8,
            EraseHistory = 5_000,
        };

        var result = await new NoisyNeighbourSuite(target, settings).RunAsync(attack, CancellationToken.None);
        output.WriteLine(result.ToString());

        Assert.True(result.VictimTriggers >= 20, result.ToString());
        Assert.Equal(0, result.VictimErrors);
        Assert.Equal(0, result.VictimLost);
        Assert.True(result.VictimAnswerP99Ms < AnswerP99BoundMs, result.ToString());
        // The render attack is judged closer to the target: before the fix B's deliveries took 3.4-12.7 s at p99.
        Assert.True(result.VictimDeliveryP99Ms < (attack == "render-budget" ? 2500 : DeliveryP99BoundMs), result.ToString());
    }
}
