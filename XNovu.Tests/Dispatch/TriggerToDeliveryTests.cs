using XNovu.Core.Novu;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Dispatch;

/// <summary>The whole path over HTTP: trigger API, database, dispatcher, Novu client, emulator.</summary>
[Collection(AppCollection.Name)]
public sealed class TriggerToDeliveryTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    [Fact]
    public async Task Email_and_in_app_workflow_for_three_subscribers_reaches_novu_rendered_and_ends_sent()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await EmailAndInAppWorkflowAsync(enterprise.Client);
        var subscribers = new object[]
        {
            new { subscriberId = TriggerApi.Subscriber(), firstName = "Ann", email = "ann@example.com" },
            new { subscriberId = TriggerApi.Subscriber(), firstName = "Bob" },
            new { subscriberId = TriggerApi.Subscriber(), firstName = "Cy" },
        };

        var accepted = await enterprise.Client.AcceptedAsync(
            TriggerApi.Trigger(workflow, subscribers, new { name = "<i>order 42</i>" }), idempotencyKey: $"e2e-{Guid.NewGuid():N}");
        var id = (long)accepted["notificationId"]!;
        var transactionId = (string)accepted["transactionId"]!;
        var state = await Harness.WaitForStatusAsync(id, "SENT");
        var events = await Harness.EventsAsync(transactionId);
        var detail = await enterprise.Client.NotificationAsync(id);

        Assert.Equal("PENDING", (string)accepted["status"]!);
        Assert.Equal(["SENT", "SENT", "SENT"], state.DeliveryStatuses);
        Assert.Equal(3, events.Count);
        foreach (var received in events)
        {
            var channels = received!["payload"]!["xnovu"]!["channels"]!;
            var firstName = (string?)received["to"]![0]!["firstName"] ?? (string?)received["to"]!["firstName"];
            Assert.Equal(NovuNames.WorkflowId(enterprise.Id, workflow), (string)received["workflow"]!);
            Assert.Equal($"Order for {firstName}", (string)channels["EMAIL"]!["subject"]!);
            Assert.Contains("&lt;i&gt;order 42&lt;/i&gt;", (string)channels["EMAIL"]!["body"]!, StringComparison.Ordinal);
            Assert.Contains("order 42", (string)channels["IN_APP"]!["body"]!, StringComparison.Ordinal);
        }

        Assert.Equal("SENT", (string)detail["status"]!);
    }

    [Fact]
    public async Task Idempotent_replay_creates_and_sends_nothing_more()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var key = $"replay-{Guid.NewGuid():N}";
        var body = TriggerApi.Trigger(to: TriggerApi.Subscriber());

        var first = await enterprise.Client.AcceptedAsync(body, key);
        await Harness.WaitForStatusAsync((long)first["notificationId"]!, "SENT");
        var replay = await enterprise.Client.AcceptedAsync(body, key);
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Equal((long)first["notificationId"]!, (long)replay["notificationId"]!);
        Assert.Single(await Harness.EventsAsync((string)first["transactionId"]!));
        Assert.Single(await enterprise.Client.NotificationItemsAsync());
    }

    [Fact]
    public async Task Cancelled_scheduled_notification_is_retracted_and_never_sent()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(
            extra: new() { ["scheduledFor"] = DateTimeOffset.UtcNow.AddSeconds(2) }));
        var id = (long)accepted["notificationId"]!;

        var cancel = await enterprise.Client.PostAsJsonAsync($"/api/notifications/{id}/cancel", new { reason = "changed my mind" });
        await Task.Delay(TimeSpan.FromSeconds(3));
        var detail = await enterprise.Client.NotificationAsync(id);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("RETRACTED", (string)detail["status"]!);
        Assert.Empty(await Harness.EventsAsync((string)accepted["transactionId"]!));
    }

    [Fact]
    public async Task Failed_notification_is_sent_after_retry()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var subscriber = TriggerApi.Subscriber();
        await Harness.AddFaultAsync(new { statusCode = 422, count = 1, paths = new[] { "/v1/events" }, bodyContains = subscriber });
        var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(to: subscriber));
        var id = (long)accepted["notificationId"]!;
        var failed = await Harness.WaitForStatusAsync(id, "FAILED");

        var retry = await enterprise.Client.PostAsync(new Uri($"/api/notifications/{id}/retry", UriKind.Relative), null);
        var sent = await Harness.WaitForStatusAsync(id, "SENT");

        Assert.Equal(422, (int)failed.ErrorDetails!["httpStatus"]!);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Null(sent.ErrorDetails);
        Assert.Single(await Harness.EventsAsync((string)accepted["transactionId"]!));
    }

    private static async Task<string> EmailAndInAppWorkflowAsync(HttpClient client)
    {
        var email = Key("e2e-email");
        var inApp = Key("e2e-inapp");
        var workflow = Key("e2e-wf");
        await client.CreateAsync("/api/templates", Template(email, "EMAIL", body: "<p>Hello {{ subscriber.firstName }}, {{ payload.name }}</p>", subject: "Order for {{ subscriber.firstName }}"));
        await client.CreateAsync("/api/templates", Template(inApp, "IN_APP", body: "{{ payload.name }} for {{ subscriber.firstName }}", subject: null));
        await client.OkAsync(HttpMethod.Post, $"/api/templates/{email}/publish");
        await client.OkAsync(HttpMethod.Post, $"/api/templates/{inApp}/publish");
        await client.CreateAsync("/api/workflows", Workflow(workflow, ["EMAIL", "IN_APP"], new() { ["EMAIL"] = email, ["IN_APP"] = inApp }));
        await client.OkAsync(HttpMethod.Post, $"/api/workflows/{workflow}/publish");
        return workflow;
    }
}
