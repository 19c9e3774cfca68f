using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using XNovu.Tests.Infrastructure;
using XNovu.Tests.Rules;
using XNovu.Testing;
using Independent = StandardWebhooks;

namespace XNovu.Tests.Webhooks;

/// <summary>
/// Issue 28, webhooks out beyond deliveries: a rule that fires (<c>rule.fired</c>) and a workflow that Novu refused
/// to sync (<c>workflow.sync_failed</c>) reach the enterprise's endpoint, signed with its secret (checked with the
/// independent StandardWebhooks package), and never the endpoint of another tenant subscribed to the same types.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class OutboundEventTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TestReceiver _receiver = new();

    public override async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task A_fired_rule_reaches_its_enterprises_endpoint_signed_and_no_other_tenants()
    {
        var enterprise = await EnterpriseAsync();
        var other = await EnterpriseAsync();
        var secret = await EndpointAsync(enterprise, _receiver.Url("rules-mine"), "rule.fired");
        await EndpointAsync(other, _receiver.Url("rules-other"), "rule.fired");
        await fixture.AllowSubMinuteCronAsync(enterprise.Id);
        var workflow = await enterprise.Client.WorkflowAsync(publish: true);

        var ruleId = await RuleHarness.PublishedRuleAsync(enterprise.Client, workflow, "CRON",
            new { cron = "* * * * * *", timezone = "UTC" }, new { recipients = new[] { "rule-sub" } });
        var received = await Eventually.WaitForAsync(() => Task.FromResult<IReadOnlyList<ReceivedWebhook>?>(_receiver.At("rules-mine")),
            r => r!.Count >= 2, Patience, "two rule.fired webhooks");
        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/rules/{ruleId}/deactivate");
        await Task.Delay(TimeSpan.FromSeconds(2));

        var verifier = new Independent.StandardWebhook(secret);
        foreach (var webhook in received!)
        {
            verifier.Verify(webhook.Body, Headers(webhook));
            var body = JsonNode.Parse(webhook.Body)!;
            Assert.Equal("rule.fired", (string)body["type"]!);
            Assert.Equal(ruleId, (long)body["data"]!["ruleId"]!);
            Assert.NotNull(body["data"]!["notificationId"]);
        }

        Assert.Equal(received.Count, received.Select(r => r.Id).Distinct().Count());
        Assert.Empty(_receiver.At("rules-other"));
    }

    [Fact]
    public async Task A_failed_workflow_sync_reaches_its_enterprises_endpoint_signed_and_no_other_tenants()
    {
        var enterprise = await EnterpriseAsync();
        var other = await EnterpriseAsync();
        var secret = await EndpointAsync(enterprise, _receiver.Url("sync-mine"), "workflow.sync_failed");
        await EndpointAsync(other, _receiver.Url("sync-other"), "workflow.sync_failed");
        var workflow = await enterprise.Client.WorkflowAsync();
        // Novu refuses this workflow, and only it: the fault matches its id in the request body.
        await Harness.AddFaultAsync(new { statusCode = 422, count = 50, paths = new[] { "/v2/workflows" }, bodyContains = workflow });

        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/workflows/{workflow}/publish");
        var received = await Eventually.WaitForAsync(() => Task.FromResult<IReadOnlyList<ReceivedWebhook>?>(_receiver.At("sync-mine")),
            r => r!.Count >= 1, Patience, "a workflow.sync_failed webhook");
        await Task.Delay(TimeSpan.FromSeconds(2));

        var webhook = received![0];
        new Independent.StandardWebhook(secret).Verify(webhook.Body, Headers(webhook));
        var body = JsonNode.Parse(webhook.Body)!;
        Assert.Equal("workflow.sync_failed", (string)body["type"]!);
        Assert.Equal(workflow, (string)body["data"]!["workflowId"]!);
        Assert.False(string.IsNullOrEmpty((string?)body["data"]!["error"]));
        Assert.Empty(_receiver.At("sync-other"));
    }

    private async Task<TestEnterprise> EnterpriseAsync()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        using var admin = fixture.CreateAdminClient();
        (await admin.PutAsJsonAsync($"/api/admin/enterprises/{enterprise.Id}/webhooks", new { allowPrivateAddresses = true })).EnsureSuccessStatusCode();
        return enterprise;
    }

    private static async Task<string> EndpointAsync(TestEnterprise enterprise, string url, params string[] eventTypes)
    {
        var created = await enterprise.Client.PostAsJsonAsync("/api/webhooks/endpoints", new { url, eventTypes });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["secret"]!;
    }

    private static HeaderDictionary Headers(ReceivedWebhook webhook) => new()
    {
        ["webhook-id"] = webhook.Id,
        ["webhook-timestamp"] = webhook.Timestamp,
        ["webhook-signature"] = webhook.Signature,
    };
}
