using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.NovuWebhooks;

/// <summary>
/// Issue 28, status in: the emulator reports each message as Novu does (signed webhooks to the API's receiver for
/// the shared environment) and the delivery's timeline and outcome are built from them; a forged, late or
/// replayed webhook changes nothing; out of order or duplicated they end the same.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class DeliveryStatusTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    private readonly HttpClient _novu = fixture.CreateHttpClient("novu");
    private readonly HttpClient _api = fixture.CreateHttpClient("api");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await FaultsAsync();
    }

    public override async Task DisposeAsync()
    {
        await FaultsAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task A_trigger_through_the_emulator_ends_with_a_delivered_timeline_built_from_signed_webhooks()
    {
        var (enterprise, id, transactionId) = await TriggerAsync();

        // The two webhooks are sent side by side, as Svix does: wait for both.
        var delivery = await WaitForDeliveryAsync(enterprise, id, d => (string?)d["outcome"] == "delivered" && Steps(d).Count == 3);
        var steps = Steps(delivery);
        var sent = await SentAsync(transactionId, 2);

        Assert.Equal("SENT", (string)delivery["status"]!);
        Assert.Equal(["accepted", "sent", "delivered"], steps.Select(s => (string)s["event"]!));
        Assert.All(steps.Skip(1), s => Assert.Equal("webhook", (string)s["source"]!));
        Assert.Equal("email", (string?)steps[2]["channel"]);
        Assert.All(sent, s => Assert.Equal(204, (int?)s["status"]));
        Assert.All(sent, s => Assert.StartsWith("v1,", (string)s["signature"]!, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("bad-signature")]
    [InlineData("late")]
    public async Task A_forged_or_late_webhook_is_refused_and_changes_nothing(string fault)
    {
        await FaultsAsync(fault);
        var (enterprise, id, transactionId) = await TriggerAsync();

        var sent = await SentAsync(transactionId, 2);
        var detail = await enterprise.Client.NotificationAsync(id);
        var delivery = detail["deliveries"]![0]!;

        Assert.All(sent, s => Assert.Equal(401, (int?)s["status"]));
        Assert.Null((string?)delivery["outcome"]);
        Assert.Equal(["accepted"], Steps(delivery).Select(s => (string)s["event"]!));
    }

    [Fact]
    public async Task A_replayed_webhook_is_answered_and_changes_nothing()
    {
        await FaultsAsync("duplicate");
        var (enterprise, id, transactionId) = await TriggerAsync();
        var before = await WaitForDeliveryAsync(enterprise, id, d => (string?)d["outcome"] == "delivered" && Steps(d).Count == 3);
        var sent = await SentAsync(transactionId, 4);

        // Each webhook arrived twice (the emulator's duplicate), and once more now, re-posted by hand as captured.
        foreach (var webhook in sent.DistinctBy(s => (string)s["webhookId"]!))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/novu/webhooks/shared")
            {
                Content = new StringContent((string)webhook["body"]!, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("webhook-id", (string)webhook["webhookId"]!);
            request.Headers.Add("webhook-timestamp", ((long)webhook["timestamp"]!).ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", (string)webhook["signature"]!);
            Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(request)).StatusCode);
        }

        var after = (await enterprise.Client.NotificationAsync(id))["deliveries"]![0]!;
        Assert.Equal(Steps(before).Count, Steps(after).Count);
        Assert.Equal(["accepted", "sent", "delivered"], Steps(after).Select(s => (string)s["event"]!));
    }

    [Fact]
    public async Task An_altered_body_under_a_captured_signature_is_refused()
    {
        var (enterprise, id, transactionId) = await TriggerAsync();
        await WaitForDeliveryAsync(enterprise, id, d => (string?)d["outcome"] == "delivered");
        var webhook = (await SentAsync(transactionId, 2)).First(s => (string)s["type"]! == "message.sent");
        var forged = ((string)webhook["body"]!).Replace("message.sent", "message.failed", StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/novu/webhooks/shared")
        {
            Content = new StringContent(forged, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", "msg_forged_" + Guid.NewGuid().ToString("N"));
        request.Headers.Add("webhook-timestamp", ((long)webhook["timestamp"]!).ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", (string)webhook["signature"]!);
        var answer = await _api.SendAsync(request);

        await answer.AssertProblemAsync(HttpStatusCode.Unauthorized, "https://xnovu.dev/problems/webhook-signature");
        var delivery = (await enterprise.Client.NotificationAsync(id))["deliveries"]![0]!;
        Assert.Equal("delivered", (string?)delivery["outcome"]);
        Assert.DoesNotContain(Steps(delivery), s => (string)s["event"]! == "failed");
    }

    [Fact]
    public async Task Events_out_of_order_end_in_the_same_outcome()
    {
        await FaultsAsync("out-of-order");
        var (enterprise, id, transactionId) = await TriggerAsync();

        await SentAsync(transactionId, 2);
        var delivery = await WaitForDeliveryAsync(enterprise, id, d => Steps(d).Count == 3);

        Assert.Equal("delivered", (string?)delivery["outcome"]);
        Assert.Equal(["accepted", "sent", "delivered"], Steps(delivery).Select(s => (string)s["event"]!));
    }

    [Fact]
    public async Task A_provider_failure_is_a_failed_outcome_with_the_providers_error()
    {
        await FaultsAsync("provider-failure");
        var (enterprise, id, _) = await TriggerAsync();

        var delivery = await WaitForDeliveryAsync(enterprise, id, d => (string?)d["outcome"] == "failed");
        var failed = Steps(delivery).Single(s => (string)s["event"]! == "failed");

        Assert.Equal("SENT", (string)delivery["status"]!);
        Assert.Equal("mail_bounce", (string?)failed["errorId"]);
        Assert.Contains("does not exist", (string?)failed["errorText"], StringComparison.Ordinal);
    }

    private async Task<(TestEnterprise Enterprise, long Id, string TransactionId)> TriggerAsync()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(
            to: new { subscriberId = TriggerApi.Subscriber(), email = "ann@example.com" }, payload: new { body = "Hello" }));
        var id = (long)accepted["notificationId"]!;
        await Harness.WaitForStatusAsync(id, "SENT");
        var novuTransaction = (string)(await Harness.EventsAsync((string)accepted["transactionId"]!))[0]!["novuTransactionId"]!;
        return (enterprise, id, novuTransaction);
    }

    private static List<JsonNode> Steps(JsonNode delivery) => delivery["timeline"]!.AsArray().Select(s => s!).ToList();

    private static async Task<JsonNode> WaitForDeliveryAsync(TestEnterprise enterprise, long id, Func<JsonNode, bool> done)
    {
        var until = DateTime.UtcNow + DispatchHarness.DeliveryTimeout;
        while (true)
        {
            var delivery = (await enterprise.Client.NotificationAsync(id))["deliveries"]![0]!;
            if (done(delivery) || DateTime.UtcNow > until)
            {
                Assert.True(done(delivery), $"The delivery did not get there: {delivery.ToJsonString()}");
                return delivery;
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The webhooks the emulator sent for the transaction, once at least <paramref name="count"/> were answered.</summary>
    private async Task<List<JsonNode>> SentAsync(string novuTransactionId, int count)
    {
        var until = DateTime.UtcNow + DispatchHarness.DeliveryTimeout;
        while (true)
        {
            var sent = (await _novu.GetFromJsonAsync<JsonArray>($"/emulator/webhooks/sent?transactionId={Uri.EscapeDataString(novuTransactionId)}"))!
                .Select(s => s!).Where(s => s["status"] is not null).ToList();
            if (sent.Count >= count || DateTime.UtcNow > until)
            {
                Assert.True(sent.Count >= count, $"Only {sent.Count} webhooks were answered.");
                return sent;
            }

            await Task.Delay(200);
        }
    }

    private async Task FaultsAsync(params string[] faults) =>
        (await _novu.PostAsJsonAsync("/emulator/webhooks", new { faults })).EnsureSuccessStatusCode();
}
