using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using XNovu.Tests.Infrastructure;
using XNovu.Tests.Webhooks;
using static Microsoft.Playwright.Assertions;

namespace XNovu.Tests.Console;

/// <summary>
/// Issue 28 in the console, in real Chromium against the real API and the emulator: a delivery's timeline as Novu
/// reported it (delivered, and failed with the provider's error); the enterprise's webhook endpoints created with
/// their event types, disabled, enabled, their secret rotated, their attempts seen, a message and a range replayed,
/// and deleted; another tenant sees none of it.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ConsoleWebhookTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly HttpClient _novu = fixture.CreateHttpClient("novu");
    private readonly TestReceiver _receiver = new();
    private ConsoleBrowser _browser = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await NovuWebhookFaultsAsync();
        _browser = await ConsoleBrowser.StartAsync(fixture);
    }

    public override async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _receiver.DisposeAsync();
        await NovuWebhookFaultsAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task A_notification_page_shows_each_deliverys_timeline_delivered_and_failed_with_the_providers_error()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var delivered = await TriggerAsync(enterprise);
        await WaitAsync(async () => (await enterprise.Client.NotificationAsync(delivered))["deliveries"]![0]!,
            d => (string?)d["outcome"] == "delivered" && d["timeline"]!.AsArray().Count == 3);
        await NovuWebhookFaultsAsync("provider-failure");
        var failed = await TriggerAsync(enterprise);
        await WaitAsync(async () => (await enterprise.Client.NotificationAsync(failed))["deliveries"]![0]!,
            d => (string?)d["outcome"] == "failed");
        var page = await _browser.NewPageAsync();
        await ConsoleBrowser.SignInAsync(page, enterprise.ApiKey);

        await page.GotoAsync($"/activity/{delivered}");
        var timeline = page.GetByTestId("timeline");
        await Expect(timeline.Locator("li")).ToHaveCountAsync(3);
        await Expect(timeline.Locator("li[data-event=accepted]")).ToContainTextAsync("accepted by Novu");
        await Expect(timeline.Locator("li[data-event=sent]")).ToContainTextAsync("Novu's webhook");
        await Expect(timeline.Locator("li[data-event=delivered]")).ToContainTextAsync(new Regex(@"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z"));
        await Expect(page.GetByTestId("deliveries")).ToContainTextAsync("delivered");

        await page.GotoAsync($"/activity/{failed}");
        await Expect(page.GetByTestId("timeline").Locator("li[data-event=failed]")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("provider-error")).ToContainTextAsync("mail_bounce");
        await Expect(page.GetByTestId("provider-error")).ToContainTextAsync("does not exist");

        // Another tenant's session cannot open it.
        var hostile = await fixture.CreateEnterpriseAsync();
        var other = await _browser.NewPageAsync();
        await ConsoleBrowser.SignInAsync(other, hostile.ApiKey);
        await other.GotoAsync($"/activity/{delivered}");
        await Expect(other.GetByTestId("problem")).ToBeVisibleAsync();
        await Expect(other.GetByTestId("timeline")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Webhook_endpoints_are_created_disabled_enabled_rotated_replayed_and_deleted_from_the_console()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var hostile = await fixture.CreateEnterpriseAsync();
        using (var admin = fixture.CreateAdminClient())
        {
            (await admin.PutAsJsonAsync($"/api/admin/enterprises/{enterprise.Id}/webhooks", new { allowPrivateAddresses = true })).EnsureSuccessStatusCode();
        }

        var page = await _browser.NewPageAsync();
        await ConsoleBrowser.SignInAsync(page, enterprise.ApiKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "Webhooks" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/webhooks$"));
        await ConsoleBrowser.WaitInteractiveAsync(page);

        // A bad URL is the API's problem, shown, and nothing is created.
        await page.FillAsync("#endpoint-url", "not a url");
        await page.ClickAsync("#create-endpoint");
        await Expect(page.GetByTestId("problem")).ToContainTextAsync("url");
        Assert.Empty((await enterprise.Client.GetFromJsonAsync<JsonArray>("/api/webhooks/endpoints"))!);

        await page.FillAsync("#endpoint-url", _receiver.Url("console"));
        await page.FillAsync("#endpoint-description", "from the console");
        await page.UncheckAsync("[data-event-type='notification.delivered']");
        await page.UncheckAsync("[data-event-type='notification.failed']");
        await page.CheckAsync("[data-event-type='notification.accepted']");
        await page.ClickAsync("#create-endpoint");
        await Expect(page.GetByTestId("endpoint-secret")).ToContainTextAsync("whsec_");
        var firstSecret = await page.GetByTestId("endpoint-secret").InnerTextAsync();
        await Expect(page.GetByTestId("webhook-endpoints").Locator("tbody tr")).ToHaveCountAsync(1);
        var endpoint = (await enterprise.Client.GetFromJsonAsync<JsonArray>("/api/webhooks/endpoints"))!.Single()!;
        var endpointId = (string)endpoint["id"]!;
        Assert.Equal(["notification.accepted"], endpoint["eventTypes"]!.AsArray().Select(t => (string)t!));

        await TriggerAsync(enterprise);
        await WaitAsync(() => Task.FromResult(_receiver.At("console")), r => r.Count == 1);
        await WaitAsync(async () => (await enterprise.Client.GetFromJsonAsync<JsonArray>($"/api/webhooks/endpoints/{endpointId}/attempts"))!, a => a.Count == 1);

        await page.GetByTestId("webhook-endpoints").GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/webhooks/{endpointId}$"));
        await ConsoleBrowser.WaitInteractiveAsync(page);
        var attempts = page.GetByTestId("webhook-attempts").Locator("tbody tr");
        await Expect(attempts).ToHaveCountAsync(1);
        await Expect(attempts.First).ToContainTextAsync("204");
        await Expect(attempts.First).ToContainTextAsync("delivered");
        await Expect(attempts.First).ToContainTextAsync("notification.accepted");

        // Replay of the attempt's message: sent again under its own webhook-id.
        await attempts.First.GetByRole(AriaRole.Button, new() { Name = "Replay" }).ClickAsync();
        await Expect(page.GetByTestId("action-done")).ToContainTextAsync("queued to be sent again");
        var twice = await WaitAsync(() => Task.FromResult(_receiver.At("console")), r => r.Count == 2);
        Assert.Equal(twice[0].Id, twice[1].Id);

        await page.ClickAsync("#toggle-endpoint");
        await Expect(page.GetByTestId("action-done")).ToContainTextAsync("Disabled");
        Assert.False((bool)(await enterprise.Client.GetFromJsonAsync<JsonObject>($"/api/webhooks/endpoints/{endpointId}"))!["enabled"]!);
        await page.ClickAsync("#toggle-endpoint");
        await Expect(page.GetByTestId("action-done")).ToContainTextAsync("Enabled");
        Assert.True((bool)(await enterprise.Client.GetFromJsonAsync<JsonObject>($"/api/webhooks/endpoints/{endpointId}"))!["enabled"]!);

        await page.ClickAsync("#rotate-secret");
        await Expect(page.GetByTestId("rotated-secret")).ToContainTextAsync("whsec_");
        var secondSecret = await page.GetByTestId("rotated-secret").InnerTextAsync();
        Assert.NotEqual(firstSecret, secondSecret);
        Assert.Equal(secondSecret, (string)(await enterprise.Client.GetFromJsonAsync<JsonObject>($"/api/webhooks/endpoints/{endpointId}/secret"))!["secret"]!);

        // A range replay: everything (not only failed ones) from an hour ago.
        await WaitAsync(async () => (await enterprise.Client.GetFromJsonAsync<JsonArray>($"/api/webhooks/endpoints/{endpointId}/messages"))!,
            m => m.All(x => (string)x!["status"]! == "delivered"));
        await page.FillAsync("#replay-since", DateTime.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm"));
        await page.UncheckAsync("#replay-only-failed");
        await page.ClickAsync("#replay-range-button");
        await Expect(page.GetByTestId("action-done")).ToContainTextAsync("1 messages queued");
        await WaitAsync(() => Task.FromResult(_receiver.At("console")), r => r.Count == 3);

        // The other tenant sees nothing of it, in the console or the API.
        var other = await _browser.NewPageAsync();
        await ConsoleBrowser.SignInAsync(other, hostile.ApiKey);
        await other.GotoAsync($"/webhooks/{endpointId}");
        await Expect(other.GetByTestId("problem")).ToContainTextAsync("not found");
        await other.GotoAsync("/webhooks");
        await Expect(other.GetByTestId("webhook-endpoints").Locator("tbody tr")).ToHaveCountAsync(0);

        await page.ClickAsync("#delete-endpoint");
        await Expect(page).ToHaveURLAsync(new Regex("/webhooks$"));
        await Expect(page.GetByTestId("webhook-endpoints").Locator("tbody tr")).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.NotFound, (await enterprise.Client.GetAsync($"/api/webhooks/endpoints/{endpointId}")).StatusCode);
    }

    private async Task<long> TriggerAsync(TestEnterprise enterprise)
    {
        var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(
            to: new { subscriberId = TriggerApi.Subscriber(), email = "ann@example.com" }, payload: new { body = "Hello" }));
        var id = (long)accepted["notificationId"]!;
        await Harness.WaitForStatusAsync(id, "SENT");
        return id;
    }

    private async Task NovuWebhookFaultsAsync(params string[] faults) =>
        (await _novu.PostAsJsonAsync("/emulator/webhooks", new { faults })).EnsureSuccessStatusCode();

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

            await Task.Delay(250);
        }
    }
}
