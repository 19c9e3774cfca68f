using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using XNovu.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace XNovu.Tests.Console;

/// <summary>
/// Every page, opened as a newcomer would (the admin key, then an enterprise), renders without a problem, and reads
/// on a phone-sized screen without sideways scrolling. With <c>XNOVU_CONSOLE_SCREENSHOTS</c> set to a folder, each page
/// is saved there as a PNG: that is how <c>docs/console/*.png</c> are made.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ConsolePageTourTests(XNovuAppFixture fixture) : IAsyncLifetime
{
    public const string ScreenshotsVariable = "XNOVU_CONSOLE_SCREENSHOTS";
    private ConsoleBrowser _browser = default!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.StartAsync(fixture);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task Every_page_renders_for_an_admin_and_reads_on_a_narrow_screen()
    {
        var enterprise = await fixture.CreateEnterpriseAsync($"Acme {Guid.NewGuid():N}"[..13]);
        var ruleId = await SeedAsync(enterprise);
        var notificationId = await TriggerAndWaitAsync(enterprise);
        var page = await _browser.NewPageAsync();

        await page.GotoAsync("/signin");
        await SnapAsync(page, "signin");
        await ConsoleBrowser.SignInAsync(page, XNovuAppFixture.AdminKey);
        await Expect(page).ToHaveURLAsync(new Regex("/enterprises$"));
        await page.GetByRole(AriaRole.Button, new() { Name = $"Use {enterprise.Name}" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/templates$"));

        await VisitAsync(page, "/templates", "templates");
        await VisitAsync(page, "/templates/receipt", "template-editor", interactive: true, ready: p => Expect(p.GetByTestId("preview-html")).ToHaveAttributeAsync("srcdoc", new Regex("Thanks, Ada")));
        await VisitAsync(page, "/templates/receipt/versions", "template-versions", interactive: true, ready: p => Expect(p.GetByTestId("template-versions").Locator("tbody tr")).ToHaveCountAsync(1));
        await VisitAsync(page, "/layouts", "layouts", ready: p => Expect(p.GetByTestId("layouts")).ToContainTextAsync("brand"));
        await VisitAsync(page, "/layouts/brand", "layout-editor", interactive: true, ready: p => Expect(p.GetByTestId("preview-html")).ToHaveAttributeAsync("srcdoc", new Regex("Acme news")));
        await VisitAsync(page, "/workflows", "workflows");
        await VisitAsync(page, "/workflows/receipt", "workflow-editor", interactive: true);
        await VisitAsync(page, "/rules", "rules");
        await VisitAsync(page, $"/rules/{ruleId}", "rule-editor", interactive: true, ready: p => Expect(p.GetByTestId("next-fires").Locator("li")).ToHaveCountAsync(5));
        await VisitAsync(page, "/activity", "activity", interactive: true, ready: p => Expect(p.Locator($"tr[data-notification='{notificationId}']")).ToBeVisibleAsync());
        await VisitAsync(page, $"/activity/{notificationId}", "notification", interactive: true, ready: p => Expect(p.GetByTestId("deliveries")).ToContainTextAsync("SENT"));
        await VisitAsync(page, "/operations", "operations", ready: p => Expect(p.GetByTestId("health")).ToContainTextAsync("database"));

        await page.SetViewportSizeAsync(390, 844);
        foreach (var (path, name) in new[] { ("/activity", "activity-narrow"), ("/templates/receipt", "template-editor-narrow"), ("/layouts/brand", "layout-editor-narrow") })
        {
            await page.GotoAsync(path);
            await ConsoleBrowser.WaitInteractiveAsync(page);
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.True(overflow <= 0, $"{path} scrolls sideways by {overflow}px on a 390px screen");
            await SnapAsync(page, name);
        }
    }

    private async Task VisitAsync(IPage page, string path, string name, bool interactive = false, Func<IPage, Task>? ready = null)
    {
        await page.GotoAsync(path);
        if (interactive)
        {
            await ConsoleBrowser.WaitInteractiveAsync(page);
        }

        if (ready is not null)
        {
            await ready(page);
        }

        await Expect(page.GetByTestId("problem")).ToHaveCountAsync(0);
        await Expect(page.Locator("h1")).ToBeVisibleAsync();
        await SnapAsync(page, name);
    }

    private static async Task SnapAsync(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable(ScreenshotsVariable);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
        }
    }

    private static async Task<long> SeedAsync(TestEnterprise enterprise)
    {
        (await enterprise.Client.PostAsJsonAsync("/api/templates", new
        {
            templateKey = "receipt",
            name = "Receipt",
            channelType = "EMAIL",
            subjectTemplate = "Your receipt for order {{ payload.order }}",
            bodyTemplate = "<h1>Thanks, {{ subscriber.firstName | default: payload.name }}</h1>\n<p>Order <b>{{ payload.order }}</b> totals {{ payload.total }}.</p>",
            variablesDescription = new { name = new { example = "Grace" }, order = new { example = "A-1001" }, total = new { example = "42.00 EUR" } },
        })).EnsureSuccessStatusCode();
        (await enterprise.Client.PostAsync("/api/templates/receipt/publish", null)).EnsureSuccessStatusCode();
        (await enterprise.Client.PostAsJsonAsync("/api/layouts", new
        {
            layoutKey = "brand", name = "Brand", headerHtml = "<h2>Acme news</h2>", footerHtml = "<small>Acme, 1 Main St</small>",
            primaryColor = "#0b5cad", senderName = "Acme",
        })).EnsureSuccessStatusCode();
        (await enterprise.Client.PostAsJsonAsync("/api/workflows", new
        {
            workflowKey = "receipt",
            name = "Receipt",
            defaultChannels = new[] { "EMAIL" },
            templateOverrides = new Dictionary<string, string> { ["EMAIL"] = "receipt" },
            payloadSchema = new { type = "object", properties = new { order = new { type = "string" }, total = new { type = "string" } }, required = new[] { "order" } },
        })).EnsureSuccessStatusCode();
        (await enterprise.Client.PostAsync("/api/workflows/receipt/publish", null)).EnsureSuccessStatusCode();
        var rule = await enterprise.Client.PostAsJsonAsync("/api/rules", new
        {
            name = "Weekday digest",
            workflowKey = "receipt",
            triggerType = "CRON",
            triggerConfig = new { cron = "0 9 * * MON-FRI", timezone = "Europe/Paris" },
            rulePayload = new { recipients = new[] { new { subscriberId = "ann", email = "ann@example.com" } }, payload = new { order = "digest" } },
        });
        rule.EnsureSuccessStatusCode();
        return (long)(await rule.ReadObjectAsync())["id"]!;
    }

    private static async Task<long> TriggerAndWaitAsync(TestEnterprise enterprise)
    {
        var answer = await enterprise.Client.PostAsJsonAsync("/api/trigger", new
        {
            workflowId = "receipt",
            to = new { subscriberId = "grace", email = "grace@example.com", firstName = "Grace" },
            payload = new { order = "A-1001", total = "42.00 EUR" },
        });
        answer.EnsureSuccessStatusCode();
        var id = (long)(await answer.ReadObjectAsync())["notificationId"]!;
        await Eventually.WaitForAsync(
            async () => (string?)(await (await enterprise.Client.GetAsync($"/api/notifications/{id}")).ReadObjectAsync())["status"],
            status => status == "SENT",
            TimeSpan.FromSeconds(45),
            "the notification to be sent");
        return id;
    }
}
