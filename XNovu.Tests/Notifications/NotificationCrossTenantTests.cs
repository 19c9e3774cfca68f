using System.Net;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;
using static XNovu.Tests.Infrastructure.TriggerApi;

namespace XNovu.Tests.Notifications;

[Collection(AppCollection.Name)]
public sealed class NotificationCrossTenantTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task Another_enterprise_cannot_read_list_cancel_or_retry_a_notification_and_it_is_unchanged()
    {
        var a = await fixture.CreateEnterpriseAsync();
        var b = await fixture.CreateEnterpriseAsync();
        var pending = await a.Client.AcceptedAsync(Later());
        var failed = await a.Client.AcceptedAsync(Later());
        await fixture.ForceStatusAsync(failed.Id(), "FAILED");

        var attempts = new (HttpMethod Method, string Url, object? Body)[]
        {
            (HttpMethod.Get, $"/api/notifications/{pending.Id()}", null),
            (HttpMethod.Post, $"/api/notifications/{pending.Id()}/cancel", new { reason = "not yours" }),
            (HttpMethod.Post, $"/api/notifications/{failed.Id()}/retry", null),
        };
        foreach (var (method, url, body) in attempts)
        {
            var answer = await b.Client.SendAsync(method, url, body);
            await answer.AssertProblemAsync(HttpStatusCode.NotFound, NotFoundType);
        }

        var retried = await b.Client.OkAsync(HttpMethod.Post, "/api/notifications/retry-failed", new { limit = 100 });
        Assert.Equal(0, (int)retried["retried"]!);
        Assert.Empty(await b.Client.NotificationItemsAsync());
        Assert.Equal("PENDING", (string?)(await a.Client.NotificationAsync(pending.Id()))["status"]);
        Assert.Equal("FAILED", (string?)(await a.Client.NotificationAsync(failed.Id()))["status"]);
    }
}
