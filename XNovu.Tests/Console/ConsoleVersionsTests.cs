using System.Text.RegularExpressions;
using Microsoft.Playwright;
using XNovu.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Console;

/// <summary>Issue 30 in the console, in real Chromium against the real API: a workflow's versions with diff and rollback, and the audit page.</summary>
[Collection(AppCollection.Name)]
public sealed class ConsoleVersionsTests(XNovuAppFixture fixture) : IAsyncLifetime
{
    private ConsoleBrowser _browser = default!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.StartAsync(fixture);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task A_workflows_versions_show_their_diff_and_a_rollback_from_the_page_is_a_new_version_in_the_audit_trail()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var client = enterprise.Client;
        var first = await client.PublishedTemplateAsync("EMAIL");
        var second = await client.PublishedTemplateAsync("EMAIL");
        var workflowKey = Key("wf-console");
        await client.CreateAsync("/api/workflows", Workflow(workflowKey, ["EMAIL"], new() { ["EMAIL"] = first }));
        await client.OkAsync(HttpMethod.Post, $"/api/workflows/{workflowKey}/publish");
        await client.OkAsync(HttpMethod.Put, $"/api/workflows/{workflowKey}", Workflow(workflowKey, ["EMAIL"], new() { ["EMAIL"] = second }));
        await client.OkAsync(HttpMethod.Post, $"/api/workflows/{workflowKey}/publish");
        var page = await _browser.NewPageAsync();
        await ConsoleBrowser.SignInAsync(page, enterprise.ApiKey);

        await page.GotoAsync($"/workflows/{workflowKey}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Versions" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/workflows/{workflowKey}/versions$"));
        await ConsoleBrowser.WaitInteractiveAsync(page);
        await Expect(page.GetByTestId("workflow-versions").Locator("tbody tr")).ToHaveCountAsync(2);

        await page.ClickAsync("#diff");
        var diff = page.GetByTestId("version-diff");
        await Expect(diff).ToContainTextAsync("templateOverrides");
        await Expect(diff.Locator(".diff-removed", new() { HasText = first })).ToBeVisibleAsync();
        await Expect(diff.Locator(".diff-added", new() { HasText = second })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Roll back to 1" }).ClickAsync();
        await Expect(page.GetByTestId("rolled-back")).ToContainTextAsync("Rolled back to version 1");
        await Expect(page.GetByTestId("workflow-versions").Locator("tbody tr")).ToHaveCountAsync(3);
        await Expect(page.GetByTestId("workflow-versions").Locator("tbody tr").First).ToContainTextAsync("rollback to 1");
        var stored = await client.OkAsync(HttpMethod.Get, $"/api/workflows/{workflowKey}");
        Assert.Equal(first, (string)stored["templateOverrides"]!["EMAIL"]!);

        await page.GetByRole(AriaRole.Link, new() { Name = "Audit" }).ClickAsync();
        await page.SelectOptionAsync("#entity-type", "workflow-version");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var rows = page.GetByTestId("audit").Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.First).ToContainTextAsync("POST /api/workflows/{workflowKey}/versions/{version:int}/rollback");
        await Expect(rows.First).ToContainTextAsync("api-key:");
    }
}
