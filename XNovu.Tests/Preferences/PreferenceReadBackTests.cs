using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using XNovu.Core.Novu;
using XNovu.Core.Webhooks;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Preferences;

/// <summary>
/// A change a subscriber makes in Novu's Inbox comes back to XNovu: the emulator's Inbox API writes it and sends
/// Novu's <c>preference.updated</c> webhook, XNovu takes the changed channel as the subscriber's own choice, shows it
/// at <c>/api/subscribers/{id}/preferences</c> and decides the next dispatch by it; the same subscriber id in
/// another enterprise is untouched, and a report older than XNovu's own later write loses (last writer by time).
/// </summary>
[Collection(AppCollection.Name)]
public sealed class PreferenceReadBackTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    // The AppHost's development secret of the emulator's webhooks (XNovu.AppHost/Extensions.cs): a report signed
    // with it is one XNovu accepts as the shared Novu environment's.
    private const string SharedWebhookSecret = "whsec_eG5vdnUtZW11bGF0b3Itd2ViaG9vay1zZWNyZXQtMzI=";
    private readonly HttpClient _novu = fixture.CreateHttpClient("novu");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _novu.Dispose();
    }

    [Fact]
    public async Task A_channel_turned_off_in_Novus_Inbox_comes_back_decides_the_next_dispatch_and_leaves_another_tenant_alone()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var hostile = await fixture.CreateEnterpriseAsync();
        var workflow = await EmailAndSmsWorkflowAsync(enterprise.Client);
        var subscriber = await SubscriberAsync(enterprise.Client);
        await SubscriberAsync(hostile.Client, subscriber);
        var novuSubscriber = NovuNames.SubscriberId(enterprise.Id, subscriber);

        // As Novu's <Inbox/> does: a session for the subscriber, then the subscriber's own toggle.
        var token = await InboxSessionAsync(novuSubscriber);
        await InboxPatchAsync(token, NovuNames.WorkflowId(enterprise.Id, workflow), new { email = false });

        var shown = await Eventually.WaitForAsync(
            () => PreferencesAsync(enterprise.Client, subscriber, workflow),
            w => (bool?)w?["channels"]?["email"] == false, DispatchHarness.DeliveryTimeout, "the Inbox change in XNovu");
        Assert.Equal("subscriber-workflow", (string)shown!["sources"]!["email"]!);
        Assert.True((bool)shown["channels"]!["sms"]!);

        var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = "Ann" }));
        await Harness.WaitForStatusAsync(accepted.Id(), "SENT");
        var sent = Assert.Single(await Harness.EventsAsync((string)accepted["transactionId"]!))!;
        Assert.False(sent["payload"]!["xnovu"]!["channels"]!.AsObject().ContainsKey("EMAIL"));
        Assert.True(sent["payload"]!["xnovu"]!["channels"]!.AsObject().ContainsKey("SMS"));
        var delivery = (await enterprise.Client.NotificationAsync(accepted.Id()))["deliveries"]![0]!;
        Assert.Equal("subscriber-workflow", (string)delivery["skippedChannels"]!["EMAIL"]!["source"]!);

        // The other enterprise's subscriber of the same id chose nothing.
        var theirs = await hostile.Client.OkAsync(HttpMethod.Get, $"/api/subscribers/{subscriber}/preferences");
        Assert.All(theirs["workflows"]!.AsArray(), w => Assert.DoesNotContain("subscriber", (string?)w!["sources"]?["email"] ?? string.Empty, StringComparison.Ordinal));
        Assert.True((bool)theirs["global"]!["channels"]!["email"]!);
    }

    [Fact]
    public async Task A_report_older_than_XNovus_own_later_write_loses_and_the_global_level_comes_back_too()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var subscriber = await SubscriberAsync(enterprise.Client);
        var novuSubscriber = NovuNames.SubscriberId(enterprise.Id, subscriber);
        var token = await InboxSessionAsync(novuSubscriber);

        await InboxPatchAsync(token, null, new { sms = false });
        await Eventually.WaitForAsync(
            async () => (JsonNode?)await enterprise.Client.OkAsync(HttpMethod.Get, $"/api/subscribers/{subscriber}/preferences"),
            p => (bool?)p?["global"]?["channels"]?["sms"] == false, DispatchHarness.DeliveryTimeout, "the Inbox's global change in XNovu");

        // XNovu's own write, then a report from before it (a late or replayed webhook) saying the opposite.
        var before = DateTimeOffset.UtcNow.AddSeconds(-2);
        await enterprise.Client.OkAsync(HttpMethod.Patch, $"/api/subscribers/{subscriber}/preferences", new { channels = new { sms = true } });
        // Pushed to Novu (so no push is pending and only the time decides), and its echo back changed nothing.
        await Eventually.WaitForAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/subscribers/{novuSubscriber}/preferences");
            request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", "xnovu-emulator-secret-key");
            using var answer = await _novu.SendAsync(request);
            return (JsonNode?)await answer.Content.ReadFromJsonAsync<JsonObject>();
        }, p => (bool?)p?["data"]?["global"]?["channels"]?["sms"] == true, DispatchHarness.DeliveryTimeout, "XNovu's write in Novu");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var late = await PostSignedAsync(PreferenceReport(novuSubscriber, before, new JsonObject { ["sms"] = false }));

        Assert.Equal(HttpStatusCode.NoContent, late.StatusCode);
        var after = await enterprise.Client.OkAsync(HttpMethod.Get, $"/api/subscribers/{subscriber}/preferences");
        Assert.True((bool)after["global"]!["channels"]!["sms"]!);
    }

    [Fact]
    public async Task A_tenants_own_Novu_cannot_speak_for_another_tenants_subscriber_and_a_malformed_report_writes_nothing()
    {
        var victim = await fixture.CreateEnterpriseAsync();
        var hostile = await fixture.CreateEnterpriseAsync();
        var subscriber = await SubscriberAsync(victim.Client);
        var novuSubscriber = NovuNames.SubscriberId(victim.Id, subscriber);
        await using var own = await XNovu.Tests.Novu.EmulatorHost.StartAsync();
        using var admin = fixture.CreateAdminClient();
        const string hostileSecret = "whsec_aG9zdGlsZS10ZW5hbnQtd2ViaG9vay1zZWNyZXQtMzI=";
        try
        {
            (await admin.PutAsJsonAsync($"/api/admin/enterprises/{hostile.Id}/novu",
                new { apiUrl = own.BaseUrl.ToString(), secretKey = XNovu.Tests.Novu.EmulatorHost.SecretKey })).EnsureSuccessStatusCode();
            (await admin.PutAsJsonAsync($"/api/admin/enterprises/{hostile.Id}/novu/webhook-secret", new { secret = hostileSecret })).EnsureSuccessStatusCode();

            // Signed correctly by the hostile tenant's own Novu, naming the victim's subscriber.
            var forged = await PostSignedAsync(PreferenceReport(novuSubscriber, DateTimeOffset.UtcNow, new JsonObject { ["email"] = false }),
                $"/novu/webhooks/{hostile.Id}", hostileSecret);
            var malformed = await PostSignedAsync(new JsonObject { ["type"] = "preference.updated", ["data"] = new JsonObject { ["subscriberId"] = novuSubscriber } });

            Assert.Equal(HttpStatusCode.NoContent, forged.StatusCode);
            await malformed.AssertProblemAsync(HttpStatusCode.BadRequest, "https://xnovu.dev/problems/malformed-request");
            var after = await victim.Client.OkAsync(HttpMethod.Get, $"/api/subscribers/{subscriber}/preferences");
            Assert.True((bool)after["global"]!["channels"]!["email"]!);
        }
        finally
        {
            await admin.DeleteAsync($"/api/admin/enterprises/{hostile.Id}/novu");
        }
    }

    private static JsonObject PreferenceReport(string novuSubscriber, DateTimeOffset at, JsonObject channels) => new()
    {
        ["id"] = "evt_" + Guid.NewGuid().ToString("N")[..24], ["type"] = "preference.updated", ["object"] = "preference",
        ["data"] = new JsonObject
        {
            ["object"] = new JsonObject { ["level"] = "global", ["enabled"] = true, ["channels"] = channels },
            ["subscriberId"] = novuSubscriber,
        },
        ["timestamp"] = at.ToString("O"), ["environmentId"] = "emulator-environment",
    };

    private async Task<string> InboxSessionAsync(string novuSubscriber)
    {
        // The subscriber reaches Novu through the directory sync: wait for it.
        var session = await Eventually.WaitForAsync(async () =>
        {
            var answer = await _novu.PostAsJsonAsync("/v1/inbox/session", new { applicationIdentifier = "emulator-application", subscriberId = novuSubscriber });
            return answer.IsSuccessStatusCode ? await answer.Content.ReadFromJsonAsync<JsonObject>() : null;
        }, s => s is not null, DispatchHarness.DeliveryTimeout, "an Inbox session");
        return (string)session!["data"]!["token"]!;
    }

    private async Task InboxPatchAsync(string token, string? novuWorkflow, object channels)
    {
        // The workflow reaches Novu through the workflow sync: wait for it.
        await Eventually.WaitForAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Patch, novuWorkflow is null ? "/v1/inbox/preferences" : $"/v1/inbox/preferences/{novuWorkflow}")
            {
                Content = JsonContent.Create(channels),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var answer = await _novu.SendAsync(request);
            return (int?)answer.StatusCode;
        }, status => status == 200, DispatchHarness.DeliveryTimeout, "the Inbox's preference write");
    }

    private async Task<HttpResponseMessage> PostSignedAsync(JsonObject envelope, string path = "/novu/webhooks/shared", string secret = SharedWebhookSecret)
    {
        using var api = fixture.CreateHttpClient("api");
        var body = Encoding.UTF8.GetBytes(envelope.ToJsonString());
        var id = "msg_" + Guid.NewGuid().ToString("N");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(StandardWebhook.IdHeader, id);
        request.Headers.Add(StandardWebhook.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(StandardWebhook.SignatureHeader, StandardWebhook.Sign(id, timestamp, body, [secret]));
        return await api.SendAsync(request);
    }

    private static async Task<JsonObject?> PreferencesAsync(HttpClient client, string subscriber, string workflow) =>
        (await client.OkAsync(HttpMethod.Get, $"/api/subscribers/{subscriber}/preferences"))["workflows"]!.AsArray()
            .Single(w => (string)w!["workflow"]!["identifier"]! == workflow)!.AsObject();

    private static async Task<string> SubscriberAsync(HttpClient client, string? subscriber = null)
    {
        subscriber ??= TriggerApi.Subscriber();
        var put = await client.PutAsJsonAsync($"/api/subscribers/{subscriber}", new { firstName = "Ann", email = "ann@example.com", phone = "+15550100" });
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return subscriber;
    }

    private static async Task<string> EmailAndSmsWorkflowAsync(HttpClient client)
    {
        var email = await client.PublishedTemplateAsync("EMAIL");
        var sms = await client.PublishedTemplateAsync("SMS");
        var key = Key("pref-back");
        await client.CreateAsync("/api/workflows", Workflow(key, ["EMAIL", "SMS"], new() { ["EMAIL"] = email, ["SMS"] = sms }));
        await client.OkAsync(HttpMethod.Post, $"/api/workflows/{key}/publish");
        return key;
    }
}
