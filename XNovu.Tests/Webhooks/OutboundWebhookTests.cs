using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using XNovu.Tests.Infrastructure;
using Independent = StandardWebhooks;

namespace XNovu.Tests.Webhooks;

/// <summary>
/// Issue 28, webhooks out: an enterprise's endpoints receive the events they chose, signed with their secret
/// (checked here with the independent StandardWebhooks package), retried on the (shrunk) schedule, once delivered;
/// a 410 disables the endpoint and tells the enterprise's other endpoints; loopback needs the admin's allowance;
/// another tenant sees nothing.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class OutboundWebhookTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TestReceiver _receiver = new();

    public override async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Every_webhook_verifies_with_an_independent_implementation_and_an_altered_body_does_not()
    {
        var enterprise = await EnterpriseAllowedLoopbackAsync();
        var (_, secret) = await EndpointAsync(enterprise, _receiver.Url("all"),
            "notification.accepted", "notification.sent", "notification.delivered");

        await TriggerAsync(enterprise);
        var received = await WaitAsync(() => _receiver.At("all"), r => r.Count >= 3);

        var verifier = new Independent.StandardWebhook(secret);
        Assert.Equal(["notification.accepted", "notification.delivered", "notification.sent"],
            received.Select(r => (string)JsonNode.Parse(r.Body)!["type"]!).Order());
        foreach (var webhook in received)
        {
            verifier.Verify(webhook.Body, Headers(webhook));
            Assert.True(webhook.Body.Length < 20 * 1024);
        }

        var first = received[0];
        Assert.Throws<Independent.Diagnostics.WebhookVerificationException>(() =>
            verifier.Verify(first.Body.Replace("notification.", "notificatioN.", StringComparison.Ordinal), Headers(first)));
    }

    [Fact]
    public async Task An_endpoint_answering_503_three_times_receives_the_event_on_the_fourth_attempt_once()
    {
        var enterprise = await EnterpriseAllowedLoopbackAsync();
        var (endpointId, secret) = await EndpointAsync(enterprise, _receiver.Url("flaky", 503, 503, 503, 204), "notification.accepted");

        await TriggerAsync(enterprise);
        var received = await WaitAsync(() => _receiver.At("flaky"), r => r.Any(x => x.Answered == 204));
        await Task.Delay(TimeSpan.FromSeconds(3));
        received = _receiver.At("flaky");
        var attempts = await WaitAsync(
            async () => (await enterprise.Client.GetFromJsonAsync<JsonArray>($"/api/webhooks/endpoints/{endpointId}/attempts"))!,
            a => a.Count >= 4);

        Assert.Equal([503, 503, 503, 204], received.Select(r => r.Answered));
        Assert.Single(received.Select(r => r.Id).Distinct());
        Assert.All(received, r => new Independent.StandardWebhook(secret).Verify(r.Body, Headers(r)));
        Assert.Equal(["delivered", "retry", "retry", "retry"], attempts.Select(a => (string)a!["outcome"]!));
        Assert.Equal([4, 3, 2, 1], attempts.Select(a => (int)a!["attempt"]!));
    }

    [Fact]
    public async Task An_endpoint_answering_410_is_disabled_and_the_enterprise_is_told()
    {
        var enterprise = await EnterpriseAllowedLoopbackAsync();
        var (goneId, _) = await EndpointAsync(enterprise, _receiver.Url("gone", 410), "notification.accepted");
        await EndpointAsync(enterprise, _receiver.Url("watcher"), "rule.fired");

        await TriggerAsync(enterprise);
        var endpoint = await WaitAsync(
            async () => (await enterprise.Client.GetFromJsonAsync<JsonObject>($"/api/webhooks/endpoints/{goneId}"))!,
            e => (bool)e["enabled"]! == false);
        var told = await WaitAsync(() => _receiver.At("watcher"), r => r.Count >= 1);
        await TriggerAsync(enterprise);
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Contains("410", (string)endpoint["disabledReason"]!, StringComparison.Ordinal);
        Assert.Equal("endpoint.disabled", (string)JsonNode.Parse(told[0].Body)!["type"]!);
        Assert.Single(_receiver.At("gone"));
    }

    [Fact]
    public async Task A_replayed_message_is_sent_again_under_its_own_webhook_id()
    {
        var enterprise = await EnterpriseAllowedLoopbackAsync();
        var (endpointId, _) = await EndpointAsync(enterprise, _receiver.Url("replay"), "notification.accepted");
        await TriggerAsync(enterprise);
        var first = (await WaitAsync(() => _receiver.At("replay"), r => r.Count == 1))[0];
        var messages = await WaitAsync(
            async () => (await enterprise.Client.GetFromJsonAsync<JsonArray>($"/api/webhooks/endpoints/{endpointId}/messages"))!,
            m => m.Count == 1 && (string)m[0]!["status"]! == "delivered");

        var replay = await enterprise.Client.PostAsync($"/api/webhooks/endpoints/{endpointId}/messages/{(long)messages[0]!["id"]!}/replay", null);
        var again = await WaitAsync(() => _receiver.At("replay"), r => r.Count == 2);

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(first.Id, again[1].Id);
        Assert.Equal(first.Body, again[1].Body);
    }

    [Fact]
    public async Task A_loopback_endpoint_needs_the_admins_allowance_and_another_tenant_sees_nothing()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var hostile = await fixture.CreateEnterpriseAsync();

        var refused = await enterprise.Client.PostAsJsonAsync("/api/webhooks/endpoints",
            new { url = _receiver.Url("private"), eventTypes = new[] { "notification.accepted" } });
        var metadata = await enterprise.Client.PostAsJsonAsync("/api/webhooks/endpoints",
            new { url = "http://169.254.169.254/latest/meta-data", eventTypes = new[] { "notification.accepted" } });
        var unknownType = await enterprise.Client.PostAsJsonAsync("/api/webhooks/endpoints",
            new { url = "https://hooks.example.com/x", eventTypes = new[] { "everything" } });
        await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation");
        await metadata.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation");
        await unknownType.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation");

        await AllowLoopbackAsync(enterprise.Id);
        var (endpointId, _) = await EndpointAsync(enterprise, _receiver.Url("private"), "notification.accepted");

        Assert.Equal(HttpStatusCode.NotFound, (await hostile.Client.GetAsync($"/api/webhooks/endpoints/{endpointId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await hostile.Client.GetAsync($"/api/webhooks/endpoints/{endpointId}/secret")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await hostile.Client.PostAsJsonAsync($"/api/webhooks/endpoints/{endpointId}/replay", new { })).StatusCode);
        Assert.Empty((await hostile.Client.GetFromJsonAsync<JsonArray>("/api/webhooks/endpoints"))!);

        // The hostile tenant's own triggers queue nothing for the other's endpoint.
        await TriggerAsync(hostile);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Empty(_receiver.At("private"));
    }

    private async Task<TestEnterprise> EnterpriseAllowedLoopbackAsync()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        await AllowLoopbackAsync(enterprise.Id);
        return enterprise;
    }

    private async Task AllowLoopbackAsync(Guid enterpriseId)
    {
        using var admin = fixture.CreateAdminClient();
        (await admin.PutAsJsonAsync($"/api/admin/enterprises/{enterpriseId}/webhooks", new { allowPrivateAddresses = true })).EnsureSuccessStatusCode();
    }

    private static async Task<(Guid Id, string Secret)> EndpointAsync(TestEnterprise enterprise, string url, params string[] eventTypes)
    {
        var created = await enterprise.Client.PostAsJsonAsync("/api/webhooks/endpoints", new { url, eventTypes });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        return (Guid.Parse((string)body["id"]!), (string)body["secret"]!);
    }

    private async Task TriggerAsync(TestEnterprise enterprise)
    {
        var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(
            to: new { subscriberId = TriggerApi.Subscriber(), email = "ann@example.com" }, payload: new { body = "Hello" }));
        await Harness.WaitForStatusAsync((long)accepted["notificationId"]!, "SENT");
    }

    private static HeaderDictionary Headers(ReceivedWebhook webhook) => new()
    {
        ["webhook-id"] = webhook.Id,
        ["webhook-timestamp"] = webhook.Timestamp,
        ["webhook-signature"] = webhook.Signature,
    };

    private static Task<IReadOnlyList<ReceivedWebhook>> WaitAsync(Func<IReadOnlyList<ReceivedWebhook>> read, Func<IReadOnlyList<ReceivedWebhook>, bool> done) =>
        WaitAsync(() => Task.FromResult(read()), done);

    private static async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > until)
            {
                Assert.True(done(value), $"Not there in time: {System.Text.Json.JsonSerializer.Serialize(value)}");
                return value;
            }

            await Task.Delay(200);
        }
    }
}
