using System.Text.RegularExpressions;
using Microsoft.Playwright;
using XNovu.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Console;

/// <summary>
/// Issue 30 in the console, in real Chromium against the real API: a template's version history with diff and rollback,
/// the template editor's locale tabs with missing keys marked and a preview in any locale, and the layout editor with
/// its live preview, publish and versions (another enterprise's layouts out of sight).
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ConsoleEditingTests(XNovuAppFixture fixture) : IAsyncLifetime
{
    private ConsoleBrowser _browser = default!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.StartAsync(fixture);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task A_templates_versions_name_their_author_show_a_diff_and_a_rollback_from_the_page_is_a_new_live_version()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var client = enterprise.Client;
        var templateKey = Key("tpl-hist");
        await client.CreateAsync("/api/templates", Template(templateKey, subject: "First wording"));
        await client.OkAsync(HttpMethod.Post, $"/api/templates/{templateKey}/publish");
        await client.OkAsync(HttpMethod.Put, $"/api/templates/{templateKey}", Template(templateKey, subject: "Second wording"));
        await client.OkAsync(HttpMethod.Post, $"/api/templates/{templateKey}/publish");
        var page = await _browser.NewPageAsync();
        await ConsoleBrowser.SignInAsync(page, enterprise.ApiKey);

        await page.GotoAsync($"/templates/{templateKey}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Versions" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/templates/{templateKey}/versions$"));
        await ConsoleBrowser.WaitInteractiveAsync(page);
        var rows = page.GetByTestId("template-versions").Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.First).ToContainTextAsync("live");
        await Expect(rows.Nth(1)).ToContainTextAsync("api-key:");

        await page.ClickAsync("#diff");
        var diff = page.GetByTestId("version-diff");
        await Expect(diff.Locator(".diff-removed", new() { HasText = "First wording" })).ToBeVisibleAsync();
        await Expect(diff.Locator(".diff-added", new() { HasText = "Second wording" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Roll back to 1" }).ClickAsync();
        await Expect(page.GetByTestId("rolled-back")).ToContainTextAsync("version 3 is live");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.First).ToContainTextAsync("rollback to 1");
        var stored = await client.OkAsync(HttpMethod.Get, $"/api/templates/{templateKey}");
        Assert.Equal(3, (int)stored["liveVersion"]!);
        Assert.Equal("First wording", (string)stored["subjectTemplate"]!);
    }

    [Fact]
    public async Task Locale_tabs_mark_the_keys_a_locales_catalogs_lack_preview_any_locale_and_save_a_new_variant()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var client = enterprise.Client;
        await client.OkAsync(HttpMethod.Put, "/api/localization", new { defaultLocale = "en" });
        await client.SendAsync(HttpMethod.Put, "/api/translations/en", new { greeting = "Hello" });
        await client.SendAsync(HttpMethod.Put, "/api/translations/fr", new { greeting = "Bonjour" });
        var templateKey = Key("tpl-loc");
        await client.CreateAsync("/api/templates", new
        {
            templateKey, name = "Localized", channelType = "SMS", bodyTemplate = "{{ 'greeting' | t }} from us",
            locales = new Dictionary<string, object> { ["fr"] = new { body = "{{ 'greeting' | t }} {{ 'fr.note' | t }}" } },
        });
        var page = await _browser.NewPageAsync();
        await ConsoleBrowser.SignInAsync(page, enterprise.ApiKey);

        await page.GotoAsync($"/templates/{templateKey}");
        await ConsoleBrowser.WaitInteractiveAsync(page);
        var tabs = page.GetByTestId("locale-tabs");
        await Expect(tabs.GetByRole(AriaRole.Tab)).ToHaveCountAsync(2);
        await Expect(tabs.Locator("[data-locale=fr] [data-testid=tab-missing]")).ToHaveTextAsync("1 missing");
        await Expect(tabs.Locator("[data-locale=default] [data-testid=tab-missing]")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("preview-text")).ToContainTextAsync("Hello from us");

        await tabs.Locator("[data-locale=fr]").ClickAsync();
        await Expect(page.GetByTestId("preview-text")).ToContainTextAsync("Bonjour");
        await Expect(page.GetByTestId("missing-keys")).ToContainTextAsync("fr.note");
        await Expect(page.GetByTestId("preview-locale")).ToHaveTextAsync("fr");

        // The template's own text as a German subscriber would get it: no German catalog, so the enterprise default.
        await tabs.Locator("[data-locale=default]").ClickAsync();
        await page.FillAsync("#preview-locale", "de");
        await Expect(page.GetByTestId("preview-locale")).ToHaveTextAsync("en");
        await Expect(page.GetByTestId("preview-text")).ToContainTextAsync("Hello from us");

        await page.FillAsync("#new-locale", "fr_BE");
        await page.ClickAsync("#add-locale");
        await Expect(tabs.Locator("[data-locale=fr-BE]")).ToHaveAttributeAsync("aria-selected", "true");
        await page.FillAsync("#template-body", "Salut {{ 'be.only' | t }}");
        await Expect(tabs.Locator("[data-locale=fr-BE] [data-testid=tab-missing]")).ToHaveTextAsync("1 missing");
        await page.ClickAsync("#save");
        await Expect(page.GetByTestId("saved")).ToContainTextAsync("Saved");
        var stored = await client.OkAsync(HttpMethod.Get, $"/api/templates/{templateKey}");
        Assert.Equal("Salut {{ 'be.only' | t }}", (string)stored["locales"]!["fr-BE"]!["body"]!);
        Assert.Equal("{{ 'greeting' | t }} {{ 'fr.note' | t }}", (string)stored["locales"]!["fr"]!["body"]!);

        // The API's publish check refuses what the tabs marked, per locale.
        await page.ClickAsync("#publish");
        await Expect(page.GetByTestId("problem")).ToContainTextAsync("fr.note");
        await Expect(page.GetByTestId("problem")).ToContainTextAsync("be.only");
    }

    [Fact]
    public async Task The_layout_editor_previews_a_template_inside_unsaved_fields_publishes_and_rolls_back_and_hides_another_tenants_layouts()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var other = await fixture.CreateEnterpriseAsync();
        var client = enterprise.Client;
        var (layoutKey, otherKey, templateKey) = (Key("brand"), Key("theirs"), Key("laid-out"));
        await client.CreateAsync("/api/layouts", new { layoutKey, name = "Brand", headerHtml = "<h1>Header one</h1>", footerHtml = "<small>Foot</small>", senderName = "Acme One" });
        await client.OkAsync(HttpMethod.Post, $"/api/layouts/{layoutKey}/publish");
        await other.Client.CreateAsync("/api/layouts", new { layoutKey = otherKey, name = "Theirs", headerHtml = "<h1>Secret</h1>", footerHtml = "" });
        await client.CreateAsync("/api/templates", new { templateKey, name = "Laid out", channelType = "EMAIL", subjectTemplate = "Hi", bodyTemplate = "<p>Template body {{ payload.name }}</p>" });
        var page = await _browser.NewPageAsync();
        await ConsoleBrowser.SignInAsync(page, enterprise.ApiKey);

        await page.GotoAsync("/layouts");
        await Expect(page.GetByTestId("layouts")).ToContainTextAsync("Acme One");
        await Expect(page.GetByTestId("layouts")).Not.ToContainTextAsync(otherKey);
        await page.GetByRole(AriaRole.Link, new() { Name = layoutKey }).ClickAsync();
        await ConsoleBrowser.WaitInteractiveAsync(page);
        var preview = page.GetByTestId("preview-html");
        await Expect(preview).ToHaveAttributeAsync("srcdoc", new Regex("Header one"));

        await page.SelectOptionAsync("#layout-template", templateKey);
        await page.FillAsync("#layout-payload", "{\"name\": \"Ann\"}");
        await Expect(preview).ToHaveAttributeAsync("srcdoc", new Regex("Template body Ann"));
        await page.FillAsync("#layout-header", "<h1>Header two</h1>");
        await Expect(preview).ToHaveAttributeAsync("srcdoc", new Regex("Header two.*Template body Ann", RegexOptions.Singleline));
        Assert.Equal("<h1>Header one</h1>", (string)(await client.OkAsync(HttpMethod.Get, $"/api/layouts/{layoutKey}"))["headerHtml"]!);
        await page.FillAsync("#layout-primary", "red");
        await Expect(page.GetByTestId("problem")).ToContainTextAsync("hex colour");
        await page.FillAsync("#layout-primary", "#0b5cad");

        await page.FillAsync("#layout-sender", "Acme Two");
        await page.ClickAsync("#save");
        await Expect(page.GetByTestId("saved")).ToContainTextAsync("Saved");
        await page.ClickAsync("#publish");
        await Expect(page.GetByTestId("saved")).ToContainTextAsync("version 2 is live");
        var versions = page.GetByTestId("layout-versions").Locator("tbody tr");
        await Expect(versions).ToHaveCountAsync(2);
        await Expect(versions.First).ToContainTextAsync("Acme Two");

        await page.GetByRole(AriaRole.Button, new() { Name = "Roll back to 1" }).ClickAsync();
        await Expect(page.GetByTestId("saved")).ToContainTextAsync("version 3 is live");
        await Expect(versions).ToHaveCountAsync(3);
        await Expect(preview).ToHaveAttributeAsync("srcdoc", new Regex("Header one"));
        var stored = await client.OkAsync(HttpMethod.Get, $"/api/layouts/{layoutKey}");
        Assert.Equal((3, "Acme One"), ((int)stored["liveVersion"]!, (string)stored["senderName"]!));

        await page.GotoAsync($"/layouts/{otherKey}");
        await Expect(page.GetByTestId("problem")).ToContainTextAsync("not found");
    }
}
