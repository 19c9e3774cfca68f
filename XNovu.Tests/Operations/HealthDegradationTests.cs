using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using XNovu.Tests.Infrastructure;
using XNovu.Tests.Reliability;

namespace XNovu.Tests.Operations;

/// <summary>On the outage tests' app: this test stops its Redis and its PostgreSQL, then starts them again.</summary>
[Collection(OutageAppCollection.Name)]
public sealed class HealthDegradationTests(OutageAppFixture fixture)
{
    [Fact]
    public async Task Health_is_degraded_without_redis_and_503_without_the_database()
    {
        using var client = fixture.CreateHttpClient("api");
        // A part probed for the first time may still be warming up (a first Novu call, claim loops starting).
        var healthy = await Eventually.WaitForAsync(() => HealthAsync(client)!, h => (string?)h!.Body["status"] == "healthy",
            TimeSpan.FromSeconds(30), "the fresh app to be healthy");

        (HttpStatusCode Status, JsonObject Body) degraded, down, back;
        try
        {
            await fixture.App.ResourceCommands.ExecuteCommandAsync("redis", KnownResourceCommands.StopCommand);
            degraded = await Eventually.WaitForAsync(() => HealthAsync(client)!, h => (string?)h!.Body["redis"]?["status"] != "healthy",
                TimeSpan.FromSeconds(30), "redis to be reported down");

            await fixture.App.ResourceCommands.ExecuteCommandAsync("postgres", KnownResourceCommands.StopCommand);
            down = await Eventually.WaitForAsync(() => HealthAsync(client)!, h => h!.Status == HttpStatusCode.ServiceUnavailable,
                TimeSpan.FromSeconds(30), "the database to be reported down");
        }
        finally
        {
            // The app is shared with the outage tests: what this test stopped is started again, and health must say
            // so on its own (the services' pools and the dispatchers' beats recover without a restart).
            await fixture.App.ResourceCommands.ExecuteCommandAsync("postgres", KnownResourceCommands.StartCommand);
            await fixture.App.ResourceCommands.ExecuteCommandAsync("redis", KnownResourceCommands.StartCommand);
            await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync("postgres");
            await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync("redis");
        }

        back = await Eventually.WaitForAsync(() => HealthAsync(client)!, h => (string?)h!.Body["status"] == "healthy",
            TimeSpan.FromSeconds(60), "the app to be healthy again once PostgreSQL and Redis are back");

        Assert.Equal(HttpStatusCode.OK, healthy.Status);
        Assert.Equal("healthy", (string)healthy.Body["status"]!);
        Assert.Equal(HttpStatusCode.OK, degraded.Status);
        Assert.Equal("degraded", (string)degraded.Body["status"]!);
        Assert.Equal("unhealthy", (string)down.Body["status"]!);
        Assert.Equal("unhealthy", (string)down.Body["database"]!["status"]!);
        Assert.Equal(HttpStatusCode.OK, back.Status);
    }

    private static async Task<(HttpStatusCode Status, JsonObject Body)> HealthAsync(HttpClient client)
    {
        var answer = await client.GetAsync(new Uri("/api/health", UriKind.Relative));
        return (answer.StatusCode, (await answer.Content.ReadFromJsonAsync<JsonObject>())!);
    }
}
