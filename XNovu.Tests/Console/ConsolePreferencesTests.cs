using System.Net.Http.Json;
using Microsoft.Playwright;
using XNovu.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Console;

/// <summary>
/// Issue 29 in the console, in real Chromium against the real API: a subscriber's preferences with the source that
/// decided each channel, the enterprise's defaults, and a workflow's digest with a preview of three sample events.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ConsolePreferencesTests(XNovuAppFixture fixture) : IAsyncLifetime
{
    private ConsoleBrowser _browser = default!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.StartAsync(fixture);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task A_subscribers_preferences_show_which_source_won_and_a_checkbox_sets_the_subscribers_own_choice()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await EmailAndSmsWorkflowAsync(enterprise.Client);
        var subscriber = TriggerApi.Subscriber();
        (await enterprise.Client.PutAsJsonAsync($"/api/subscribers/{subscriber}", new { firstName = "Ann", email = "ann@example.com" })).EnsureSuccessStatusCode();
        await enterprise.Client.OkAsync(HttpMethod.Put, $"/api/preferences/defaults/workflows/{workflow}", new { channels = new { sms = false } });
        var page = await _browser.NewPageAsync();
        await ConsoleBrowser.SignInAsync(page, enterprise.ApiKey);

        await page.GetByRole(AriaRole.Link, new() { Name = "Preferences", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/preferences$"));
        await ConsoleBrowser.WaitInteractiveAsync(page);
        await page.FillAsync("#subscriber-id", subscriber);
        await page.ClickAsync("#load-preferences");
        var row = page.Locator($"tr[data-workflow='{workflow}']");
        await Expect(row.Locator("[data-source='sms']")).ToHaveTextAsync("enterprise-workflow");
        await Expect(row.Locator("input[data-channel='sms']")).Not.ToBeCheckedAsync();
        await Expect(row.Locator("[data-source='email']")).ToHaveTextAsync("default");

        await row.Locator("input[data-channel='email']").UncheckAsync();
        await Expect(page.GetByTestId("preference-saved")).ToContainTextAsync($"email off for {workflow}");
        await Expect(row.Locator("[data-source='email']")).ToHaveTextAsync("subscriber-workflow");

        var stored = await enterprise.Client.OkAsync(HttpMethod.Get, $"/api/subscribers/{subscriber}/preferences");
        var answer = stored["workflows"]!.AsArray().Single(w => (string)w!["workflow"]!["identifier"]! == workflow)!;
        Assert.False((bool)answer["channels"]!["email"]!);
        Assert.Equal("subscriber-workflow", (string)answer["sources"]!["email"]!);
    }

    [Fact]
    public async Task The_enterprises_defaults_are_set_edited_and_removed_from_the_page()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await EmailAndSmsWorkflowAsync(enterprise.Client);
        var page = await _browser.NewPageAsync();
        await ConsoleBrowser.SignInAsync(page, enterprise.ApiKey);

        await page.GotoAsync("/preferences/defaults");
        await ConsoleBrowser.WaitInteractiveAsync(page);
        await page.FillAsync("#default-key", workflow);
        await page.SelectOptionAsync("#default-email", "off");
        await page.CheckAsync("#default-forced");
        await page.ClickAsync("#default-save");
        await Expect(page.GetByTestId("default-saved")).ToContainTextAsync($"Default for workflow {workflow} saved");
        var row = page.GetByTestId("preference-defaults").Locator($"tr[data-key='{workflow}']");
        await Expect(row).ToContainTextAsync("email off");
        await Expect(row).ToContainTextAsync("forced");

        var defaults = await enterprise.Client.OkAsync(HttpMethod.Get, "/api/preferences/defaults");
        var stored = defaults["workflows"]!.AsArray().Single(d => (string)d!["key"]! == workflow)!;
        Assert.True((bool)stored["forced"]!);
        Assert.False((bool)stored["channels"]!["email"]!);

        await row.GetByRole(AriaRole.Button, new() { Name = $"Remove the default of {workflow}" }).ClickAsync();
        await Expect(page.GetByTestId("default-saved")).ToContainTextAsync("removed");
        await Expect(row).ToHaveCountAsync(0);
        Assert.Empty((await enterprise.Client.OkAsync(HttpMethod.Get, "/api/preferences/defaults"))["workflows"]!.AsArray());
    }

    [Fact]
    public async Task A_workflows_digest_is_set_in_its_editor_and_previewed_as_a_digest_of_three_sample_events()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var client = enterprise.Client;
        var template = Key("digest-console-tpl");
        await client.CreateAsync("/api/templates", Template(template, "EMAIL",
            body: "<p>{% for e in digest.events %}[{{ e.payload.name }}]{% endfor %} count={{ digest.eventCount }}</p>", subject: "{{ digest.eventCount }} updates"));
        await client.OkAsync(HttpMethod.Post, $"/api/templates/{template}/publish");
        var workflow = Key("digest-console");
        await client.CreateAsync("/api/workflows", Workflow(workflow, ["EMAIL"], new() { ["EMAIL"] = template }));
        var page = await _browser.NewPageAsync();
        await ConsoleBrowser.SignInAsync(page, enterprise.ApiKey);

        await page.GotoAsync($"/workflows/{workflow}");
        await ConsoleBrowser.WaitInteractiveAsync(page);
        await page.SelectOptionAsync("#digest-type", "regular");
        await page.FillAsync("#digest-amount", "15");
        await page.SelectOptionAsync("#digest-unit", "seconds");
        await page.FillAsync("#digest-key", "issue.id");
        await page.ClickAsync("#digest-save");
        await Expect(page.GetByTestId("digest-saved")).ToContainTextAsync("Digest saved (regular)");

        await page.ClickAsync("#digest-preview");
        var preview = page.GetByTestId("digest-preview-result");
        await Expect(preview).ToContainTextAsync("3 updates");
        await Expect(preview).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"\[[^\]]* #1\]\[[^\]]* #2\]\[[^\]]* #3\] count=3"));

        var digest = await client.OkAsync(HttpMethod.Get, $"/api/workflows/{workflow}/digest");
        Assert.Equal("regular", (string)digest["digest"]!["type"]!);
        Assert.Equal(15, (int)digest["digest"]!["amount"]!);
        Assert.Equal("issue.id", (string)digest["digest"]!["digestKey"]!);

        // Back on a reload, with its settings.
        await page.ReloadAsync();
        await ConsoleBrowser.WaitInteractiveAsync(page);
        await Expect(page.Locator("#digest-amount")).ToHaveValueAsync("15");
    }

    private static async Task<string> EmailAndSmsWorkflowAsync(HttpClient client)
    {
        var email = await client.PublishedTemplateAsync("EMAIL");
        var sms = await client.PublishedTemplateAsync("SMS");
        var key = Key("pref-console");
        await client.CreateAsync("/api/workflows", Workflow(key, ["EMAIL", "SMS"], new() { ["EMAIL"] = email, ["SMS"] = sms }));
        await client.OkAsync(HttpMethod.Post, $"/api/workflows/{key}/publish");
        return key;
    }
}
