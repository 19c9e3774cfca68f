using System.Net;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Compatibility;

/// <summary>
/// <c>xnovu import</c> against the original's real schema (psychomelet/xnovu 86f4b06, <see cref="OriginalDatabase"/>),
/// then delivery through the real system.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ImportTests(XNovuAppFixture fixture) : IAsyncLifetime
{
    private const string Ann = "aaaaaaaa-0000-4000-8000-000000000001";

    private readonly OriginalDatabase _original = new(fixture);
    private readonly DispatchHarness _harness = new(fixture);

    public Task InitializeAsync() => _original.CreateAsync();

    public async Task DisposeAsync()
    {
        await _original.DisposeAsync();
        await _harness.DisposeAsync();
    }

    [Fact]
    public async Task Every_imported_workflow_renders_what_the_original_rendered_with_root_level_variables()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var (exitCode, report, errors) = await _original.ImportAsync(enterprise);
        Assert.True(exitCode == 2, $"exit {exitCode}: {report.ToJsonString()} {errors}");
        Assert.Empty(report.Lines("failed"));

        var shipped = await DeliveredAsync(enterprise, "order-shipped", new { userName = "Ann", orderId = 42 });
        var drill = await DeliveredAsync(enterprise, "fire-drill", new { building = "HQ", drillDate = "Monday" });
        var digest = await DeliveredAsync(enterprise, "new-year-digest", new { userName = "Ann", orderId = 7 });

        // What the original rendered: payload keys at the root, the signature included with its argument, a filter's default.
        Assert.Equal("Order 42 shipped", (string)shipped["EMAIL"]!["subject"]!);
        Assert.Equal("<p>Hello Ann,</p><p>Regards, Acme Support</p>", (string)shipped["EMAIL"]!["body"]!);
        Assert.Equal("Order 42 is on its way, Ann.", (string)shipped["IN_APP"]!["body"]!);
        Assert.Equal("Fire drill at HQ on Monday.", (string)drill["SMS"]!["body"]!);
        Assert.Equal("*Fire drill* in HQ: assemble at the car park.", (string)drill["CHAT"]!["body"]!);
        Assert.Equal("Drill in HQ today", (string)drill["PUSH"]!["body"]!);
        Assert.Equal("Happy new year, Ann: 7 orders.", (string)digest["IN_APP"]!["body"]!);
    }

    [Fact]
    public async Task Import_converts_ids_to_keys_derives_missing_codes_and_reports_each_item_it_could_not_map()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var (_, report, _) = await _original.ImportAsync(enterprise);

        var email = await enterprise.Client.OkAsync(HttpMethod.Get, "/api/templates/order-shipped-email");
        var workflow = await enterprise.Client.OkAsync(HttpMethod.Get, "/api/workflows/order-shipped");
        var drill = await enterprise.Client.OkAsync(HttpMethod.Get, "/api/workflows/fire-drill");
        var cron = Assert.Single(await enterprise.Client.ListAsync("/api/rules?workflowKey=new-year-digest"));
        var onShipment = Assert.Single(await enterprise.Client.ListAsync("/api/rules?workflowKey=order-shipped"));
        var retired = await enterprise.Client.OkAsync(HttpMethod.Get, "/api/templates/retired-sms");
        var categories = await enterprise.Client.ListAsync("/api/categories");
        var priorities = await enterprise.Client.ListAsync("/api/priorities");

        Assert.Equal("<p>Hello {{ userName }},</p>{% xnovu_render \"signature\", team: 'Acme Support' %}", (string)email["bodyTemplate"]!);
        Assert.True((bool)email["payloadAtRoot"]!);
        Assert.Equal("orders", (string?)email["categoryCode"]);
        Assert.Equal("PUBLISH", (string)email["publishStatus"]!);
        Assert.Equal("""{"EMAIL":"order-shipped-email","IN_APP":"order-shipped-in-app"}""", workflow["templateOverrides"]!.ToJsonString());
        Assert.Equal("""{"SMS":"fire-drill-sms","CHAT":"fire-drill-chat","PUSH":"fire-drill-push"}""", drill["templateOverrides"]!.ToJsonString());
        Assert.Equal("safety-fire-drill", (string?)drill["categoryCode"]);
        Assert.Equal("PUBLISH", (string)workflow["publishStatus"]!);
        Assert.Equal("0 9 1 1 *", (string)cron!["triggerConfig"]!["cron"]!);
        Assert.Equal("PUBLISH", (string)cron["publishStatus"]!);
        // The original's rule activity: recipients from rule_payload.recipients, the whole rule_payload as the payload.
        Assert.Equal($"[\"{Ann}\"]", cron["rulePayload"]!["recipients"]!.ToJsonString());
        Assert.Equal("Ann", (string)cron["rulePayload"]!["payload"]!["userName"]!);
        Assert.Equal("order.shipped", (string)onShipment!["triggerConfig"]!["eventName"]!);
        Assert.Equal($"[\"{Ann}\"]", onShipment["rulePayload"]!["recipients"]!.ToJsonString());
        Assert.NotEqual("PUBLISH", (string)onShipment["publishStatus"]!);
        Assert.True((bool)retired["deactivated"]!);
        Assert.Equal(["duty-roster", "orders", "safety-fire", "safety-fire-drill"], categories.Strings("code").Order(StringComparer.Ordinal));
        Assert.Equal(["high", "normal"], priorities.Strings("code").Order(StringComparer.Ordinal));
        Assert.Equal(
            [
                "note category duty-roster",
                "note category safety-fire",
                "note category safety-fire-drill",
                "note priority normal",
                "note rule On shipment",
                "skip category old",
                "skip template old-template",
                "skip workflow default-email",
                "skip workflow legacy-static",
                "unconverted rule Hourly poke",
                "unconverted rule Spring drill",
                "unconverted template nested-include",
                "unconverted workflow borrowed",
            ],
            report.Lines("note", "skip", "unconverted"));
        Assert.Contains("derived from its path", report.Detail("note", "category", "safety-fire"), StringComparison.Ordinal);
        Assert.Contains("derived from its name", report.Detail("note", "category", "duty-roster"), StringComparison.Ordinal);
        Assert.Contains("template id 200 is not a template of this enterprise", report.Detail("unconverted", "workflow", "borrowed"), StringComparison.Ordinal);
        Assert.Contains("WEBHOOK", report.Detail("unconverted", "rule", "Hourly poke"), StringComparison.Ordinal);
        Assert.Contains("triggerConfig.building", report.Detail("unconverted", "rule", "Spring drill"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await enterprise.Client.GetAsync("/api/templates/globex-email")).StatusCode);
    }

    [Fact]
    public async Task Dry_run_prints_the_plan_and_writes_nothing_and_a_second_import_changes_nothing()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        var (dryExit, dryRun, _) = await _original.ImportAsync(enterprise, dryRun: true);
        var afterDryRun = await enterprise.Client.ListAsync("/api/templates");
        var categoriesAfterDryRun = await enterprise.Client.ListAsync("/api/categories");
        var (_, first, _) = await _original.ImportAsync(enterprise);
        var (secondExit, second, _) = await _original.ImportAsync(enterprise);

        Assert.Equal(2, dryExit);
        Assert.True((bool)dryRun["dryRun"]!);
        Assert.Empty(afterDryRun);
        Assert.Empty(categoriesAfterDryRun);
        Assert.Equal(first.Lines("create", "update", "publish", "deactivate", "note"), dryRun.Lines("create", "update", "publish", "deactivate", "note"));
        Assert.Contains("create template order-shipped-email", first.Lines(), StringComparer.Ordinal);
        Assert.Contains("create category safety-fire", first.Lines(), StringComparer.Ordinal);
        Assert.Contains("publish workflow order-shipped", first.Lines(), StringComparer.Ordinal);
        Assert.Equal(2, secondExit);
        Assert.Empty(second.Lines("create", "update", "publish", "deactivate", "failed"));
        Assert.Contains("unchanged rule New year digest", second.Lines(), StringComparer.Ordinal);
        Assert.Contains("unchanged template order-shipped-email", second.Lines(), StringComparer.Ordinal);
        Assert.Contains("unchanged category safety-fire", second.Lines(), StringComparer.Ordinal);
    }

    /// <summary>Triggers the workflow for Ann and answers the rendered channels Novu received.</summary>
    private async Task<JsonNode> DeliveredAsync(TestEnterprise enterprise, string workflowKey, object payload)
    {
        var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflowKey, Ann, payload));
        await _harness.WaitForStatusAsync(accepted.Id(), "SENT");
        var delivered = Assert.Single(await _harness.EventsAsync((string)accepted["transactionId"]!));
        return delivered!["payload"]!["xnovu"]!["channels"]!;
    }
}
