using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Operations;

/// <summary>An app of its own: these tests stop its Redis and its PostgreSQL.</summary>
public sealed class DisposableAppFixture : XNovuAppFixture;

[CollectionDefinition(Name)]
public sealed class DisposableAppCollection : ICollectionFixture<DisposableAppFixture>
{
    public const string Name = "XNovu app to break";
}

[Collection(DisposableAppCollection.Name)]
public sealed class HealthDegradationTests(DisposableAppFixture fixture)
{
    [Fact]
    public async Task Health_is_degraded_without_redis_and_503_without_the_database()
    {
        using var client = fixture.CreateHttpClient("api");
        // A part probed for the first time may still be warming up (a first Novu call, claim loops starting).
        var healthy = await Eventually.WaitForAsync(() => HealthAsync(client)!, h => (string?)h!.Body["status"] == "healthy",
            TimeSpan.FromSeconds(30), "the fresh app to be healthy");

        await fixture.App.ResourceCommands.ExecuteCommandAsync("redis", KnownResourceCommands.StopCommand);
        var degraded = await Eventually.WaitForAsync(() => HealthAsync(client)!, h => (string?)h!.Body["redis"]?["status"] != "healthy",
            TimeSpan.FromSeconds(30), "redis to be reported down");

        await fixture.App.ResourceCommands.ExecuteCommandAsync("postgres", KnownResourceCommands.StopCommand);
        var down = await Eventually.WaitForAsync(() => HealthAsync(client)!, h => h!.Status == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(30), "the database to be reported down");

        Assert.Equal(HttpStatusCode.OK, healthy.Status);
        Assert.Equal("healthy", (string)healthy.Body["status"]!);
        Assert.Equal(HttpStatusCode.OK, degraded.Status);
        Assert.Equal("degraded", (string)degraded.Body["status"]!);
        Assert.Equal("unhealthy", (string)down.Body["status"]!);
        Assert.Equal("unhealthy", (string)down.Body["database"]!["status"]!);
    }

    private static async Task<(HttpStatusCode Status, JsonObject Body)> HealthAsync(HttpClient client)
    {
        var answer = await client.GetAsync(new Uri("/api/health", UriKind.Relative));
        return (answer.StatusCode, (await answer.Content.ReadFromJsonAsync<JsonObject>())!);
    }
}
