using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using XNovu.Core.Novu;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.NovuSync;

/// <summary>
/// XNovu keeps its workflows in Novu: against the emulator with its default settings, which, like Novu,
/// refuses a trigger for a workflow it does not hold.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class NovuSyncTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    /// <summary>The key the AppHost gives the emulator and the services.</summary>
    private const string EmulatorKey = "xnovu-emulator-secret-key";

    private readonly HttpClient _novu = NovuApiClient(fixture);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _novu.Dispose();
    }

    [Fact]
    public async Task Publishing_creates_the_Novu_workflow_with_one_step_per_channel_and_a_trigger_right_after_is_delivered()
    {
        var enterprise = await fixture.CreateEnterpriseAsync("Acme Sync");
        var key = await EmailAndSmsWorkflowAsync(enterprise.Client);
        var novuId = NovuNames.WorkflowId(enterprise.Id, key);

        // No wait for the sync: a trigger that comes first must not fail.
        var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(key, payload: new { name = "Ada" }));
        await Harness.WaitForStatusAsync(accepted.Id(), "SENT");
        var novuWorkflow = await NovuWorkflowAsync(novuId);
        var listed = (await _novu.GetFromJsonAsync<JsonObject>("/v2/workflows?limit=100&query=" + Uri.EscapeDataString(novuId)))!;
        var synced = await SyncedAsync(enterprise.Client, key);
        var received = Assert.Single(await Harness.EventsAsync((string)accepted["transactionId"]!))!;

        Assert.True((bool)novuWorkflow["active"]!);
        Assert.Equal(["email", "sms"], novuWorkflow["steps"]!.AsArray().Select(s => (string)s!["type"]!));
        Assert.Equal("{{payload.xnovu.channels.EMAIL.subject}}", (string)novuWorkflow["steps"]![0]!["controls"]!["values"]!["subject"]!);
        Assert.Contains(listed["data"]!["workflows"]!.AsArray(), w => (string)w!["workflowId"]! == novuId);
        Assert.Equal(novuId, (string)synced["novuSync"]!["novuWorkflowId"]!);
        Assert.NotNull(synced["novuSync"]!["syncedAt"]);
        Assert.Equal(novuId, (string)received["workflow"]!);
        var steps = received["steps"]!.AsArray();
        Assert.Equal("Hi Ada", (string)steps[0]!["content"]!["subject"]!);
        Assert.False((bool)steps[0]!["skipped"]!);
        Assert.Equal("Hello Ada", (string)steps[1]!["content"]!["body"]!);
    }

    [Fact]
    public async Task A_step_whose_channel_the_trigger_leaves_out_is_skipped()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var key = await EmailAndSmsWorkflowAsync(enterprise.Client);

        // Only a notification inserted by SQL can name its channels.
        var (id, transactionId) = await Harness.InsertNotificationAsync(
            enterprise.Id, key, """{"name":"Ada"}""", """["skip-sub"]""", channels: ["SMS"]);
        await Harness.WaitForStatusAsync(id, "SENT");
        var steps = Assert.Single(await Harness.EventsAsync(transactionId))!["steps"]!.AsArray();

        Assert.True((bool)steps[0]!["skipped"]!);
        Assert.False((bool)steps[1]!["skipped"]!);
    }

    [Fact]
    public async Task After_deactivation_in_Novu_the_next_delivery_fails_with_trigger_not_active()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var key = await enterprise.Client.WorkflowAsync(publish: true);
        var novuId = NovuNames.WorkflowId(enterprise.Id, key);
        var first = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(key));
        await Harness.WaitForStatusAsync(first.Id(), "SENT");
        await SyncedAsync(enterprise.Client, key);

        (await _novu.PatchAsJsonAsync($"/v2/workflows/{novuId}", new { active = false })).EnsureSuccessStatusCode();
        var second = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(key));
        var failed = await Harness.WaitForStatusAsync(second.Id(), "FAILED");
        var detail = await enterprise.Client.NotificationAsync(second.Id());
        // The reconciler leaves an operator's pause in Novu alone.
        await Task.Delay(XNovuAppFixture.ReconcilePeriod * 2);

        Assert.Equal("trigger_not_active", (string)failed.ErrorDetails!["novuStatus"]!);
        Assert.Equal("trigger_not_active", (string)detail["errorDetails"]!["novuStatus"]!);
        Assert.False((bool)(await NovuWorkflowAsync(novuId))["active"]!);
    }

    [Fact]
    public async Task Unpublishing_makes_the_Novu_workflow_inactive_and_publishing_again_activates_it()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var key = await enterprise.Client.WorkflowAsync(publish: true);
        var novuId = NovuNames.WorkflowId(enterprise.Id, key);
        await WaitForNovuAsync(novuId, w => (bool)w["active"]!);

        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/workflows/{key}/unpublish");
        await WaitForNovuAsync(novuId, w => !(bool)w["active"]!);
        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/workflows/{key}/publish");
        await WaitForNovuAsync(novuId, w => (bool)w["active"]!);
    }

    [Fact]
    public async Task Two_enterprises_with_the_same_workflow_key_each_get_their_own_Novu_workflow_and_deliveries()
    {
        var first = await fixture.CreateEnterpriseAsync();
        var second = await fixture.CreateEnterpriseAsync();
        var key = Key("same");
        foreach (var enterprise in new[] { first, second })
        {
            var template = await enterprise.Client.PublishedTemplateAsync("EMAIL");
            await enterprise.Client.CreateAsync("/api/workflows", Workflow(key, ["EMAIL"], new() { ["EMAIL"] = template }));
            await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/workflows/{key}/publish");
        }

        var sentA = await first.Client.AcceptedAsync(TriggerApi.Trigger(key, payload: new { name = "from A" }));
        var sentB = await second.Client.AcceptedAsync(TriggerApi.Trigger(key, payload: new { name = "from B" }));
        await Harness.WaitForStatusAsync(sentA.Id(), "SENT");
        await Harness.WaitForStatusAsync(sentB.Id(), "SENT");
        var eventA = Assert.Single(await Harness.EventsAsync((string)sentA["transactionId"]!))!;
        var eventB = Assert.Single(await Harness.EventsAsync((string)sentB["transactionId"]!))!;

        Assert.NotEqual(NovuNames.WorkflowId(first.Id, key), NovuNames.WorkflowId(second.Id, key));
        Assert.Equal(NovuNames.WorkflowId(first.Id, key), (string)eventA["workflow"]!);
        Assert.Equal(NovuNames.WorkflowId(second.Id, key), (string)eventB["workflow"]!);
        Assert.Equal("Hi from A", (string)eventA["steps"]![0]!["content"]!["subject"]!);
        Assert.Equal("Hi from B", (string)eventB["steps"]![0]!["content"]!["subject"]!);
        Assert.Equal(first.Id.ToString(), (string)eventA["tenant"]!["identifier"]!);
        Assert.Equal(second.Name, (string)eventB["tenant"]!["name"]!);
        await NovuWorkflowAsync(NovuNames.WorkflowId(first.Id, key));
        await NovuWorkflowAsync(NovuNames.WorkflowId(second.Id, key));
    }

    [Fact]
    public async Task Two_enterprises_sending_to_ann_keep_separate_Novu_subscribers()
    {
        var first = await fixture.CreateEnterpriseAsync();
        var second = await fixture.CreateEnterpriseAsync();

        var a = await first.Client.AcceptedAsync(TriggerApi.Trigger(to: new { subscriberId = "ann", email = "ann@a.example" }));
        var b = await second.Client.AcceptedAsync(TriggerApi.Trigger(to: new { subscriberId = "ann", email = "ann@b.example" }));
        await Harness.WaitForStatusAsync(a.Id(), "SENT");
        await Harness.WaitForStatusAsync(b.Id(), "SENT");
        var subscriberA = (await _novu.GetFromJsonAsync<JsonObject>($"/v2/subscribers/{Uri.EscapeDataString(NovuNames.SubscriberId(first.Id, "ann"))}"))!;
        var subscriberB = (await _novu.GetFromJsonAsync<JsonObject>($"/v2/subscribers/{Uri.EscapeDataString(NovuNames.SubscriberId(second.Id, "ann"))}"))!;
        var detail = await first.Client.NotificationAsync(a.Id());

        Assert.Equal("ann@a.example", (string)subscriberA["data"]!["email"]!);
        Assert.Equal("ann@b.example", (string)subscriberB["data"]!["email"]!);
        Assert.Equal("ann", (string)detail["deliveries"]![0]!["subscriberId"]!);
        Assert.Equal(NovuNames.SubscriberId(first.Id, "ann"), (string)detail["deliveries"]![0]!["novuSubscriberId"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await _novu.GetAsync(new Uri("/v2/subscribers/ann", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Enterprise_name_renders_the_real_name()
    {
        var enterprise = await fixture.CreateEnterpriseAsync($"Named {Guid.NewGuid():N}"[..20]);
        var template = Key("tpl-name");
        var key = Key("wf-name");
        await enterprise.Client.CreateAsync("/api/templates", Template(template, "EMAIL", body: "From {{ enterprise.name }}", subject: "x"));
        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/templates/{template}/publish");
        await enterprise.Client.CreateAsync("/api/workflows", Workflow(key, ["EMAIL"], new() { ["EMAIL"] = template }));
        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/workflows/{key}/publish");

        var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(key));
        await Harness.WaitForStatusAsync(accepted.Id(), "SENT");
        var received = Assert.Single(await Harness.EventsAsync((string)accepted["transactionId"]!))!;

        Assert.Contains($"From {enterprise.Name}", (string)received["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["body"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_300_KB_payload_to_default_email_is_delivered()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var body = new string('a', 300 * 1024);

        var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger("default-email", payload: new { subject = "Big", body }));
        await Harness.WaitForStatusAsync(accepted.Id(), "SENT");
        var received = Assert.Single(await Harness.EventsAsync((string)accepted["transactionId"]!))!;

        Assert.Equal(body, (string)received["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["body"]!);
        Assert.Equal(NovuNames.WorkflowId(null, "default-email"), (string)received["workflow"]!);
    }

    [Fact]
    public async Task A_Novu_workflow_deleted_behind_XNovus_back_is_recreated_within_the_reconciler_period()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var key = await enterprise.Client.WorkflowAsync(publish: true);
        var novuId = NovuNames.WorkflowId(enterprise.Id, key);
        await WaitForNovuAsync(novuId, _ => true);
        await SyncedAsync(enterprise.Client, key);

        Assert.Equal(HttpStatusCode.NoContent, (await _novu.DeleteAsync(new Uri($"/v2/workflows/{novuId}", UriKind.Relative))).StatusCode);
        var recreated = await Eventually.WaitForAsync(
            async () => (HttpResponseMessage?)await _novu.GetAsync(new Uri($"/v2/workflows/{novuId}", UriKind.Relative)),
            r => r?.StatusCode == HttpStatusCode.OK,
            XNovuAppFixture.ReconcilePeriod * 3 + TimeSpan.FromSeconds(5), "the reconciler to recreate the workflow");

        Assert.Equal(HttpStatusCode.OK, recreated.StatusCode);
    }

    [Fact]
    public async Task Admin_sync_requests_every_workflow_and_the_static_ones_are_synced_too()
    {
        using var admin = fixture.CreateAdminClient();

        var answer = await admin.PostAsync(new Uri("/api/admin/novu/sync", UriKind.Relative), null);
        var body = await answer.ReadObjectAsync();
        var enterprise = await fixture.CreateEnterpriseAsync();
        var staticWorkflow = await SyncedAsync(enterprise.Client, "default-sms");

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        Assert.True((int)body["workflows"]! >= StaticWorkflowKeys.Length);
        Assert.Equal(NovuNames.WorkflowId(null, "default-sms"), (string)staticWorkflow["novuSync"]!["novuWorkflowId"]!);
        await NovuWorkflowAsync(NovuNames.WorkflowId(null, "default-sms"));
    }

    [Fact]
    public async Task Admin_sync_needs_the_admin_key()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        var answer = await enterprise.Client.PostAsync(new Uri("/api/admin/novu/sync", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
    }

    private static HttpClient NovuApiClient(XNovuAppFixture fixture)
    {
        var client = fixture.CreateHttpClient("novu");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", EmulatorKey);
        return client;
    }

    private async Task<JsonObject> NovuWorkflowAsync(string novuId)
    {
        var answer = await _novu.GetAsync(new Uri($"/v2/workflows/{novuId}", UriKind.Relative));
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"GET /v2/workflows/{novuId}: {(int)answer.StatusCode}");
        return (await answer.ReadObjectAsync())["data"]!.AsObject();
    }

    private Task<JsonObject> WaitForNovuAsync(string novuId, Func<JsonObject, bool> condition) =>
        Eventually.WaitForAsync<JsonObject>(
            async () =>
            {
                var answer = await _novu.GetAsync(new Uri($"/v2/workflows/{novuId}", UriKind.Relative));
                return answer.IsSuccessStatusCode ? (await answer.ReadObjectAsync())["data"]!.AsObject() : null;
            },
            w => w is not null && condition(w), DispatchHarness.DeliveryTimeout, $"Novu workflow {novuId}");

    private static Task<JsonObject> SyncedAsync(HttpClient client, string key) =>
        Eventually.WaitForAsync(
            async () => (JsonObject?)await client.OkAsync(HttpMethod.Get, $"/api/workflows/{key}"),
            w => (string?)w?["novuSync"]?["status"] == "synced", DispatchHarness.DeliveryTimeout, $"workflow {key} to be synced to Novu");

    private static async Task<string> EmailAndSmsWorkflowAsync(HttpClient client)
    {
        var email = await client.PublishedTemplateAsync("EMAIL");
        var sms = Key("tpl-sms");
        await client.CreateAsync("/api/templates", Template(sms, "SMS", body: "Hello {{ payload.name }}", subject: null));
        await client.OkAsync(HttpMethod.Post, $"/api/templates/{sms}/publish");
        var key = Key("sync-wf");
        await client.CreateAsync("/api/workflows", Workflow(key, ["EMAIL", "SMS"], new() { ["EMAIL"] = email, ["SMS"] = sms }));
        await client.OkAsync(HttpMethod.Post, $"/api/workflows/{key}/publish");
        return key;
    }
}
