using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Versions;

/// <summary>
/// Issue 30, "done when": locales with their fallback chain and the delivery saying which; a rollback and a re-send
/// rendering with their own versions; an audit trail naming the key that changed a workflow, one tenant's trail
/// closed to another.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class TeamEditingTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    [Fact]
    public async Task A_fr_BE_subscriber_gets_the_fr_variant_a_de_one_the_enterprise_default_and_the_delivery_says_which()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var client = enterprise.Client;
        await client.OkAsync(HttpMethod.Put, "/api/localization", new { defaultLocale = "en" });
        await client.SendAsync(HttpMethod.Put, "/api/translations/en", new { greeting = new { title = "Welcome {{ name }}" } });
        await client.SendAsync(HttpMethod.Put, "/api/translations/fr", new { greeting = new { title = "Bienvenue {{ name }}" } });
        var templateKey = Key("loc-tpl");
        await client.CreateAsync("/api/templates", new
        {
            templateKey,
            name = "Localized",
            channelType = "EMAIL",
            subjectTemplate = "{{ 'greeting.title' | t: 'name', payload.name }}",
            bodyTemplate = "English body",
            locales = new Dictionary<string, object> { ["fr"] = new { subject = "FR {{ 'greeting.title' | t: 'name', payload.name }}", body = "Corps français" } },
        });
        await client.OkAsync(HttpMethod.Post, $"/api/templates/{templateKey}/publish");
        var workflowKey = await PublishedWorkflowAsync(client, templateKey);

        var (id, transactionId) = await Harness.InsertNotificationAsync(enterprise.Id, workflowKey, """{"name":"Ann"}""",
            """[{"subscriberId":"sub-fr","locale":"fr_BE"},{"subscriberId":"sub-de","locale":"de"}]""");
        await Harness.WaitForStatusAsync(id, "SENT");

        var detail = await client.OkAsync(HttpMethod.Get, $"/api/notifications/{id}");
        var localeOf = detail["deliveries"]!.AsArray().ToDictionary(d => (string)d!["subscriberId"]!, d => (string?)d!["rendering"]?["locale"]);
        Assert.Equal("fr", localeOf["sub-fr"]);
        Assert.Equal("en", localeOf["sub-de"]);
        // What each subscriber received: this notification's events, told apart by their subscriber.
        var events = await Harness.EventsAsync(transactionId);
        string SubjectFor(string subscriberId) => (string)events.Single(e => e!["to"]!.ToJsonString().Contains($":{subscriberId}\"", StringComparison.Ordinal))!
            ["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["subject"]!;
        Assert.Equal("FR Bienvenue Ann", SubjectFor("sub-fr"));
        Assert.Equal("Welcome Ann", SubjectFor("sub-de"));
    }

    [Fact]
    public async Task A_publish_that_would_print_raw_keys_is_refused_with_the_missing_keys_per_locale()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var client = enterprise.Client;
        await client.OkAsync(HttpMethod.Put, "/api/localization", new { defaultLocale = "en_GB" });
        await client.SendAsync(HttpMethod.Put, "/api/translations/en", new { greeting = "Hello" });
        var templateKey = Key("loc-miss");
        await client.CreateAsync("/api/templates", new
        {
            templateKey,
            name = "Half translated",
            channelType = "EMAIL",
            subjectTemplate = "{{ 'greeting' | t }}",
            bodyTemplate = "{{ 'body.intro' | t }}",
            locales = new Dictionary<string, object> { ["fr"] = new { body = "{{ 'greeting' | t }} {{ 'fr.only' | t }}" } },
        });

        var errors = await (await client.SendAsync(HttpMethod.Post, $"/api/templates/{templateKey}/publish"))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation");

        Assert.Equal(["locales.en-GB", "locales.fr"], errors.Select(e => e.Key).Order());
        Assert.Equal("missing translation keys: body.intro.", errors.FieldError("locales.en-GB"));
        Assert.Equal("missing translation keys: fr.only.", errors.FieldError("locales.fr"));
        Assert.Equal("DRAFT", (string)(await client.OkAsync(HttpMethod.Get, $"/api/templates/{templateKey}"))["publishStatus"]!);
    }

    [Fact]
    public async Task A_rollback_restores_the_previous_wording_and_a_resend_renders_with_its_own_version()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var client = enterprise.Client;
        var templateKey = Key("ver-tpl");
        await client.CreateAsync("/api/templates", Template(templateKey, subject: "v1 {{ payload.name }}"));
        await client.OkAsync(HttpMethod.Post, $"/api/templates/{templateKey}/publish");
        var workflowKey = await PublishedWorkflowAsync(client, templateKey);

        // A notification rendered with version 1 whose send failed.
        await Harness.AddFaultAsync(new { statusCode = 422, count = 1, paths = new[] { "/v1/events" }, bodyContains = "sub-old" });
        var (old, oldTransaction) = await Harness.InsertNotificationAsync(enterprise.Id, workflowKey, """{"name":"Ann"}""", """["sub-old"]""");
        await Harness.WaitForStatusAsync(old, "FAILED");
        var failed = await client.OkAsync(HttpMethod.Get, $"/api/notifications/{old}");
        Assert.Equal(1, (int)failed["deliveries"]![0]!["rendering"]!["templates"]![templateKey]!);

        // Version 2 goes live; a draft edit alone changes nothing that is sent.
        await client.OkAsync(HttpMethod.Put, $"/api/templates/{templateKey}", Template(templateKey, subject: "v2 {{ payload.name }}"));
        await client.OkAsync(HttpMethod.Post, $"/api/templates/{templateKey}/publish");
        Assert.Equal("v2 Ann", await SendAndReadSubjectAsync(enterprise.Id, workflowKey));

        // The old notification, sent again, renders with its own version 1.
        await client.OkAsync(HttpMethod.Post, $"/api/notifications/{old}/retry");
        await Harness.WaitForStatusAsync(old, "SENT");
        Assert.Equal("v1 Ann", SubjectOf(Assert.Single(await Harness.EventsAsync(oldTransaction))!));

        // A rollback to 1 is version 3, with version 1's wording, and the next trigger gets it.
        var rolledBack = await client.OkAsync(HttpMethod.Post, $"/api/templates/{templateKey}/versions/1/rollback");
        Assert.Equal(3, (int)rolledBack["liveVersion"]!);
        Assert.Equal("v1 Ann", await SendAndReadSubjectAsync(enterprise.Id, workflowKey));

        var versions = await client.ListAsync($"/api/templates/{templateKey}/versions");
        Assert.Equal([3, 2, 1], versions.Select(v => (int)v!["version"]!));
        Assert.Equal("rollback to 1", (string)versions[0]!["note"]!);
        Assert.All(versions, v => Assert.StartsWith("api-key:", (string)v!["createdBy"]!, StringComparison.Ordinal));
        var diff = await client.OkAsync(HttpMethod.Get, $"/api/templates/{templateKey}/versions/diff?from=1&to=2");
        var subject = Assert.Single(diff["fields"]!.AsArray(), f => (string)f!["field"]! == "subjectTemplate")!;
        Assert.Contains(subject["lines"]!.AsArray(), l => (string)l!["kind"]! == "removed" && (string)l["text"]! == "v1 {{ payload.name }}");
        Assert.Contains(subject["lines"]!.AsArray(), l => (string)l!["kind"]! == "added" && (string)l["text"]! == "v2 {{ payload.name }}");
    }

    [Fact]
    public async Task The_audit_trail_names_the_key_that_changed_a_workflow_and_is_closed_to_other_enterprises()
    {
        var owner = await fixture.CreateEnterpriseAsync();
        var other = await fixture.CreateEnterpriseAsync();
        var admin = fixture.CreateAdminClient();
        var keyId = (string)(await admin.ListAsync($"/api/admin/enterprises/{owner.Id}/api-keys"))[0]!["id"]!;
        var templateKey = await owner.Client.PublishedTemplateAsync("EMAIL");
        var workflowKey = await PublishedWorkflowAsync(owner.Client, templateKey);

        // A second key of the same enterprise changes the workflow: the trail tells the two keys apart.
        var editorKey = await admin.CreateAsync($"/api/admin/enterprises/{owner.Id}/api-keys", new { name = "editor" });
        using var editor = fixture.CreateHttpClient("api").WithBearer((string)editorKey["key"]!);
        await editor.OkAsync(HttpMethod.Put, $"/api/workflows/{workflowKey}",
            Workflow(workflowKey, ["EMAIL"], new() { ["EMAIL"] = templateKey }, name: "Renamed by the editor"));

        var trail = (await owner.Client.OkAsync(HttpMethod.Get, $"/api/audit?entityType=workflow&entityKey={workflowKey}"))["items"]!.AsArray();

        Assert.Equal(["updated", "updated", "created"], trail.Select(e => (string)e!["action"]!));
        Assert.Equal($"api-key:{(string)editorKey["id"]!}", (string)trail[0]!["actor"]!);
        Assert.Equal("PUT /api/workflows/{workflowKey}", (string)trail[0]!["request"]!);
        Assert.Contains("name", trail[0]!["changed"]!.AsArray().Select(c => (string)c!));
        Assert.All(trail.Skip(1), e => Assert.Equal($"api-key:{keyId}", (string)e!["actor"]!));
        Assert.Equal($"POST /api/workflows/{{workflowKey}}/publish", (string)trail[1]!["request"]!);
        Assert.Contains("publish_status", trail[1]!["changed"]!.AsArray().Select(c => (string)c!));
        await using (var connection = await fixture.OpenOwnerConnectionAsync())
        {
            var (createdBy, updatedBy) = await connection.QuerySingleAsync<(string, string)>(
                "SELECT created_by, updated_by FROM notify.ent_notification_workflow WHERE enterprise_id = @id AND workflow_key = @workflowKey",
                new { id = owner.Id, workflowKey });
            Assert.Equal(($"api-key:{keyId}", $"api-key:{(string)editorKey["id"]!}"), (createdBy, updatedBy));
        }

        Assert.StartsWith("api-key:", (string)(await owner.Client.OkAsync(HttpMethod.Get, $"/api/templates/{templateKey}"))["createdBy"]!, StringComparison.Ordinal);

        // Another enterprise sees none of it, whatever it asks for; the admin sees it by enterprise.
        Assert.Empty((await other.Client.OkAsync(HttpMethod.Get, $"/api/audit?entityKey={workflowKey}"))["items"]!.AsArray());
        // Its own trail holds only its own key, which the admin made for it.
        var own = Assert.Single((await other.Client.OkAsync(HttpMethod.Get, "/api/audit"))["items"]!.AsArray())!;
        Assert.Equal(("api-key", "admin"), ((string)own["entityType"]!, (string)own["actor"]!));
        var seenByAdmin = (await admin.OkAsync(HttpMethod.Get, $"/api/admin/audit?enterpriseId={owner.Id}&entityType=workflow&entityKey={workflowKey}"))["items"]!.AsArray();
        Assert.Equal(3, seenByAdmin.Count);
        Assert.All(seenByAdmin, e => Assert.Equal(owner.Id.ToString(), (string)e!["enterpriseId"]!));
        Assert.Contains((await owner.Client.SendAsync(HttpMethod.Get, "/api/admin/audit")).StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden });
        (await owner.Client.SendAsync(HttpMethod.Get, "/api/audit?limit=0")).EnsureStatus(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task An_email_is_rendered_inside_its_layout_and_a_layout_change_is_a_new_version()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var client = enterprise.Client;
        var layoutKey = Key("brand");
        object Layout(string header) => new
        {
            layoutKey, name = "Brand", headerHtml = header, footerHtml = "<small>Acme Ltd</small>",
            logoUrl = "https://cdn.acme.test/logo.png", primaryColor = "#ff0000", senderName = "Acme",
        };
        await client.CreateAsync("/api/layouts", Layout("<h1>Acme news for {{ payload.name }}</h1>"));
        await client.OkAsync(HttpMethod.Post, $"/api/layouts/{layoutKey}/publish");
        var templateKey = Key("laid-out");
        await client.CreateAsync("/api/templates", new
        {
            templateKey, name = "Laid out", channelType = "EMAIL", subjectTemplate = "Hi", bodyTemplate = "<p>Body for {{ payload.name }}</p>", layoutKey,
        });
        await client.OkAsync(HttpMethod.Post, $"/api/templates/{templateKey}/publish");
        var workflowKey = await PublishedWorkflowAsync(client, templateKey);

        var first = await SendAndReadBodyAsync(enterprise.Id, workflowKey);
        await client.OkAsync(HttpMethod.Put, $"/api/layouts/{layoutKey}", Layout("<h1>New header</h1>"));
        var draftOnly = await SendAndReadBodyAsync(enterprise.Id, workflowKey);
        await client.OkAsync(HttpMethod.Post, $"/api/layouts/{layoutKey}/publish");
        var second = await SendAndReadBodyAsync(enterprise.Id, workflowKey);

        Assert.Contains("<h1>Acme news for Ann</h1>", first, StringComparison.Ordinal);
        Assert.Contains("<p>Body for Ann</p>", first, StringComparison.Ordinal);
        Assert.Contains("https://cdn.acme.test/logo.png", first, StringComparison.Ordinal);
        Assert.Contains("<h1>Acme news for Ann</h1>", draftOnly, StringComparison.Ordinal);
        Assert.Contains("<h1>New header</h1>", second, StringComparison.Ordinal);
        Assert.Equal([2, 1], (await client.ListAsync($"/api/layouts/{layoutKey}/versions")).Select(v => (int)v!["version"]!));
        var refused = await (await client.SendAsync(HttpMethod.Post, "/api/layouts", new { layoutKey = Key("bad"), name = "Bad", logoUrl = "javascript:alert(1)", primaryColor = "red" }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation");
        Assert.Equal(["logoUrl", "primaryColor"], refused.Select(e => e.Key).Order());
    }

    private async Task<string> SendAndReadBodyAsync(Guid enterpriseId, string workflowKey)
    {
        var (id, transactionId) = await Harness.InsertNotificationAsync(enterpriseId, workflowKey, """{"name":"Ann"}""", """["team-sub"]""");
        await Harness.WaitForStatusAsync(id, "SENT");
        return (string)Assert.Single(await Harness.EventsAsync(transactionId))!["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["body"]!;
    }

    private static async Task<string> PublishedWorkflowAsync(HttpClient client, string templateKey)
    {
        var workflowKey = Key("team-wf");
        await client.CreateAsync("/api/workflows", Workflow(workflowKey, ["EMAIL"], new() { ["EMAIL"] = templateKey }));
        await client.OkAsync(HttpMethod.Post, $"/api/workflows/{workflowKey}/publish");
        return workflowKey;
    }

    private async Task<string> SendAndReadSubjectAsync(Guid enterpriseId, string workflowKey)
    {
        var (id, transactionId) = await Harness.InsertNotificationAsync(enterpriseId, workflowKey, """{"name":"Ann"}""", """["team-sub"]""");
        await Harness.WaitForStatusAsync(id, "SENT");
        return SubjectOf(Assert.Single(await Harness.EventsAsync(transactionId))!);
    }

    private static string SubjectOf(JsonNode received) => (string)received["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["subject"]!;
}

internal static class StatusAssertions
{
    public static void EnsureStatus(this HttpResponseMessage answer, HttpStatusCode expected) => Assert.Equal(expected, answer.StatusCode);
}
