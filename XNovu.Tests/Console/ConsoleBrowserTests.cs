using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using XNovu.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace XNovu.Tests.Console;

/// <summary>The console in real Chromium against the real AppHost: every page talks to the real API.</summary>
[Collection(AppCollection.Name)]
public sealed partial class ConsoleBrowserTests(XNovuAppFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(45);
    private ConsoleBrowser _browser = default!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.StartAsync(fixture);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task Sign_in_with_an_enterprise_key_opens_the_activity_feed()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var page = await _browser.NewPageAsync();

        await ConsoleBrowser.SignInAsync(page, enterprise.ApiKey);

        await Expect(page).ToHaveURLAsync(new Regex("/activity$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Activity");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Templates" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Sign_in_with_a_wrong_key_is_refused_and_the_pages_stay_closed()
    {
        var page = await _browser.NewPageAsync();

        await ConsoleBrowser.SignInAsync(page, "xnv_not-a-real-key-0000000000");

        await Expect(page.GetByTestId("signin-error")).ToContainTextAsync("refused");
        await Expect(page).ToHaveURLAsync(new Regex("/signin"));
        await page.GotoAsync("/templates");
        await Expect(page).ToHaveURLAsync(new Regex("/signin"));
        var cookies = await page.Context.CookiesAsync();
        Assert.DoesNotContain(cookies, c => c.Name == "xnovu-console");
    }

    [Fact]
    public async Task Admin_picks_an_enterprise_and_its_console_key_is_revoked_at_sign_out()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var page = await _browser.NewPageAsync();

        await ConsoleBrowser.SignInAsync(page, XNovuAppFixture.AdminKey);
        await Expect(page).ToHaveURLAsync(new Regex("/enterprises$"));
        await page.GetByRole(AriaRole.Button, new() { Name = $"Use {enterprise.Name}" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/templates$"));
        await Expect(page.Locator(".who")).ToContainTextAsync(enterprise.Name);

        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "xnovu-console");
        Assert.True(cookie.HttpOnly);
        Assert.DoesNotContain(XNovuAppFixture.AdminKey, cookie.Value, StringComparison.Ordinal);
        Assert.Equal(1, await ActiveConsoleKeysAsync(enterprise.Id));

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/signin$"));
        Assert.Equal(0, await ActiveConsoleKeysAsync(enterprise.Id));
    }

    [Fact]
    public async Task Editing_a_template_changes_its_preview_and_a_parse_error_shows_its_line_and_column()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        (await enterprise.Client.PostAsJsonAsync("/api/templates", new
        {
            templateKey = "welcome",
            name = "Welcome",
            channelType = "EMAIL",
            subjectTemplate = "Hi {{ payload.name }}",
            bodyTemplate = "<p>Hello {{ payload.name }}</p>",
            variablesDescription = new { name = new { example = "Grace" } },
        })).EnsureSuccessStatusCode();
        var page = await _browser.NewPageAsync();
        await ConsoleBrowser.SignInAsync(page, enterprise.ApiKey);

        await page.GotoAsync("/templates/welcome");
        await ConsoleBrowser.WaitInteractiveAsync(page);
        await Expect(page.GetByTestId("preview-subject")).ToHaveTextAsync("Hi Grace");
        await Expect(page.GetByTestId("preview-html")).ToHaveAttributeAsync("srcdoc", new Regex("<p>Hello Grace</p>"));
        await Expect(page.GetByTestId("preview-html")).ToHaveAttributeAsync("sandbox", string.Empty);

        await page.FillAsync("#template-body", "<p>Goodbye {{ payload.name | upcase }}</p>");
        await Expect(page.GetByTestId("preview-html")).ToHaveAttributeAsync("srcdoc", new Regex("<p>Goodbye GRACE</p>"));
        await Expect(page.GetByTestId("preview-text")).ToContainTextAsync("Goodbye GRACE");

        await page.FillAsync("#template-body", "line one\nHi {{ payload.name");
        await Expect(page.GetByTestId("problem")).ToContainTextAsync("line 2, column 4");

        await page.FillAsync("#sample-payload", "{\n  \"name\": \"Ada\",\n  oops\n}");
        await Expect(page.GetByTestId("json-error")).ToContainTextAsync("line 3, column");

        await page.FillAsync("#sample-payload", "{\"name\": \"Ada\"}");
        await page.FillAsync("#template-body", "<p>Saved {{ payload.name }}</p>");
        await Expect(page.GetByTestId("preview-html")).ToHaveAttributeAsync("srcdoc", new Regex("Saved Ada"));
        await page.ClickAsync("#save");
        await Expect(page.GetByTestId("saved")).ToContainTextAsync("Saved");
        await page.ClickAsync("#publish");
        await Expect(page.GetByTestId("saved")).ToContainTextAsync("Published");

        var stored = await (await enterprise.Client.GetAsync("/api/templates/welcome")).ReadObjectAsync();
        Assert.Equal("<p>Saved {{ payload.name }}</p>", (string?)stored["bodyTemplate"]);
        Assert.Equal("PUBLISH", (string?)stored["publishStatus"]);
    }

    [Fact]
    public async Task Publishing_a_workflow_shows_the_publish_checks_then_publishes_it()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        (await enterprise.Client.PostAsJsonAsync("/api/templates", new
        {
            templateKey = "order-email",
            name = "Order email",
            channelType = "EMAIL",
            subjectTemplate = "Order {{ payload.order }}",
            bodyTemplate = "<p>Order {{ payload.order }} shipped</p>",
        })).EnsureSuccessStatusCode();
        (await enterprise.Client.PostAsJsonAsync("/api/workflows", new
        {
            workflowKey = "order-shipped",
            name = "Order shipped",
            defaultChannels = new[] { "EMAIL" },
            templateOverrides = new Dictionary<string, string> { ["EMAIL"] = "order-email" },
        })).EnsureSuccessStatusCode();
        var page = await _browser.NewPageAsync();
        await ConsoleBrowser.SignInAsync(page, enterprise.ApiKey);

        await page.GotoAsync("/workflows");
        await page.GetByRole(AriaRole.Link, new() { Name = "order-shipped" }).ClickAsync();
        await ConsoleBrowser.WaitInteractiveAsync(page);
        await Expect(page.Locator("#template-EMAIL")).ToHaveValueAsync("order-email");

        // The template is still a draft: the API's publish check says so, and the console shows it as given.
        await page.ClickAsync("#publish");
        await Expect(page.GetByTestId("problem")).ToContainTextAsync("cannot be published");
        await Expect(page.GetByTestId("publish-status")).ToHaveTextAsync("DRAFT");

        (await enterprise.Client.PostAsync("/api/templates/order-email/publish", null)).EnsureSuccessStatusCode();
        await page.ClickAsync("#publish");
        await Expect(page.GetByTestId("saved")).ToContainTextAsync("Published");
        await Expect(page.GetByTestId("publish-status")).ToHaveTextAsync("PUBLISH");
        var stored = await (await enterprise.Client.GetAsync("/api/workflows/order-shipped")).ReadObjectAsync();
        Assert.Equal("PUBLISH", (string?)stored["publishStatus"]);
    }

    [Fact]
    public async Task A_triggered_notification_appears_in_the_live_feed_and_reaches_SENT()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var page = await _browser.NewPageAsync();
        await ConsoleBrowser.SignInAsync(page, enterprise.ApiKey);
        await ConsoleBrowser.WaitInteractiveAsync(page);

        var id = await TriggerAsync(enterprise, $"feed-{Guid.NewGuid():N}");

        // No reload: the feed refreshes itself.
        var row = page.Locator($"tr[data-notification='{id}']");
        await Expect(row).ToBeVisibleAsync(new() { Timeout = (float)DeliveryTimeout.TotalMilliseconds });
        await Expect(row.Locator("[data-status]")).ToHaveAttributeAsync("data-status", "SENT", new() { Timeout = (float)DeliveryTimeout.TotalMilliseconds });
        await Expect(page.Locator("tr[data-notification]")).ToHaveCountAsync(1);

        await page.SelectOptionAsync("#filter-status", "FAILED");
        await Expect(page.Locator("tr[data-notification]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_failed_notification_is_retried_from_its_page_and_reaches_SENT()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var subscriber = $"retry-{Guid.NewGuid():N}";
        using var novu = fixture.CreateHttpClient("novu");
        (await novu.PostAsJsonAsync("/emulator/faults", new { statusCode = 422, count = 1, paths = new[] { "/v1/events" }, bodyContains = subscriber }))
            .EnsureSuccessStatusCode();
        var id = await TriggerAsync(enterprise, subscriber);
        await Eventually.WaitForAsync(
            async () => (string?)(await (await enterprise.Client.GetAsync($"/api/notifications/{id}")).ReadObjectAsync())["status"],
            status => status == "FAILED",
            DeliveryTimeout,
            "the notification to fail");

        var page = await _browser.NewPageAsync();
        await ConsoleBrowser.SignInAsync(page, enterprise.ApiKey);
        await page.GotoAsync($"/activity/{id}");
        await ConsoleBrowser.WaitInteractiveAsync(page);
        await Expect(page.Locator("h1 + [data-status]")).ToHaveAttributeAsync("data-status", "FAILED");
        await Expect(page.GetByTestId("deliveries")).ToContainTextAsync("422");

        await page.ClickAsync("#retry");
        await Expect(page.GetByTestId("action-done")).ToBeVisibleAsync();
        await Expect(page.Locator("h1 + [data-status]")).ToHaveAttributeAsync("data-status", "SENT", new() { Timeout = (float)DeliveryTimeout.TotalMilliseconds });
        await Expect(page.GetByTestId("deliveries")).ToContainTextAsync(subscriber);
    }

    private async Task<long> TriggerAsync(TestEnterprise enterprise, string subscriber)
    {
        var answer = await enterprise.Client.PostAsJsonAsync("/api/trigger", new
        {
            workflowId = "default-email",
            to = new { subscriberId = subscriber, email = $"{subscriber}@example.com" },
            payload = new { subject = "Hello", body = "From the console test" },
        });
        answer.EnsureSuccessStatusCode();
        return (long)(await answer.ReadObjectAsync())["notificationId"]!;
    }

    private async Task<int> ActiveConsoleKeysAsync(Guid enterpriseId)
    {
        using var admin = fixture.CreateAdminClient();
        var keys = (await admin.GetFromJsonAsync<JsonArray>($"/api/admin/enterprises/{enterpriseId}/api-keys"))!;
        return keys.Count(k => ((string?)k!["name"])!.StartsWith("console session", StringComparison.Ordinal) && k["revokedAt"] is null);
    }
}
