using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;
using static XNovu.Tests.Infrastructure.TriggerApi;

namespace XNovu.Tests.Notifications;

[Collection(AppCollection.Name)]
public sealed class NotificationEndpointTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task List_pages_newest_first_with_a_cursor_until_the_last_page()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await enterprise.Client.AcceptedAsync(Later())).Id());
        }

        var seen = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var answer = await enterprise.Client.GetFromJsonAsync<JsonObject>(
                "/api/notifications?limit=2" + (cursor is null ? string.Empty : $"&cursor={Uri.EscapeDataString(cursor)}"));
            var items = answer!["items"]!.AsArray();
            Assert.InRange(items.Count, 1, 2);
            seen.AddRange(items.Select(item => (long)item!["id"]!));
            cursor = (string?)answer["nextCursor"];
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(ids.AsEnumerable().Reverse(), seen);
    }

    [Fact]
    public async Task List_filters_by_status_workflow_and_time_range()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var email = await enterprise.Client.AcceptedAsync(Later());
        var sms = await enterprise.Client.AcceptedAsync(Later(workflowId: "default-sms", payload: new { body = "Hi" }));
        var cancelled = await enterprise.Client.AcceptedAsync(Later());
        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/notifications/{cancelled.Id()}/cancel", new { reason = "test" });

        var bySms = await enterprise.Client.NotificationItemsAsync("?workflowId=default-sms");
        var byStatus = await enterprise.Client.NotificationItemsAsync("?status=RETRACTED");
        var byStatusLowercase = await enterprise.Client.NotificationItemsAsync("?status=retracted");
        var future = await enterprise.Client.NotificationItemsAsync($"?from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(5).ToString("O"))}");
        var past = await enterprise.Client.NotificationItemsAsync(
            $"?from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"))}&to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(5).ToString("O"))}");

        Assert.Equal(sms.Id(), (long)Assert.Single(bySms)!["id"]!);
        Assert.Equal(cancelled.Id(), (long)Assert.Single(byStatus)!["id"]!);
        Assert.Single(byStatusLowercase);
        Assert.Empty(future);
        Assert.Equal(3, past.Count);
        var item = past.Single(i => (long)i!["id"]! == email.Id())!;
        Assert.Equal(StaticWorkflow, (string?)item["workflowId"]);
        Assert.Equal(1, (int)item["recipientCount"]!);
        Assert.Equal((string?)email["transactionId"], (string?)item["transactionId"]);
    }

    [Theory]
    [InlineData("?status=LOST", HttpStatusCode.UnprocessableEntity, "status")]
    [InlineData("?limit=0", HttpStatusCode.UnprocessableEntity, "limit")]
    [InlineData("?limit=201", HttpStatusCode.UnprocessableEntity, "limit")]
    [InlineData("?cursor=not-a-cursor", HttpStatusCode.BadRequest, "cursor")]
    public async Task List_with_bad_filters_is_refused(string query, HttpStatusCode status, string field)
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        var answer = await enterprise.Client.GetAsync($"/api/notifications{query}");

        var type = status == HttpStatusCode.BadRequest ? MalformedType : ValidationType;
        (await answer.AssertProblemAsync(status, type)).FieldError(field);
    }

    [Fact]
    public async Task Get_of_an_unknown_notification_is_404()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        var answer = await enterprise.Client.GetAsync($"/api/notifications/{long.MaxValue}");

        await answer.AssertProblemAsync(HttpStatusCode.NotFound, NotFoundType);
    }

    [Fact]
    public async Task Cancel_retracts_the_notification_and_its_pending_deliveries_with_the_reason()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var accepted = await enterprise.Client.AcceptedAsync(Later(to: new[] { Subscriber(), Subscriber() }));

        var cancel = await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/notifications/{accepted.Id()}/cancel", new { reason = "sent by mistake" });

        Assert.Equal("RETRACTED", (string?)cancel["status"]);
        Assert.Equal(2, (int)cancel["retractedDeliveries"]!);
        Assert.Empty(cancel["novuCancellations"]!.AsArray());
        var stored = await enterprise.Client.NotificationAsync(accepted.Id());
        Assert.Equal("RETRACTED", (string?)stored["status"]);
        Assert.Equal("sent by mistake", (string?)stored["retractionReason"]);
        Assert.NotNull(stored["retractedAt"]);
        Assert.All(stored["deliveries"]!.AsArray(), d => Assert.Equal("RETRACTED", (string?)d!["status"]));

        var again = await enterprise.Client.SendAsync(HttpMethod.Post, $"/api/notifications/{accepted.Id()}/cancel", new { reason = "twice" });
        await again.AssertProblemAsync(HttpStatusCode.Conflict, ConflictType);
    }

    [Fact]
    public async Task Cancel_without_a_body_is_accepted()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var accepted = await enterprise.Client.AcceptedAsync(Later());

        var cancel = await enterprise.Client.PostAsync($"/api/notifications/{accepted.Id()}/cancel", null);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
    }

    [Fact]
    public async Task Cancel_asks_Novu_to_cancel_deliveries_already_handed_over()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var accepted = await enterprise.Client.AcceptedAsync(Later());
        await fixture.ForceStatusAsync(accepted.Id(), "PROCESSING", "SENT");

        var cancel = await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/notifications/{accepted.Id()}/cancel", new { reason = "too late?" });

        var cancellation = Assert.Single(cancel["novuCancellations"]!.AsArray())!;
        Assert.Equal((string?)accepted["transactionId"], (string?)cancellation["transactionId"]);
        Assert.Equal(0, (int)cancel["retractedDeliveries"]!);
        var stored = await enterprise.Client.NotificationAsync(accepted.Id());
        Assert.Equal("RETRACTED", (string?)stored["status"]);
        Assert.Equal("SENT", (string?)Assert.Single(stored["deliveries"]!.AsArray())!["status"]);
    }

    [Theory]
    [InlineData("SENT")]
    [InlineData("FAILED")]
    public async Task Cancel_of_a_finished_notification_is_409(string status)
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var accepted = await enterprise.Client.AcceptedAsync(Later());
        await fixture.ForceStatusAsync(accepted.Id(), status);

        var answer = await enterprise.Client.SendAsync(HttpMethod.Post, $"/api/notifications/{accepted.Id()}/cancel", new { reason = "x" });

        await answer.AssertProblemAsync(HttpStatusCode.Conflict, ConflictType);
        Assert.Equal(status, (string?)(await enterprise.Client.NotificationAsync(accepted.Id()))["status"]);
    }

    [Fact]
    public async Task Retry_moves_a_failed_notification_and_its_failed_deliveries_back_to_pending()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var accepted = await enterprise.Client.AcceptedAsync(Later(to: new[] { Subscriber(), Subscriber() }));
        await fixture.ForceStatusAsync(accepted.Id(), "FAILED");

        var retry = await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/notifications/{accepted.Id()}/retry");

        Assert.Equal("PENDING", (string?)retry["status"]);
        Assert.Equal(2, (int)retry["retriedDeliveries"]!);
        // What the dispatcher does next is its own story; the retry itself has been committed.
        var stored = await enterprise.Client.NotificationAsync(accepted.Id());
        Assert.All(stored["deliveries"]!.AsArray(), d => Assert.True((int)d!["attempts"]! < 5, d.ToJsonString()));
    }

    [Fact]
    public async Task Retry_of_a_notification_that_has_not_failed_is_409()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var accepted = await enterprise.Client.AcceptedAsync(Later());

        var answer = await enterprise.Client.SendAsync(HttpMethod.Post, $"/api/notifications/{accepted.Id()}/retry");

        await answer.AssertProblemAsync(HttpStatusCode.Conflict, ConflictType);
        Assert.Equal("PENDING", (string?)(await enterprise.Client.NotificationAsync(accepted.Id()))["status"]);
    }

    [Fact]
    public async Task Retry_failed_moves_up_to_the_limit_of_failed_notifications_back_to_pending()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var failed = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var accepted = await enterprise.Client.AcceptedAsync(Later());
            await fixture.ForceStatusAsync(accepted.Id(), "FAILED");
            failed.Add(accepted.Id());
        }

        await enterprise.Client.AcceptedAsync(Later());

        var first = await enterprise.Client.OkAsync(HttpMethod.Post, "/api/notifications/retry-failed", new { limit = 2 });
        var tooMany = await enterprise.Client.SendAsync(HttpMethod.Post, "/api/notifications/retry-failed", new { limit = 5000 });

        Assert.Equal(2, (int)first["retried"]!);
        Assert.Equal(2, (int)first["retriedDeliveries"]!);
        (await tooMany.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType)).FieldError("limit");
        var oldest = await enterprise.Client.NotificationAsync(failed[0]);
        Assert.NotEqual("FAILED", (string?)oldest["status"]);
    }
}
