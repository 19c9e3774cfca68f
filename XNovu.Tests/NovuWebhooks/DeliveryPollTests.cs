using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;
using XNovu.Tests.Novu;
using XNovu.Testing;

namespace XNovu.Tests.NovuWebhooks;

/// <summary>
/// Issue 28, status in without webhooks: an enterprise's own Novu environment that sends none (a second emulator
/// with no webhook URL, as a plan without them) gets its deliveries' outcomes by the dispatcher's poll of
/// <c>GET /v1/messages</c>; an environment XNovu hears webhooks from (its secret set) is not polled, and one
/// environment's answers reach no other tenant.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class DeliveryPollTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    private const string WebhookSecret = "whsec_cG9sbC10ZXN0LXdlYmhvb2stc2VjcmV0LTMyYnl0ZXM=";
    private readonly HttpClient _admin = fixture.CreateAdminClient();
    private readonly List<Guid> _ownEnvironments = [];
    private EmulatorHost _own = null!;

    public override async Task InitializeAsync()
    {
        _own = await EmulatorHost.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        foreach (var id in _ownEnvironments)
        {
            await _admin.DeleteAsync($"/api/admin/enterprises/{id}/novu");
        }

        await _own.DisposeAsync();
        await base.DisposeAsync();
        _admin.Dispose();
    }

    [Fact]
    public async Task An_environment_without_webhooks_gets_its_deliverys_outcome_by_polling_and_only_its_own()
    {
        var polled = await fixture.CreateEnterpriseAsync("Polled Novu");
        var hearing = await fixture.CreateEnterpriseAsync("Webhook Novu");
        await ConnectAsync(polled.Id);
        await ConnectAsync(hearing.Id);
        // This one's Novu is said to send webhooks: XNovu waits for them and never asks (this emulator sends none).
        (await _admin.PutAsJsonAsync($"/api/admin/enterprises/{hearing.Id}/novu/webhook-secret", new { secret = WebhookSecret })).EnsureSuccessStatusCode();

        var mine = await polled.Client.AcceptedAsync(TriggerApi.Trigger(to: new { subscriberId = TriggerApi.Subscriber(), email = "ann@example.com" }));
        var theirs = await hearing.Client.AcceptedAsync(TriggerApi.Trigger(to: new { subscriberId = TriggerApi.Subscriber(), email = "bob@example.com" }));
        await Harness.WaitForStatusAsync(mine.Id(), "SENT");
        await Harness.WaitForStatusAsync(theirs.Id(), "SENT");

        var delivery = await Eventually.WaitForAsync(
            async () => (JsonNode?)(await polled.Client.NotificationAsync(mine.Id()))["deliveries"]![0],
            d => (string?)d?["outcome"] == "delivered",
            DispatchHarness.DeliveryTimeout,
            "the polled delivery's outcome");
        // Several poll passes more (every 0.5 s, a delivery first asked about after 1 s): the other still waits.
        await Task.Delay(TimeSpan.FromSeconds(4));
        var other = (await hearing.Client.NotificationAsync(theirs.Id()))["deliveries"]![0]!;
        var steps = delivery["timeline"]!.AsArray().Select(s => s!).ToList();

        Assert.Equal("SENT", (string)delivery["status"]!);
        Assert.Equal(["accepted", "sent", "delivered"], steps.Select(s => (string)s["event"]!));
        Assert.All(steps.Skip(1), s => Assert.Equal("poll", (string)s["source"]!));
        Assert.Equal("email", (string?)steps[2]["channel"]);
        Assert.Null((string?)other["outcome"]);
        Assert.Equal(["accepted"], other["timeline"]!.AsArray().Select(s => (string)s!["event"]!));
        Assert.Contains(await _own.RequestsAsync(), r => (string)r!["path"]! == "/v1/messages" && (int)r["status"]! == 200);
    }

    [Fact]
    public async Task A_provider_failure_is_learned_by_polling_with_the_providers_error()
    {
        var enterprise = await fixture.CreateEnterpriseAsync("Polled failure");
        await ConnectAsync(enterprise.Id);
        // The fault applies to the messages this Novu makes; it sends no webhooks (no URL).
        (await _own.Http.PostAsJsonAsync("/emulator/webhooks", new { faults = new[] { "provider-failure" } })).EnsureSuccessStatusCode();

        var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(to: new { subscriberId = TriggerApi.Subscriber(), email = "gone@example.com" }));
        await Harness.WaitForStatusAsync(accepted.Id(), "SENT");
        var delivery = await Eventually.WaitForAsync(
            async () => (JsonNode?)(await enterprise.Client.NotificationAsync(accepted.Id()))["deliveries"]![0],
            d => (string?)d?["outcome"] == "failed",
            DispatchHarness.DeliveryTimeout,
            "the polled failure");
        var failed = delivery["timeline"]!.AsArray().Select(s => s!).Single(s => (string)s["event"]! == "failed");

        Assert.Equal("poll", (string)failed["source"]!);
        Assert.Equal("mail_bounce", (string?)failed["errorId"]);
        Assert.Contains("does not exist", (string?)failed["errorText"], StringComparison.Ordinal);
    }

    private async Task ConnectAsync(Guid enterpriseId)
    {
        var put = await _admin.PutAsJsonAsync($"/api/admin/enterprises/{enterpriseId}/novu", new { apiUrl = _own.BaseUrl.ToString(), secretKey = EmulatorHost.SecretKey });
        _ownEnvironments.Add(enterpriseId);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }
}
