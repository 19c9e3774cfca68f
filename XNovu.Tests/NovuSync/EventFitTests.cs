using System.Net;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.NovuSync;

/// <summary>
/// What goes to Novu fits Novu: the rendered content under <c>xnovu</c> and only the payload fields a workflow
/// passes on; a trigger whose event cannot fit Novu's 512 KB is refused at the API, and one that still would not
/// fit at dispatch fails there without a call.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class EventFitTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    private const string EventTooLargeType = "https://xnovu.dev/problems/novu-event-too-large";
    private const int NovuLimit = 512 * 1024;

    [Fact]
    public async Task A_trigger_whose_rendered_event_cannot_fit_is_413_naming_the_channel_and_stores_nothing()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var key = await TwiceTheBodyWorkflowAsync(enterprise.Client);

        var answer = await enterprise.Client.PostTriggerAsync(TriggerApi.Trigger(key, payload: new { body = new string('a', 300 * 1024) }));
        await answer.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, EventTooLargeType);
        var problem = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
        var notifications = await enterprise.Client.NotificationItemsAsync();

        Assert.Equal("EMAIL", (string)problem["channel"]!);
        Assert.Equal(NovuLimit, (int)problem["limitBytes"]!);
        Assert.True((long)problem["eventBytes"]! > NovuLimit);
        Assert.True((long)problem["channelBytes"]! >= 600 * 1024);
        Assert.Contains("EMAIL", (string)problem["detail"]!, StringComparison.Ordinal);
        Assert.Empty(notifications);
    }

    [Fact]
    public async Task A_bulk_event_whose_rendered_event_cannot_fit_is_refused_at_its_index_and_the_others_are_stored()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var key = await TwiceTheBodyWorkflowAsync(enterprise.Client);
        var events = new JsonArray(
            TriggerApi.Trigger(key, payload: new { body = "small" }),
            TriggerApi.Trigger(key, payload: new { body = new string('a', 300 * 1024) }));

        var answer = await enterprise.Client.PostJsonAsync("/api/trigger/bulk", new JsonObject { ["events"] = events }.ToJsonString());
        var body = await answer.ReadObjectAsync();
        var notifications = await enterprise.Client.NotificationItemsAsync();

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(1, (int)body["accepted"]!);
        Assert.Equal(202, (int)body["results"]![0]!["status"]!);
        Assert.Equal(413, (int)body["results"]![1]!["status"]!);
        Assert.Equal(1, (int)body["results"]![1]!["index"]!);
        Assert.Equal(EventTooLargeType, (string)body["results"]![1]!["error"]!["type"]!);
        Assert.Equal("EMAIL", (string)body["results"]![1]!["error"]!["channel"]!);
        Assert.Single(notifications);
    }

    [Fact]
    public async Task Only_the_payload_fields_a_workflow_passes_on_reach_Novu_beside_the_rendered_content()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var template = await enterprise.Client.PublishedTemplateAsync("EMAIL");
        var key = Key("wf-pass");
        var created = await enterprise.Client.CreateAsync("/api/workflows", WithNovuPayload(
            Workflow(key, ["EMAIL"], new() { ["EMAIL"] = template }), "orderId", "order.total", "missing.field"));
        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/workflows/{key}/publish");
        var payload = new { name = "Ada", orderId = "o-1", order = new { total = 12, card = "4111" }, secret = "s" };

        var passed = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(key, payload: payload));
        var plain = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(payload: new { body = "Hello", secret = "s" }));
        await Harness.WaitForStatusAsync(passed.Id(), "SENT");
        await Harness.WaitForStatusAsync(plain.Id(), "SENT");
        var received = Assert.Single(await Harness.EventsAsync((string)passed["transactionId"]!))!["payload"]!.AsObject();
        var receivedPlain = Assert.Single(await Harness.EventsAsync((string)plain["transactionId"]!))!["payload"]!.AsObject();
        var read = await enterprise.Client.OkAsync(HttpMethod.Get, $"/api/workflows/{key}");

        Assert.Equal(["orderId", "order.total", "missing.field"], created["novuPayload"]!.AsArray().Select(p => (string)p!));
        Assert.Equal(["orderId", "order.total", "missing.field"], read["novuPayload"]!.AsArray().Select(p => (string)p!));
        Assert.Equal(["order", "orderId", "xnovu"], received.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("o-1", (string)received["orderId"]!);
        Assert.Equal(["total"], received["order"]!.AsObject().Select(p => p.Key));
        Assert.Equal(12, (int)received["order"]!["total"]!);
        Assert.Equal("Hello Ada", (string)received["xnovu"]!["channels"]!["EMAIL"]!["body"]!);
        Assert.Equal(["xnovu"], receivedPlain.Select(p => p.Key));
    }

    [Theory]
    [InlineData("\"orderId\"", HttpStatusCode.BadRequest, "https://xnovu.dev/problems/malformed-request")]
    [InlineData("[1]", HttpStatusCode.BadRequest, "https://xnovu.dev/problems/malformed-request")]
    [InlineData("[\"a\\u0000b\"]", HttpStatusCode.BadRequest, "https://xnovu.dev/problems/malformed-request")]
    [InlineData("[\"order..total\"]", HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation")]
    [InlineData("[\"xnovu.channels\"]", HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation")]
    [InlineData("[\"order total\"]", HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation")]
    [InlineData("TOO_MANY", HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation")]
    public async Task A_bad_novuPayload_is_refused_and_writes_nothing(string novuPayload, HttpStatusCode status, string type)
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var key = Key("wf-bad");
        var value = novuPayload == "TOO_MANY"
            ? new JsonArray(Enumerable.Range(0, 21).Select(i => (JsonNode?)$"f{i}").ToArray()).ToJsonString()
            : novuPayload;
        var json = $$"""{"workflowKey":"{{key}}","name":"n","defaultChannels":["EMAIL"],"novuPayload":{{value}}}""";

        var answer = await enterprise.Client.SendRawAsync(HttpMethod.Post, "/api/workflows", json);
        var errors = await answer.AssertProblemAsync(status, type);
        var read = await enterprise.Client.GetAsync(new Uri($"/api/workflows/{key}", UriKind.Relative));

        if (status == HttpStatusCode.UnprocessableEntity)
        {
            Assert.Contains(errors, e => e.Key.StartsWith("novuPayload", StringComparison.Ordinal));
        }

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }

    [Fact]
    public async Task An_update_sets_novuPayload_and_a_bad_one_leaves_the_workflow_as_it_was()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var key = Key("wf-upd");
        await enterprise.Client.CreateAsync("/api/workflows", Workflow(key, ["EMAIL"]));

        var updated = await enterprise.Client.OkAsync(HttpMethod.Put, $"/api/workflows/{key}", WithNovuPayload(Workflow(key, ["EMAIL"]), "orderId"));
        var refused = await enterprise.Client.SendAsync(HttpMethod.Put, $"/api/workflows/{key}", WithNovuPayload(Workflow(key, ["EMAIL"]), "xnovu"));
        await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation");
        var read = await enterprise.Client.OkAsync(HttpMethod.Get, $"/api/workflows/{key}");

        Assert.Equal(["orderId"], updated["novuPayload"]!.AsArray().Select(p => (string)p!));
        Assert.Equal(["orderId"], read["novuPayload"]!.AsArray().Select(p => (string)p!));
        Assert.Equal((int)updated["version"]!, (int)read["version"]!);
    }

    [Fact]
    public async Task An_event_too_large_at_dispatch_is_FAILED_at_once_naming_the_channel_without_calling_Novu()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var key = await TwiceTheBodyWorkflowAsync(enterprise.Client);

        // Written by SQL, so the API never saw it: only the dispatcher can stop it.
        var (id, _) = await Harness.InsertNotificationAsync(
            enterprise.Id, key, new JsonObject { ["body"] = new string('a', 300 * 1024) }.ToJsonString(), """["ann"]""");
        var state = await Harness.WaitForStatusAsync(id, "FAILED");
        var requests = await Harness.RequestsAsync();
        var error = state.ErrorDetails!.ToJsonString();

        Assert.Contains("EMAIL", error, StringComparison.Ordinal);
        Assert.Contains("524,288", error, StringComparison.Ordinal);
        Assert.Equal([1], state.Attempts);
        Assert.DoesNotContain(requests, r => ((string?)r!["path"])?.StartsWith("/v1/events/trigger", StringComparison.Ordinal) == true && (int)r["status"]! == 413);
    }

    [Fact]
    public async Task The_size_check_counts_the_emails_List_Unsubscribe_headers_so_an_event_at_the_limit_is_accepted_and_sent_and_one_byte_more_is_413()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var template = Key("tpl-once");
        await enterprise.Client.CreateAsync("/api/templates", Template(template, "EMAIL", body: "{{ payload.body }}", subject: "Big"));
        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/templates/{template}/publish");
        var key = Key("wf-once");
        await enterprise.Client.CreateAsync("/api/workflows", Workflow(key, ["EMAIL"], new() { ["EMAIL"] = template }));
        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/workflows/{key}/publish");
        var subscriber = TriggerApi.Subscriber();
        JsonObject Trigger(int length) => TriggerApi.Trigger(key, subscriber, new { body = new string('a', length) });

        // The API's measure of this workflow's event grows byte for byte with the body: one refusal tells it exactly.
        var probe = NovuLimit - 64;
        var refused = await enterprise.Client.PostTriggerAsync(Trigger(probe));
        await refused.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, EventTooLargeType);
        var measured = (long)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["eventBytes"]!;
        var atLimit = probe - (int)(measured - NovuLimit);

        var over = await enterprise.Client.PostTriggerAsync(Trigger(atLimit + 1));
        await over.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, EventTooLargeType);
        Assert.Equal(NovuLimit + 1, (long)JsonNode.Parse(await over.Content.ReadAsStringAsync())!["eventBytes"]!);

        // Exactly at the limit as the API counts it, headers included: the dispatcher, which adds them, sends it.
        var accepted = await enterprise.Client.AcceptedAsync(Trigger(atLimit));
        var state = await Harness.WaitForStatusAsync(accepted.Id(), "SENT");
        var sent = Assert.Single(await Harness.EventsAsync((string)accepted["transactionId"]!))!;
        Assert.Equal(["SENT"], state.DeliveryStatuses);
        Assert.StartsWith("<http", (string)sent["overrides"]!["email"]!["headers"]!["List-Unsubscribe"]!, StringComparison.Ordinal);
        Assert.Equal("List-Unsubscribe=One-Click", (string)sent["overrides"]!["email"]!["headers"]!["List-Unsubscribe-Post"]!);
    }

    /// <summary>A published EMAIL workflow whose body shows <c>payload.body</c> twice: 300 KB of body renders 600 KB.</summary>
    private static async Task<string> TwiceTheBodyWorkflowAsync(HttpClient client)
    {
        var template = Key("tpl-twice");
        await client.CreateAsync("/api/templates", Template(template, "EMAIL", body: "{{ payload.body }}{{ payload.body }}", subject: "Big"));
        await client.OkAsync(HttpMethod.Post, $"/api/templates/{template}/publish");
        var key = Key("wf-twice");
        await client.CreateAsync("/api/workflows", Workflow(key, ["EMAIL"], new() { ["EMAIL"] = template }));
        await client.OkAsync(HttpMethod.Post, $"/api/workflows/{key}/publish");
        return key;
    }

    private static JsonObject WithNovuPayload(object workflow, params string[] paths)
    {
        var body = System.Text.Json.JsonSerializer.SerializeToNode(workflow)!.AsObject();
        body["novuPayload"] = new JsonArray(paths.Select(p => (JsonNode?)p).ToArray());
        return body;
    }
}
