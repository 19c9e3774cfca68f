using System.Net;
using Microsoft.Extensions.Time.Testing;
using XNovu.NovuClient;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Novu;

/// <summary>An emulator on a tiny plan (4 triggers/s: 20 per 5 s window, bucket of 22).</summary>
[Collection(TimingCollection.Name)]
public sealed class EmulatorRateLimitTests
{
    private const double PlanRate = 4;

    private static Task<EmulatorHost> StartAsync(TimeProvider? time = null) =>
        EmulatorHost.StartAsync(new() { ["NovuEmulator:RateLimit:RequestsPerSecond"] = "4" }, time);

    [Fact]
    public async Task Triggers_beyond_the_bucket_are_429_with_Retry_After_and_rate_limit_headers()
    {
        // The emulator's clock stands still, so its bucket never refills during the test.
        await using var emulator = await StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var created = 0;
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 40 && refused is null; i++)
        {
            var answer = await emulator.SendAsync(HttpMethod.Post, "/v1/events/trigger", $$"""{"name":"w","to":"s","transactionId":"t{{i}}"}""");
            if (answer.StatusCode == HttpStatusCode.Created)
            {
                created++;
                answer.Dispose();
            }
            else
            {
                refused = answer;
            }
        }

        Assert.Equal(22, created);
        Assert.NotNull(refused);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("20", refused.Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal("0", refused.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.StartsWith("20;w=5;burst=22", refused.Headers.GetValues("RateLimit-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(created, (await emulator.EventsAsync()).Count);
        refused.Dispose();

        var outcome = await emulator.CreateClient().TriggerAsync(NovuClientFactory.Event("tx-limited"));
        Assert.Equal((NovuOutcomeKind.Retryable, 429), (outcome.Kind, outcome.HttpStatus));
        Assert.True(outcome.RetryAfter >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Client_at_the_plan_rate_waits_instead_of_provoking_429s()
    {
        await using var emulator = await StartAsync();
        var client = emulator.CreateClient(requestsPerSecond: PlanRate);

        var outcomes = new List<NovuOutcome>();
        for (var i = 0; i < 25; i++)
        {
            outcomes.Add(await client.TriggerAsync(NovuClientFactory.Event($"tx-paced-{i}")));
        }

        Assert.All(outcomes, o => Assert.Equal(NovuOutcomeKind.Success, o.Kind));
        Assert.DoesNotContain(await emulator.RequestsAsync(), r => (int)r!["status"]! == 429);
    }
}
