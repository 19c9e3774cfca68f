using System.Net;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Compatibility;

/// <summary><c>xnovu import</c> against a database in the original's shape, then delivery through the real system.</summary>
[Collection(AppCollection.Name)]
public sealed class ImportTests(XNovuAppFixture fixture) : IAsyncLifetime
{
    private readonly OriginalDatabase _original = new(fixture);
    private readonly DispatchHarness _harness = new(fixture);

    public Task InitializeAsync() => _original.CreateAsync();

    public async Task DisposeAsync()
    {
        await _original.DisposeAsync();
        await _harness.DisposeAsync();
    }

    [Fact]
    public async Task Imported_enterprise_delivers_the_text_the_original_rendered_with_root_level_variables()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var (exitCode, report, errors) = await _original.ImportAsync(enterprise);
        Assert.True(exitCode == 2, $"exit {exitCode}: {report.ToJsonString()} {errors}");
        Assert.Empty(report.Lines("failed"));

        var subscriber = TriggerApi.Subscriber();
        var accepted = await enterprise.Client.AcceptedAsync(
            TriggerApi.Trigger("order-shipped", subscriber, new { userName = "Ann", orderId = 42 }));
        await _harness.WaitForStatusAsync(accepted.Id(), "SENT");
        var delivered = Assert.Single(await _harness.EventsAsync((string)accepted["transactionId"]!));
        var channels = delivered!["payload"]!["xnovu"]!["channels"]!;

        // What the original rendered: payload keys at the root, the signature included with its argument.
        Assert.Equal("Order 42 shipped", (string)channels["EMAIL"]!["subject"]!);
        Assert.Equal("<p>Hello Ann,</p><p>Regards, Acme Support</p>", (string)channels["EMAIL"]!["body"]!);
        Assert.Equal("Order 42 is on its way, Ann.", (string)channels["IN_APP"]!["body"]!);
    }

    [Fact]
    public async Task Import_converts_ids_to_keys_the_legacy_include_and_template_overrides_and_reports_what_it_could_not()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var (_, report, _) = await _original.ImportAsync(enterprise);

        var email = await enterprise.Client.OkAsync(HttpMethod.Get, "/api/templates/order-shipped-email");
        var workflow = await enterprise.Client.OkAsync(HttpMethod.Get, "/api/workflows/order-shipped");
        var rule = Assert.Single(await enterprise.Client.ListAsync("/api/rules?workflowKey=weekly-digest"));
        var retired = await enterprise.Client.OkAsync(HttpMethod.Get, "/api/templates/retired-sms");
        var categories = await enterprise.Client.ListAsync("/api/categories");

        Assert.Equal("<p>Hello {{ userName }},</p>{% xnovu_render \"signature\", team: 'Acme Support' %}", (string)email["bodyTemplate"]!);
        Assert.True((bool)email["payloadAtRoot"]!);
        Assert.Equal("orders", (string?)email["categoryCode"]);
        Assert.Equal("PUBLISH", (string)email["publishStatus"]!);
        Assert.Equal("""{"EMAIL":"order-shipped-email","IN_APP":"order-shipped-in-app"}""", workflow["templateOverrides"]!.ToJsonString());
        Assert.Equal("PUBLISH", (string)workflow["publishStatus"]!);
        Assert.Equal("New year digest", (string)rule!["name"]!);
        Assert.Equal("0 9 1 1 *", (string)rule["triggerConfig"]!["cron"]!);
        Assert.Equal("PUBLISH", (string)rule["publishStatus"]!);
        Assert.True((bool)retired["deactivated"]!);
        Assert.Equal(["orders"], categories.Strings("code"));
        Assert.Equal(
            [
                "skip category old",
                "skip template old-template",
                "skip workflow legacy-static",
                "unconverted rule On shipment",
                "unconverted template nested-include",
                "unconverted workflow borrowed",
            ],
            report.Lines("skip", "unconverted"));
        Assert.Contains("template id 200 is not a template of this enterprise", report.Detail("unconverted", "workflow", "borrowed"), StringComparison.Ordinal);
        Assert.Contains("rulePayload.source", report.Detail("unconverted", "rule", "On shipment"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await enterprise.Client.GetAsync("/api/templates/globex-email")).StatusCode);
    }

    [Fact]
    public async Task Dry_run_writes_nothing_and_a_second_import_changes_nothing()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        var (dryExit, dryRun, _) = await _original.ImportAsync(enterprise, dryRun: true);
        var afterDryRun = await enterprise.Client.ListAsync("/api/templates");
        var (_, first, _) = await _original.ImportAsync(enterprise);
        var (secondExit, second, _) = await _original.ImportAsync(enterprise);

        Assert.Equal(2, dryExit);
        Assert.True((bool)dryRun["dryRun"]!);
        Assert.Empty(afterDryRun);
        Assert.Equal(first.Lines("create", "update", "publish", "deactivate"), dryRun.Lines("create", "update", "publish", "deactivate"));
        Assert.Contains("create template order-shipped-email", first.Lines(), StringComparer.Ordinal);
        Assert.Contains("publish workflow order-shipped", first.Lines(), StringComparer.Ordinal);
        Assert.Equal(2, secondExit);
        Assert.Empty(second.Lines("create", "update", "publish", "deactivate", "failed"));
        Assert.Contains("unchanged rule New year digest", second.Lines(), StringComparer.Ordinal);
        Assert.Contains("unchanged template order-shipped-email", second.Lines(), StringComparer.Ordinal);
    }
}
