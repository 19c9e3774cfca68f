using System.Net;
using System.Net.Http.Json;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;
using static XNovu.Tests.Infrastructure.TriggerApi;

namespace XNovu.Tests.RateLimiting;

/// <summary>
/// Every enterprise route is rate limited per enterprise, each route class in its own bucket: a hostile
/// enterprise flooding one kind of call gets 429s, and neither its other buckets nor another enterprise notice.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class RouteRateLimitTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task Events_naming_no_rule_past_the_rate_are_429_for_the_flooder_only()
    {
        var hostile = await fixture.CreateEnterpriseAsync();
        var other = await fixture.CreateEnterpriseAsync();
        await SetRatesAsync(hostile.Id, new { triggersPerSecond = 2 });
        await SetRatesAsync(other.Id, new { triggersPerSecond = 2 });

        var flood = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            hostile.Client.PostAsJsonAsync("/api/events", new { name = $"nobody-listens-{Guid.NewGuid():N}" })));

        var refused = flood.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.True(refused.Count >= 8, $"only {refused.Count} of 12 events at a rate of 2/s were refused");
        Assert.All(flood, a => Assert.True(a.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.TooManyRequests, $"{a.StatusCode}"));
        await refused[0].AssertProblemAsync(HttpStatusCode.TooManyRequests, RateLimitedType);
        Assert.True(refused[0].Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, "429 without a Retry-After in seconds");

        // The flood spent the hostile enterprise's event bucket only: its triggers still go through, and so do
        // the other enterprise's events and triggers, at the same rate.
        await hostile.Client.AcceptedAsync(Trigger());
        Assert.Equal(HttpStatusCode.Accepted, (await other.Client.PostAsJsonAsync("/api/events", new { name = "nobody-listens" })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await other.Client.PostAsJsonAsync("/api/events", new { name = "nobody-listens" })).StatusCode);
        await other.Client.AcceptedAsync(Trigger());
    }

    [Fact]
    public async Task Management_writes_past_the_rate_are_429_and_spend_no_other_bucket()
    {
        var hostile = await fixture.CreateEnterpriseAsync();
        var other = await fixture.CreateEnterpriseAsync();
        await SetRatesAsync(hostile.Id, new { triggersPerSecond = 100, writesPerSecond = 2 });
        await SetRatesAsync(other.Id, new { triggersPerSecond = 100, writesPerSecond = 2 });

        var flood = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            hostile.Client.PostAsync($"/api/templates/{Key("missing")}/publish", null)));

        var refused = flood.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.True(refused.Count >= 8, $"only {refused.Count} of 12 writes at a rate of 2/s were refused");
        Assert.All(flood, a => Assert.True(a.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.TooManyRequests, $"{a.StatusCode}"));
        await refused[0].AssertProblemAsync(HttpStatusCode.TooManyRequests, RateLimitedType);
        Assert.NotNull(refused[0].Headers.RetryAfter);

        // Reads and triggers have their own buckets; the other enterprise its own writes.
        Assert.Equal(HttpStatusCode.OK, (await hostile.Client.GetAsync("/api/templates")).StatusCode);
        await hostile.Client.AcceptedAsync(Trigger());
        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.PostAsync($"/api/templates/{Key("missing")}/publish", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.PostAsync($"/api/templates/{Key("missing")}/publish", null)).StatusCode);
    }

    [Fact]
    public async Task Management_reads_past_the_rate_are_429()
    {
        var hostile = await fixture.CreateEnterpriseAsync();
        await SetRatesAsync(hostile.Id, new { triggersPerSecond = 100, readsPerSecond = 2 });

        var flood = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => hostile.Client.GetAsync("/api/templates")));

        Assert.True(flood.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests) >= 8, "reads at a rate of 2/s were not refused");
    }

    [Fact]
    public async Task The_admin_reads_and_sets_the_management_rates()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        using var admin = fixture.CreateAdminClient();
        var url = $"/api/admin/enterprises/{enterprise.Id}/rate-limit";

        var defaults = await admin.OkAsync(HttpMethod.Get, url);
        var set = await admin.OkAsync(HttpMethod.Put, url, new { triggersPerSecond = 7, writesPerSecond = 3 });
        var refused = await admin.SendAsync(HttpMethod.Put, url, new { triggersPerSecond = 7, readsPerSecond = 0 });

        Assert.Equal(50, (int)defaults["writesPerSecond"]!);
        Assert.Equal(200, (int)defaults["readsPerSecond"]!);
        Assert.Equal(3, (int)set["writesPerSecond"]!);
        Assert.Equal(200, (int)set["readsPerSecond"]!);
        await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
    }

    private async Task SetRatesAsync(Guid enterpriseId, object rates)
    {
        using var admin = fixture.CreateAdminClient();
        (await admin.PutAsJsonAsync($"/api/admin/enterprises/{enterpriseId}/rate-limit", rates)).EnsureSuccessStatusCode();
    }
}
