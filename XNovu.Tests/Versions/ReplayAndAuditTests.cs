using System.Net;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Versions;

/// <summary>
/// Issue 30, the rest of "done when": a workflow rollback restores the previous definition for the next trigger while
/// an older notification sent again keeps its own templates; a delivery keeps its layout version and the layout's
/// sender name reaches Novu; a locale variant too large for Novu is refused at accept as the default is; writes of
/// subscribers, topics and API keys name the key (or admin) that made them.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ReplayAndAuditTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    [Fact]
    public async Task A_workflow_rollback_is_a_new_version_the_next_trigger_uses_and_an_older_notification_resent_keeps_its_templates()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var client = enterprise.Client;
        var first = await PublishedTemplateAsync(client, "first {{ payload.name }}");
        var second = await PublishedTemplateAsync(client, "second {{ payload.name }}");
        var workflowKey = Key("wf-roll");
        await client.CreateAsync("/api/workflows", Workflow(workflowKey, ["EMAIL"], new() { ["EMAIL"] = first }));
        await client.OkAsync(HttpMethod.Post, $"/api/workflows/{workflowKey}/publish");
        await client.OkAsync(HttpMethod.Put, $"/api/workflows/{workflowKey}", Workflow(workflowKey, ["EMAIL"], new() { ["EMAIL"] = second }));
        await client.OkAsync(HttpMethod.Post, $"/api/workflows/{workflowKey}/publish");

        // Rendered with version 2 (the second template), and its send failed.
        await Harness.AddFaultAsync(new { statusCode = 422, count = 1, paths = new[] { "/v1/events" }, bodyContains = "sub-wf-old" });
        var (old, oldTransaction) = await Harness.InsertNotificationAsync(enterprise.Id, workflowKey, """{"name":"Ann"}""", """["sub-wf-old"]""");
        await Harness.WaitForStatusAsync(old, "FAILED");

        var rolledBack = await client.OkAsync(HttpMethod.Post, $"/api/workflows/{workflowKey}/versions/1/rollback");
        Assert.Equal(first, (string)rolledBack["templateOverrides"]!["EMAIL"]!);
        Assert.Equal("first Ann", await SendAndReadAsync(enterprise.Id, workflowKey, e => SubjectOf(e)));

        await client.OkAsync(HttpMethod.Post, $"/api/notifications/{old}/retry");
        await Harness.WaitForStatusAsync(old, "SENT");
        Assert.Equal("second Ann", SubjectOf(Assert.Single(await Harness.EventsAsync(oldTransaction))!));

        var versions = await client.ListAsync($"/api/workflows/{workflowKey}/versions");
        Assert.Equal([3, 2, 1], versions.Select(v => (int)v!["version"]!));
        Assert.Equal("rollback to 1", (string)versions[0]!["note"]!);
        Assert.StartsWith("api-key:", (string)versions[0]!["createdBy"]!, StringComparison.Ordinal);
        (await client.SendAsync(HttpMethod.Post, $"/api/workflows/{workflowKey}/versions/9/rollback")).EnsureStatus(HttpStatusCode.NotFound);
        (await client.SendAsync(HttpMethod.Post, $"/api/workflows/{Key("wf-none")}/versions/1/rollback")).EnsureStatus(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_delivery_keeps_its_layout_version_and_the_layouts_sender_name_reaches_Novu()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var client = enterprise.Client;
        var layoutKey = Key("brand");
        object Layout(string header, string sender) => new { layoutKey, name = "Brand", headerHtml = header, footerHtml = "<small>Acme</small>", senderName = sender };
        await client.CreateAsync("/api/layouts", Layout("<h1>Header one</h1>", "Acme One"));
        await client.OkAsync(HttpMethod.Post, $"/api/layouts/{layoutKey}/publish");
        var templateKey = Key("laid");
        await client.CreateAsync("/api/templates", new { templateKey, name = "Laid out", channelType = "EMAIL", subjectTemplate = "Hi", bodyTemplate = "<p>Body</p>", layoutKey });
        await client.OkAsync(HttpMethod.Post, $"/api/templates/{templateKey}/publish");
        var workflowKey = Key("wf-laid");
        await client.CreateAsync("/api/workflows", Workflow(workflowKey, ["EMAIL"], new() { ["EMAIL"] = templateKey }));
        await client.OkAsync(HttpMethod.Post, $"/api/workflows/{workflowKey}/publish");

        await Harness.AddFaultAsync(new { statusCode = 422, count = 1, paths = new[] { "/v1/events" }, bodyContains = "sub-lay-old" });
        var (old, oldTransaction) = await Harness.InsertNotificationAsync(enterprise.Id, workflowKey, """{"name":"Ann"}""", """["sub-lay-old"]""");
        await Harness.WaitForStatusAsync(old, "FAILED");
        var failed = await client.OkAsync(HttpMethod.Get, $"/api/notifications/{old}");
        Assert.Equal(1, (int)failed["deliveries"]![0]!["rendering"]!["layouts"]![layoutKey]!);

        await client.OkAsync(HttpMethod.Put, $"/api/layouts/{layoutKey}", Layout("<h1>Header two</h1>", "Acme Two"));
        await client.OkAsync(HttpMethod.Post, $"/api/layouts/{layoutKey}/publish");
        var fresh = await SendAndReadAsync(enterprise.Id, workflowKey, e => e);
        Assert.Contains("<h1>Header two</h1>", BodyOf(fresh), StringComparison.Ordinal);
        Assert.Equal("Acme Two", (string)fresh["overrides"]!["email"]!["senderName"]!);
        // The emulator's email step took it as Novu's would.
        Assert.Contains(fresh["steps"]!.AsArray(), s => (string?)s!["type"] == "email" && (string?)s["content"]?["senderName"] == "Acme Two");

        await client.OkAsync(HttpMethod.Post, $"/api/notifications/{old}/retry");
        await Harness.WaitForStatusAsync(old, "SENT");
        var resent = Assert.Single(await Harness.EventsAsync(oldTransaction))!;
        Assert.Contains("<h1>Header one</h1>", BodyOf(resent), StringComparison.Ordinal);
        Assert.Equal("Acme One", (string)resent["overrides"]!["email"]!["senderName"]!);
    }

    [Fact]
    public async Task A_locale_variant_whose_event_cannot_fit_is_413_for_its_locale_while_others_and_another_tenant_are_accepted()
    {
        var hostile = await fixture.CreateEnterpriseAsync();
        var neighbour = await fixture.CreateEnterpriseAsync();
        var templateKey = Key("fit-loc");
        await hostile.Client.CreateAsync("/api/templates", new
        {
            templateKey, name = "Thrice in French", channelType = "EMAIL", subjectTemplate = "Big", bodyTemplate = "{{ payload.body }}",
            locales = new Dictionary<string, object> { ["fr"] = new { body = "{{ payload.body }}{{ payload.body }}{{ payload.body }}" } },
        });
        await hostile.Client.OkAsync(HttpMethod.Post, $"/api/templates/{templateKey}/publish");
        var workflowKey = Key("wf-fit-loc");
        await hostile.Client.CreateAsync("/api/workflows", Workflow(workflowKey, ["EMAIL"], new() { ["EMAIL"] = templateKey }));
        await hostile.Client.OkAsync(HttpMethod.Post, $"/api/workflows/{workflowKey}/publish");
        var payload = new { body = new string('a', 200 * 1024) };

        var french = await hostile.Client.PostTriggerAsync(TriggerApi.Trigger(workflowKey, to: new { subscriberId = "fit-fr", locale = "fr_BE" }, payload: payload));
        await french.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "https://xnovu.dev/problems/novu-event-too-large");
        var problem = JsonNode.Parse(await french.Content.ReadAsStringAsync())!;
        Assert.Equal("EMAIL", (string)problem["channel"]!);
        Assert.Equal("fit-fr", (string)problem["subscriberId"]!);

        await hostile.Client.AcceptedAsync(TriggerApi.Trigger(workflowKey, to: new { subscriberId = "fit-en", locale = "en" }, payload: payload));
        var neighbourTemplate = await neighbour.Client.PublishedTemplateAsync("EMAIL");
        var neighbourWorkflow = Key("wf-fit-n");
        await neighbour.Client.CreateAsync("/api/workflows", Workflow(neighbourWorkflow, ["EMAIL"], new() { ["EMAIL"] = neighbourTemplate }));
        await neighbour.Client.OkAsync(HttpMethod.Post, $"/api/workflows/{neighbourWorkflow}/publish");
        await neighbour.Client.AcceptedAsync(TriggerApi.Trigger(neighbourWorkflow, to: new { subscriberId = "fit-fr", locale = "fr" }, payload: payload));
    }

    [Fact]
    public async Task Writes_of_subscribers_topics_and_keys_name_who_made_them_and_the_trigger_path_records_none()
    {
        var owner = await fixture.CreateEnterpriseAsync();
        var other = await fixture.CreateEnterpriseAsync();
        var admin = fixture.CreateAdminClient();
        var keyId = (string)(await admin.ListAsync($"/api/admin/enterprises/{owner.Id}/api-keys"))[0]!["id"]!;
        var client = owner.Client;
        var (one, two, three, topic) = (Key("aud-s1"), Key("aud-s2"), Key("aud-s3"), Key("aud-t"));

        await client.CreateAsync("/api/subscribers", new { subscriberId = one, email = "one@example.test" });
        await client.SendAsync(HttpMethod.Patch, $"/api/subscribers/{one}", new { firstName = "One" });
        await client.OkAsync(HttpMethod.Post, "/api/subscribers/bulk", new { subscribers = new[] { new { subscriberId = two }, new { subscriberId = three } } });
        await client.CreateAsync("/api/topics", new { topicKey = topic, name = "Audited" });
        await client.OkAsync(HttpMethod.Post, $"/api/topics/{topic}/subscribers", new { subscriberIds = new[] { two } });
        (await client.SendAsync(HttpMethod.Delete, $"/api/subscribers/{one}")).EnsureStatus(HttpStatusCode.NoContent);
        var trigger = Key("aud-trig");
        await client.AcceptedAsync(TriggerApi.Trigger(to: new { subscriberId = trigger, email = "t@example.test" }, payload: new { body = "Hi" }));
        // Refused writes are not in the trail.
        (await client.SendAsync(HttpMethod.Post, "/api/subscribers", new { email = "no-id@example.test" })).EnsureStatus(HttpStatusCode.UnprocessableEntity);
        var created = await admin.CreateAsync($"/api/admin/enterprises/{owner.Id}/api-keys", new { name = "second" });
        var newKey = (string)created["id"]!;
        (await admin.SendAsync(HttpMethod.Delete, $"/api/admin/enterprises/{owner.Id}/api-keys/{newKey}")).EnsureStatus(HttpStatusCode.NoContent);

        async Task<JsonArray> TrailAsync(HttpClient reader, string type, string key) =>
            (await reader.OkAsync(HttpMethod.Get, $"/api/audit?entityType={type}&entityKey={key}"))["items"]!.AsArray();
        var subscriberOne = await TrailAsync(client, "subscriber", one);
        Assert.Equal(["deleted", "updated", "created"], subscriberOne.Select(e => (string)e!["action"]!));
        Assert.All(subscriberOne, e => Assert.Equal($"api-key:{keyId}", (string)e!["actor"]!));
        Assert.Equal("PATCH /api/subscribers/{subscriberId}", (string)subscriberOne[1]!["request"]!);
        Assert.Single(await TrailAsync(client, "subscriber", three));
        Assert.Equal(["updated", "created"], (await TrailAsync(client, "topic", topic)).Select(e => (string)e!["action"]!));
        Assert.Equal("subscribers", (string)(await TrailAsync(client, "topic", topic))[0]!["changed"]![0]!);
        Assert.Empty(await TrailAsync(client, "subscriber", trigger));
        var keyTrail = await TrailAsync(client, "api-key", newKey);
        Assert.Equal(["deleted", "created"], keyTrail.Select(e => (string)e!["action"]!));
        Assert.All(keyTrail, e => Assert.Equal("admin", (string)e!["actor"]!));

        Assert.Empty(await TrailAsync(other.Client, "subscriber", one));
        // Its own trail holds only its own key, which the admin made for it.
        var own = Assert.Single((await other.Client.OkAsync(HttpMethod.Get, "/api/audit"))["items"]!.AsArray())!;
        Assert.Equal(("api-key", "admin"), ((string)own["entityType"]!, (string)own["actor"]!));
    }

    private static async Task<string> PublishedTemplateAsync(HttpClient client, string subject)
    {
        var key = Key("roll-tpl");
        await client.CreateAsync("/api/templates", Template(key, subject: subject));
        await client.OkAsync(HttpMethod.Post, $"/api/templates/{key}/publish");
        return key;
    }

    private async Task<T> SendAndReadAsync<T>(Guid enterpriseId, string workflowKey, Func<JsonNode, T> read)
    {
        var (id, transactionId) = await Harness.InsertNotificationAsync(enterpriseId, workflowKey, """{"name":"Ann"}""", """["replay-sub"]""");
        await Harness.WaitForStatusAsync(id, "SENT");
        return read(Assert.Single(await Harness.EventsAsync(transactionId))!);
    }

    private static string SubjectOf(JsonNode received) => (string)received["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["subject"]!;

    private static string BodyOf(JsonNode received) => (string)received["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["body"]!;
}
