using System.Net;
using System.Net.Http.Json;
using XNovu.Tests.Infrastructure;
using XNovu.Tests.Triggers;
using static XNovu.Tests.Infrastructure.ManagementApi;
using static XNovu.Tests.Infrastructure.TriggerApi;

namespace XNovu.Tests.RateLimiting;

[Collection(AppCollection.Name)]
public sealed class RateLimitTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task Triggers_over_the_enterprises_rate_are_429_with_Retry_After_and_store_nothing()
    {
        var limited = await fixture.CreateEnterpriseAsync();
        var other = await fixture.CreateEnterpriseAsync();
        using var admin = fixture.CreateAdminClient();
        var set = await admin.PutAsJsonAsync($"/api/admin/enterprises/{limited.Id}/rate-limit", new { triggersPerSecond = 2 });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 8; i++)
        {
            answers.Add(i % 2 == 0
                ? await limited.Client.PostTriggerAsync(Trigger())
                : await limited.Client.PostJsonAsync("/api/trigger/bulk", BulkTriggerTests.Events(Trigger())));
        }

        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        foreach (var answer in refused)
        {
            await answer.AssertProblemAsync(HttpStatusCode.TooManyRequests, RateLimitedType);
            Assert.True(answer.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, "429 without a Retry-After in seconds");
        }

        var accepted = answers.Count(a => a.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK);
        Assert.Equal(answers.Count, accepted + refused.Count);
        Assert.Equal(accepted, await fixture.CountNotificationsAsync(limited.Id));

        // The limit is the limited enterprise's own.
        for (var i = 0; i < 8; i++)
        {
            await other.Client.AcceptedAsync(Trigger());
        }
    }

    [Fact]
    public async Task A_bulk_call_spends_one_token_per_event_and_more_than_a_seconds_worth_is_422()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        using var admin = fixture.CreateAdminClient();
        await admin.OkAsync(HttpMethod.Put, $"/api/admin/enterprises/{enterprise.Id}/rate-limit", new { triggersPerSecond = 5 });
        var five = BulkTriggerTests.Events([.. Enumerable.Range(0, 5).Select(_ => Trigger())]);

        var overTheRate = await enterprise.Client.PostJsonAsync("/api/trigger/bulk", BulkTriggerTests.Events([.. Enumerable.Range(0, 6).Select(_ => Trigger())]));
        (await overTheRate.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType)).FieldError("events");

        // Two bulk calls of a whole second's worth each, sent at the start of one second (the buckets refill each
        // Unix second): the second call finds the bucket spent by the first call's five events, not by one call.
        // Tried a few times, since a slow machine may send the pair across a second's edge.
        var refusedOnce = false;
        for (var attempt = 0; attempt < 4 && !refusedOnce; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1000 - DateTime.UtcNow.Millisecond + 20));
            var first = await enterprise.Client.PostJsonAsync("/api/trigger/bulk", five);
            var second = await enterprise.Client.PostJsonAsync("/api/trigger/bulk", five);
            Assert.Contains(first.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests });
            if (second.StatusCode == HttpStatusCode.TooManyRequests && first.StatusCode == HttpStatusCode.OK)
            {
                await second.AssertProblemAsync(HttpStatusCode.TooManyRequests, RateLimitedType);
                refusedOnce = true;
            }
        }

        Assert.True(refusedOnce, "a second bulk call of five in the same second was never refused: bulk events are not counted");
        Assert.Equal(0, (await fixture.CountNotificationsAsync(enterprise.Id)) % 5);
    }

    [Fact]
    public async Task A_refused_caller_gets_through_after_Retry_After()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        using var admin = fixture.CreateAdminClient();
        await admin.PutAsJsonAsync($"/api/admin/enterprises/{enterprise.Id}/rate-limit", new { triggersPerSecond = 1 });

        HttpResponseMessage answer;
        do
        {
            answer = await enterprise.Client.PostTriggerAsync(Trigger());
        }
        while (answer.StatusCode != HttpStatusCode.TooManyRequests);

        await Task.Delay(answer.Headers.RetryAfter!.Delta!.Value);
        await enterprise.Client.AcceptedAsync(Trigger());
    }

    [Fact]
    public async Task Admin_reads_sets_and_removes_an_enterprises_override()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        using var admin = fixture.CreateAdminClient();
        var url = $"/api/admin/enterprises/{enterprise.Id}/rate-limit";

        var initial = await admin.OkAsync(HttpMethod.Get, url);
        var set = await admin.OkAsync(HttpMethod.Put, url, new { triggersPerSecond = 7 });
        var read = await admin.OkAsync(HttpMethod.Get, url);
        var removed = await admin.DeleteAsync(url);
        var after = await admin.OkAsync(HttpMethod.Get, url);

        Assert.Equal("default", (string?)initial["source"]);
        Assert.True((int)initial["triggersPerSecond"]! >= 1);
        Assert.Equal(7, (int)set["triggersPerSecond"]!);
        Assert.Equal("override", (string?)read["source"]);
        Assert.Equal(7, (int)read["triggersPerSecond"]!);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(initial.ToJsonString(), after.ToJsonString());
    }

    [Fact]
    public async Task Override_needs_the_admin_key_a_known_enterprise_and_a_positive_rate()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        using var admin = fixture.CreateAdminClient();
        var url = $"/api/admin/enterprises/{enterprise.Id}/rate-limit";

        var withEnterpriseKey = await enterprise.Client.PutAsJsonAsync(url, new { triggersPerSecond = 1000 });
        var unknown = await admin.PutAsJsonAsync($"/api/admin/enterprises/{Guid.NewGuid()}/rate-limit", new { triggersPerSecond = 5 });
        var zero = await admin.PutAsJsonAsync(url, new { triggersPerSecond = 0 });

        Assert.True(withEnterpriseKey.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden);
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound, NotFoundType);
        (await zero.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType)).FieldError("triggersPerSecond");
    }
}
