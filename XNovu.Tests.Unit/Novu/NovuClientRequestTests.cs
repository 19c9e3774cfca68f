using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using XNovu.NovuClient;

namespace XNovu.Tests.Unit.Novu;

/// <summary>Pins the wire format of every call against canned answers.</summary>
public sealed class NovuClientRequestTests
{
    [Fact]
    public async Task Trigger_posts_to_v1_events_trigger_with_ApiKey_auth_and_the_transaction_id_as_idempotency_key()
    {
        var handler = new FakeNovuHandler(_ => FakeNovuHandler.Processed("tx-42"));
        var client = NovuClientFactory.Create(handler);

        await client.TriggerAsync(new TriggerRequest
        {
            Name = "welcome",
            To = ["sub-1"],
            TransactionId = "tx-42",
            Payload = JsonDocument.Parse("""{"orderId":7}""").RootElement,
            Overrides = JsonDocument.Parse("""{"email":{"from":"a@b.c"}}""").RootElement,
        });

        var sent = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal("/v1/events/trigger", sent.Uri.AbsolutePath);
        Assert.Equal($"ApiKey {NovuClientFactory.SecretKey}", sent.Headers["Authorization"]);
        Assert.Equal("tx-42", sent.Headers["Idempotency-Key"]);
        Assert.Equal("application/json", sent.ContentType);
        var body = JsonNode.Parse(sent.Body!)!.AsObject();
        Assert.Equal(["name", "to", "transactionId", "payload", "overrides"], body.Select(p => p.Key));
        Assert.Equal("welcome", (string?)body["name"]);
        Assert.Equal("sub-1", (string?)body["to"]![0]);
        Assert.Equal(7, (int?)body["payload"]!["orderId"]);
        Assert.Equal("a@b.c", (string?)body["overrides"]!["email"]!["from"]);
    }

    [Fact]
    public async Task Trigger_sends_the_callers_idempotency_key_when_given()
    {
        var handler = new FakeNovuHandler(_ => FakeNovuHandler.Processed());
        var client = NovuClientFactory.Create(handler);

        await client.TriggerAsync(NovuClientFactory.Event("tx-1"), "delivery-9-attempt-stable");

        Assert.Equal("delivery-9-attempt-stable", Assert.Single(handler.Requests).Headers["Idempotency-Key"]);
    }

    [Fact]
    public async Task Recipients_are_written_as_Novu_names_them_and_nulls_are_omitted()
    {
        var handler = new FakeNovuHandler(_ => FakeNovuHandler.Processed());
        var client = NovuClientFactory.Create(handler);

        await client.TriggerAsync(new TriggerRequest
        {
            Name = "welcome",
            To =
            [
                "sub-1",
                new NovuSubscriber { SubscriberId = "sub-2", Email = "b@c.d", FirstName = "Bea", Data = JsonDocument.Parse("""{"vip":true}""").RootElement },
                NovuRecipient.Topic("all-admins"),
            ],
            TransactionId = "tx-1",
            Actor = "sub-9",
            Tenant = JsonDocument.Parse("\"tenant-a\"").RootElement,
        });

        var body = JsonNode.Parse(Assert.Single(handler.Requests).Body!)!;
        Assert.Equal(
            """["sub-1",{"subscriberId":"sub-2","email":"b@c.d","firstName":"Bea","data":{"vip":true}},{"type":"Topic","topicKey":"all-admins"}]""",
            body["to"]!.ToJsonString());
        Assert.Equal("sub-9", (string?)body["actor"]);
        Assert.Equal("tenant-a", (string?)body["tenant"]);
        Assert.Null(body["payload"]);
    }

    [Fact]
    public async Task Trigger_without_a_transaction_id_is_refused_before_any_call()
    {
        var handler = new FakeNovuHandler(_ => FakeNovuHandler.Processed());
        var client = NovuClientFactory.Create(handler);

        await Assert.ThrowsAsync<ArgumentException>(() => client.TriggerAsync(NovuClientFactory.Event(" ")));
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Idempotency_key_over_255_characters_is_refused_before_any_call()
    {
        var handler = new FakeNovuHandler(_ => FakeNovuHandler.Processed());
        var client = NovuClientFactory.Create(handler);

        await Assert.ThrowsAsync<ArgumentException>(() => client.TriggerAsync(NovuClientFactory.Event("tx-1"), new string('k', 256)));
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Bulk_of_250_events_is_split_into_three_calls_and_answers_stay_in_order()
    {
        var handler = new FakeNovuHandler(BulkEcho);
        var client = NovuClientFactory.Create(handler);
        var events = Enumerable.Range(0, 250).Select(i => NovuClientFactory.Event($"tx-{i}")).ToList();

        var outcomes = await client.TriggerBulkAsync(events);

        Assert.Equal([100, 100, 50], handler.Requests.Select(r => JsonNode.Parse(r.Body!)!["events"]!.AsArray().Count));
        Assert.All(handler.Requests, r =>
        {
            Assert.Equal(HttpMethod.Post, r.Method);
            Assert.Equal("/v1/events/trigger/bulk", r.Uri.AbsolutePath);
            Assert.Equal($"ApiKey {NovuClientFactory.SecretKey}", r.Headers["Authorization"]);
        });
        Assert.Equal(events.Select(e => e.TransactionId), outcomes.Select(o => o.TransactionId));
        Assert.All(outcomes, o => Assert.Equal(NovuOutcomeKind.Success, o.Kind));
    }

    [Fact]
    public async Task Bulk_idempotency_keys_are_stable_for_the_same_events_and_differ_between_chunks()
    {
        var handler = new FakeNovuHandler(BulkEcho);
        var client = NovuClientFactory.Create(handler);
        var events = Enumerable.Range(0, 150).Select(i => NovuClientFactory.Event($"tx-{i}")).ToList();

        await client.TriggerBulkAsync(events);
        await client.TriggerBulkAsync(events);

        var keys = handler.Requests.Select(r => r.Headers["Idempotency-Key"]).ToList();
        Assert.Equal(keys[0], keys[2]);
        Assert.Equal(keys[1], keys[3]);
        Assert.NotEqual(keys[0], keys[1]);
        Assert.All(keys, k => Assert.InRange(k.Length, 1, 255));
    }

    [Fact]
    public async Task Bulk_http_failure_applies_to_every_event_of_that_chunk_only()
    {
        var calls = 0;
        var handler = new FakeNovuHandler(request => ++calls == 2 ? FakeNovuHandler.Error(503) : BulkEcho(request));
        var client = NovuClientFactory.Create(handler);
        var events = Enumerable.Range(0, 250).Select(i => NovuClientFactory.Event($"tx-{i}")).ToList();

        var outcomes = await client.TriggerBulkAsync(events);

        Assert.Equal(250, outcomes.Count);
        Assert.All(outcomes.Take(100), o => Assert.Equal(NovuOutcomeKind.Success, o.Kind));
        Assert.All(outcomes.Skip(100).Take(100), o =>
        {
            Assert.Equal(NovuOutcomeKind.Retryable, o.Kind);
            Assert.Equal(503, o.HttpStatus);
        });
        Assert.All(outcomes.Skip(200), o => Assert.Equal(NovuOutcomeKind.Success, o.Kind));
        Assert.Equal("tx-150", outcomes[150].TransactionId);
    }

    [Fact]
    public async Task Bulk_event_answered_with_a_non_processed_status_is_terminal_for_that_event_only()
    {
        var handler = new FakeNovuHandler(_ => FakeNovuHandler.Json(HttpStatusCode.Created, """
            {"data":[
              {"acknowledged":true,"status":"processed","transactionId":"tx-0"},
              {"acknowledged":true,"status":"no_tenant_found","transactionId":"tx-1"}]}
            """));
        var client = NovuClientFactory.Create(handler);

        var outcomes = await client.TriggerBulkAsync([NovuClientFactory.Event("tx-0"), NovuClientFactory.Event("tx-1")]);

        Assert.Equal(NovuOutcomeKind.Success, outcomes[0].Kind);
        Assert.Equal(NovuOutcomeKind.Terminal, outcomes[1].Kind);
        Assert.Equal("no_tenant_found", outcomes[1].NovuStatus);
    }

    [Fact]
    public async Task Cancel_deletes_the_transaction_and_reads_novus_boolean()
    {
        var handler = new FakeNovuHandler(_ => FakeNovuHandler.Json(HttpStatusCode.OK, """{"data":true}"""));
        var client = NovuClientFactory.Create(handler);

        var outcome = await client.CancelAsync("tx 1/2");

        var sent = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Delete, sent.Method);
        Assert.Equal("/v1/events/trigger/tx%201%2F2", sent.Uri.AbsolutePath);
        Assert.Equal($"ApiKey {NovuClientFactory.SecretKey}", sent.Headers["Authorization"]);
        Assert.True(outcome.IsSuccess);
        Assert.True(outcome.Value);
    }

    [Fact]
    public async Task Subscribers_use_the_v2_routes()
    {
        var handler = new FakeNovuHandler(_ => FakeNovuHandler.Json(HttpStatusCode.Created,
            """{"data":{"_id":"65f0c0ffee","subscriberId":"sub-1","email":"a@b.c","createdAt":"2026-01-01T00:00:00Z"}}"""));
        var client = NovuClientFactory.Create(handler);

        var created = await client.Subscribers.CreateAsync(new NovuSubscriber { SubscriberId = "sub-1", Email = "a@b.c", Locale = "fr" });
        await client.Subscribers.GetAsync("sub-1");
        await client.Subscribers.UpdateAsync("sub-1", new NovuSubscriberPatch { LastName = "Lee" });

        Assert.Equal(
            [(HttpMethod.Post, "/v2/subscribers"), (HttpMethod.Get, "/v2/subscribers/sub-1"), (HttpMethod.Patch, "/v2/subscribers/sub-1")],
            handler.Requests.Select(r => (r.Method, r.Uri.AbsolutePath)));
        Assert.Equal("""{"subscriberId":"sub-1","email":"a@b.c","locale":"fr"}""", handler.Requests[0].Body);
        Assert.Equal("""{"lastName":"Lee"}""", handler.Requests[2].Body);
        Assert.True(created.IsSuccess);
        Assert.Equal("65f0c0ffee", created.Value!.Id);
        Assert.Equal("a@b.c", created.Value.Email);
    }

    [Fact]
    public async Task Missing_subscriber_is_a_terminal_404()
    {
        var handler = new FakeNovuHandler(_ => FakeNovuHandler.Error(404, "Subscriber not found"));
        var client = NovuClientFactory.Create(handler);

        var outcome = await client.Subscribers.GetAsync("ghost");

        Assert.Equal(NovuOutcomeKind.Terminal, outcome.Kind);
        Assert.Equal(404, outcome.HttpStatus);
        Assert.Equal("Subscriber not found", outcome.Message);
        Assert.Null(outcome.Value);
    }

    private static HttpResponseMessage BulkEcho(HttpRequestMessage request)
    {
        var events = JsonNode.Parse(request.Content!.ReadAsStringAsync().GetAwaiter().GetResult())!["events"]!.AsArray();
        var answers = new JsonArray([.. events.Select(e => (JsonNode?)new JsonObject
        {
            ["acknowledged"] = true,
            ["status"] = "processed",
            ["transactionId"] = (string?)e!["transactionId"],
        })]);
        return FakeNovuHandler.Json(HttpStatusCode.Created, new JsonObject { ["data"] = answers }.ToJsonString());
    }
}
