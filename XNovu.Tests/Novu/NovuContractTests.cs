using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using XNovu.NovuClient;

namespace XNovu.Tests.Novu;

/// <summary>The real client against the real emulator over real HTTP: both sides of the contract.</summary>
public sealed class NovuContractTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    private readonly EmulatorHost _emulator = fixture.Emulator;

    public Task InitializeAsync() => _emulator.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Trigger_is_processed_and_recorded_once_with_everything_it_carried()
    {
        var client = _emulator.CreateClient();

        var outcome = await client.TriggerAsync(new TriggerRequest
        {
            Name = "welcome",
            To = [new NovuSubscriber { SubscriberId = "sub-1", Email = "ada@example.com" }],
            TransactionId = "tx-contract-1",
            Payload = Json("""{"xnovu":{"channels":{"EMAIL":{"subject":"Hi <Ada>","body":"Welcome"}}}}"""),
            Overrides = Json("""{"email":{"from":"noreply@example.com"}}"""),
        });

        Assert.Equal(NovuOutcomeKind.Success, outcome.Kind);
        Assert.Equal(201, outcome.HttpStatus);
        Assert.Equal("tx-contract-1", outcome.TransactionId);
        var received = Assert.Single(await _emulator.EventsAsync())!;
        Assert.Equal("welcome", (string?)received["workflow"]);
        Assert.Equal("sub-1", (string?)received["subscriberIds"]![0]);
        Assert.Equal("tx-contract-1", (string?)received["transactionId"]);
        Assert.Equal("tx-contract-1", (string?)received["idempotencyKey"]);
        Assert.Equal("noreply@example.com", (string?)received["overrides"]!["email"]!["from"]);
        Assert.False((bool)received["viaBulk"]!);
        Assert.False((bool)received["cancelled"]!);

        var inbox = await _emulator.Http.GetStringAsync("/");
        Assert.Contains("Hi &lt;Ada&gt;", inbox, StringComparison.Ordinal);
        Assert.Contains("ada@example.com", inbox, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trigger_answer_carries_rate_limit_headers_and_a_generated_transaction_id_when_absent()
    {
        using var response = await _emulator.SendAsync(HttpMethod.Post, "/v1/events/trigger", """{"name":"welcome","to":"sub-1"}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        foreach (var header in new[] { "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy" })
        {
            Assert.True(response.Headers.Contains(header), header);
        }

        var data = (await response.Content.ReadFromJsonAsync<JsonObject>())!["data"]!;
        Assert.True((bool)data["acknowledged"]!);
        Assert.Equal("processed", (string?)data["status"]);
        Assert.False(string.IsNullOrEmpty((string?)data["transactionId"]));
    }

    [Fact]
    public async Task Bulk_of_250_events_is_split_into_three_calls_and_recorded_in_order()
    {
        var client = _emulator.CreateClient();
        var events = Enumerable.Range(0, 250).Select(i => NovuClientFactory.Event($"tx-bulk-{i}", "digest", $"sub-{i % 7}")).ToList();

        var outcomes = await client.TriggerBulkAsync(events);

        Assert.All(outcomes, o => Assert.Equal(NovuOutcomeKind.Success, o.Kind));
        Assert.Equal(events.Select(e => e.TransactionId), outcomes.Select(o => o.TransactionId));
        var requests = await _emulator.RequestsAsync();
        Assert.Equal(3, requests.Count(r => (string?)r!["path"] == "/v1/events/trigger/bulk" && (int)r["status"]! == 201));
        var received = await _emulator.EventsAsync();
        Assert.Equal(events.Select(e => e.TransactionId), received.Select(e => (string?)e!["transactionId"]));
        Assert.All(received, e => Assert.True((bool)e!["viaBulk"]!));
    }

    [Fact]
    public async Task Bulk_over_100_events_is_rejected_whole_with_422()
    {
        var events = string.Join(",", Enumerable.Range(0, 101).Select(i => $$"""{"name":"w","to":"s","transactionId":"t{{i}}"}"""));

        using var response = await _emulator.SendAsync(HttpMethod.Post, "/v1/events/trigger/bulk", $$"""{"events":[{{events}}]}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Empty(await _emulator.EventsAsync());
    }

    [Fact]
    public async Task Cancel_marks_the_transaction_cancelled_and_answers_false_for_an_unknown_one()
    {
        var client = _emulator.CreateClient();
        await client.TriggerAsync(NovuClientFactory.Event("tx-cancel"));

        var cancelled = await client.CancelAsync("tx-cancel");
        var unknown = await client.CancelAsync("tx-never-sent");

        Assert.True(cancelled.IsSuccess);
        Assert.True(cancelled.Value);
        Assert.True(unknown.IsSuccess);
        Assert.False(unknown.Value);
        Assert.True((bool)(await _emulator.EventsAsync("?transactionId=tx-cancel"))[0]!["cancelled"]!);
    }

    [Fact]
    public async Task Subscriber_is_created_read_updated_and_upserted()
    {
        var client = _emulator.CreateClient();

        var created = await client.Subscribers.CreateAsync(new NovuSubscriber
        {
            SubscriberId = "sub-42",
            Email = "grace@example.com",
            FirstName = "Grace",
            Locale = "en-GB",
            Data = Json("""{"plan":"pro"}"""),
        });
        var patched = await client.Subscribers.UpdateAsync("sub-42", new NovuSubscriberPatch { LastName = "Hopper" });
        var upserted = await client.Subscribers.CreateAsync(new NovuSubscriber { SubscriberId = "sub-42", Email = "g.hopper@example.com" });
        var read = await client.Subscribers.GetAsync("sub-42");

        Assert.Equal(NovuOutcomeKind.Success, created.Kind);
        Assert.Equal(201, created.HttpStatus);
        Assert.Equal(24, created.Value!.Id!.Length);
        Assert.Equal("Hopper", patched.Value!.LastName);
        Assert.Equal(created.Value.Id, upserted.Value!.Id);
        Assert.Equal("g.hopper@example.com", read.Value!.Email);
        Assert.Equal("Grace", read.Value.FirstName);
        Assert.Equal("Hopper", read.Value.LastName);
        Assert.Equal("pro", read.Value.Data!.Value.GetProperty("plan").GetString());
    }

    [Fact]
    public async Task Unknown_subscriber_is_a_terminal_404()
    {
        var client = _emulator.CreateClient();

        var read = await client.Subscribers.GetAsync("ghost");
        var patched = await client.Subscribers.UpdateAsync("ghost", new NovuSubscriberPatch { Email = "x@y.z" });

        Assert.Equal((NovuOutcomeKind.Terminal, 404), (read.Kind, read.HttpStatus));
        Assert.Equal((NovuOutcomeKind.Terminal, 404), (patched.Kind, patched.HttpStatus));
        Assert.False(string.IsNullOrEmpty(read.Message));
    }

    [Fact]
    public async Task Subscriber_v1_routes_and_v2_failIfExists_behave_as_Novu()
    {
        using var v1Create = await _emulator.SendAsync(HttpMethod.Post, "/v1/subscribers", """{"subscriberId":"s-v1","email":"a@b.c"}""");
        using var v1Put = await _emulator.SendAsync(HttpMethod.Put, "/v1/subscribers/s-v1", """{"firstName":"Alan"}""");
        using var v2Conflict = await _emulator.SendAsync(HttpMethod.Post, "/v2/subscribers?failIfExists=true", """{"subscriberId":"s-v1"}""");
        using var bulk = await _emulator.SendAsync(HttpMethod.Post, "/v1/subscribers/bulk", """{"subscribers":[{"subscriberId":"s-v1"},{"subscriberId":"s-new"}]}""");
        var tooMany = string.Join(",", Enumerable.Range(0, 501).Select(i => $$"""{"subscriberId":"b{{i}}"}"""));
        using var bulkTooMany = await _emulator.SendAsync(HttpMethod.Post, "/v1/subscribers/bulk", $$"""{"subscribers":[{{tooMany}}]}""");
        using var v1Delete = await _emulator.SendAsync(HttpMethod.Delete, "/v1/subscribers/s-v1");
        using var v1Get = await _emulator.SendAsync(HttpMethod.Get, "/v1/subscribers/s-v1");

        Assert.Equal(HttpStatusCode.Created, v1Create.StatusCode);
        Assert.Equal("Alan", (string?)(await v1Put.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["firstName"]);
        Assert.Equal(HttpStatusCode.Conflict, v2Conflict.StatusCode);
        var bulkData = (await bulk.Content.ReadFromJsonAsync<JsonObject>())!["data"]!;
        Assert.Equal("s-v1", (string?)bulkData["updated"]![0]!["subscriberId"]);
        Assert.Equal("s-new", (string?)bulkData["created"]![0]!["subscriberId"]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bulkTooMany.StatusCode);
        Assert.Equal(HttpStatusCode.OK, v1Delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, v1Get.StatusCode);
    }

    [Fact]
    public async Task One_environment_is_one_namespace_of_transaction_ids_whoever_calls()
    {
        // Two callers of one environment (two XNovu tenants sharing it, in Novu's eyes one API key).
        var first = _emulator.CreateClient();
        var second = _emulator.CreateClient();

        var firstSent = await first.TriggerAsync(NovuClientFactory.Event("order-97ba90", subscriberId: "ann"));
        var reused = await second.TriggerAsync(NovuClientFactory.Event("order-97ba90", subscriberId: "bob"));
        var sameIdOtherKey = await second.TriggerAsync(NovuClientFactory.Event("order-97ba90", subscriberId: "bob"), idempotencyKey: "other-key");
        var cancelled = await first.CancelAsync("order-97ba90");

        Assert.True(firstSent.IsSuccess);
        Assert.Equal((NovuOutcomeKind.Terminal, 422), (reused.Kind, reused.HttpStatus));
        Assert.True(sameIdOtherKey.IsSuccess);
        Assert.True(cancelled.Value);
        // Acknowledged but ignored, as Novu ignores a trigger whose transactionId it already has.
        var events = await _emulator.EventsAsync("?transactionId=order-97ba90");
        Assert.Equal("ann", (string?)Assert.Single(events)!["subscriberIds"]![0]);
        Assert.True((bool)events[0]!["cancelled"]!);
    }

    [Fact]
    public async Task Deleting_an_unknown_subscriber_or_workflow_is_a_terminal_404_and_needs_the_key()
    {
        var client = _emulator.CreateClient();

        var subscriber = await client.Subscribers.DeleteAsync("nobody");
        var workflow = await client.Workflows.DeleteAsync("no-such-workflow");
        var unauthorized = await _emulator.CreateClient(secretKey: "not-the-key").Subscribers.DeleteAsync("nobody");

        Assert.Equal((NovuOutcomeKind.Terminal, 404), (subscriber.Kind, subscriber.HttpStatus));
        Assert.Equal((NovuOutcomeKind.Terminal, 404), (workflow.Kind, workflow.HttpStatus));
        Assert.Equal(401, unauthorized.HttpStatus);
    }

    [Fact]
    public async Task Wrong_secret_key_is_a_terminal_401_in_novus_error_shape()
    {
        var client = _emulator.CreateClient(secretKey: "not-the-key");

        var outcome = await client.TriggerAsync(NovuClientFactory.Event("tx-401"));
        using var raw = await _emulator.SendAsync(HttpMethod.Get, "/v2/subscribers/x", secretKey: "not-the-key");

        Assert.Equal((NovuOutcomeKind.Terminal, 401), (outcome.Kind, outcome.HttpStatus));
        var body = (await raw.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(401, (int)body["statusCode"]!);
        Assert.Equal("/v2/subscribers/x", (string?)body["path"]);
        Assert.NotNull(body["timestamp"]);
        Assert.NotNull(body["message"]);
        Assert.Empty(await _emulator.EventsAsync());
    }

    [Fact]
    public async Task Payload_over_512_KB_is_a_terminal_413()
    {
        var client = _emulator.CreateClient();
        var big = new JsonObject { ["blob"] = new string('x', (512 * 1024) + 1) };

        var outcome = await client.TriggerAsync(NovuClientFactory.Event("tx-413") with { Payload = JsonSerializer.SerializeToElement(big) });

        Assert.Equal((NovuOutcomeKind.Terminal, 413), (outcome.Kind, outcome.HttpStatus));
        Assert.Empty(await _emulator.EventsAsync());
    }

    [Fact]
    public async Task More_than_100_recipients_is_a_terminal_422()
    {
        var client = _emulator.CreateClient();

        var outcome = await client.TriggerAsync(NovuClientFactory.Event("tx-422") with
        {
            To = [.. Enumerable.Range(0, 101).Select(i => NovuRecipient.Id($"sub-{i}"))],
        });

        Assert.Equal((NovuOutcomeKind.Terminal, 422), (outcome.Kind, outcome.HttpStatus));
        Assert.Empty(await _emulator.EventsAsync());
    }

    [Fact]
    public async Task Unknown_workflow_is_a_terminal_422()
    {
        var client = _emulator.CreateClient();

        var outcome = await client.TriggerAsync(NovuClientFactory.Event("tx-wf", EmulatorHost.UnknownWorkflow));

        Assert.Equal((NovuOutcomeKind.Terminal, 422), (outcome.Kind, outcome.HttpStatus));
        Assert.Contains("workflow_not_found", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_name_and_to_are_a_422_listing_each_field()
    {
        using var response = await _emulator.SendAsync(HttpMethod.Post, "/v1/events/trigger", """{"payload":{}}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal(["name", "to"], errors.Select(e => e.Key).Order());
    }

    [Fact]
    public async Task Replayed_trigger_records_one_event_and_is_flagged_as_a_replay()
    {
        var client = _emulator.CreateClient();
        var request = NovuClientFactory.Event("tx-replay");

        var first = await client.TriggerAsync(request);
        var second = await client.TriggerAsync(request);

        Assert.True(first.IsSuccess);
        Assert.False(first.IdempotencyReplayed);
        Assert.True(second.IsSuccess);
        Assert.True(second.IdempotencyReplayed);
        Assert.Single(await _emulator.EventsAsync());
        var requests = await _emulator.RequestsAsync();
        Assert.Equal([false, true], requests.Select(r => (bool)r!["idempotencyReplay"]!));
    }

    [Fact]
    public async Task Same_idempotency_key_with_another_body_is_a_terminal_422()
    {
        var client = _emulator.CreateClient();

        await client.TriggerAsync(NovuClientFactory.Event("tx-a"), "shared-key");
        var reused = await client.TriggerAsync(NovuClientFactory.Event("tx-b"), "shared-key");

        Assert.Equal((NovuOutcomeKind.Terminal, 422), (reused.Kind, reused.HttpStatus));
        Assert.Single(await _emulator.EventsAsync());
    }

    [Fact]
    public async Task Idempotency_key_over_255_characters_is_a_400()
    {
        using var response = await _emulator.SendAsync(HttpMethod.Post, "/v1/events/trigger", """{"name":"w","to":"s"}""", new string('k', 256));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Fault_503_is_retryable_records_nothing_and_wears_off()
    {
        var client = _emulator.CreateClient();
        await _emulator.AddFaultAsync(new { statusCode = 503, count = 1 });

        var failed = await client.TriggerAsync(NovuClientFactory.Event("tx-503"));
        Assert.Empty(await _emulator.EventsAsync());
        var retried = await client.TriggerAsync(NovuClientFactory.Event("tx-503"));

        Assert.Equal((NovuOutcomeKind.Retryable, 503), (failed.Kind, failed.HttpStatus));
        Assert.True(retried.IsSuccess);
        Assert.False(retried.IdempotencyReplayed);
        Assert.Single(await _emulator.EventsAsync());
    }

    [Fact]
    public async Task Fault_429_is_retryable_after_its_Retry_After_and_the_client_waits_that_long()
    {
        var client = _emulator.CreateClient();
        await _emulator.AddFaultAsync(new { retryAfterSeconds = 1, count = 1, paths = new[] { "/v1/events/trigger" } });

        var limited = await client.TriggerAsync(NovuClientFactory.Event("tx-429"));
        var next = await client.TriggerAsync(NovuClientFactory.Event("tx-429"));

        Assert.Equal((NovuOutcomeKind.Retryable, 429), (limited.Kind, limited.HttpStatus));
        Assert.Equal(TimeSpan.FromSeconds(1), limited.RetryAfter);
        Assert.True(next.IsSuccess);
        var times = (await _emulator.RequestsAsync()).Select(r => r!["time"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.True(times[1] - times[0] >= TimeSpan.FromSeconds(0.95), $"second call came after {times[1] - times[0]}");
    }

    [Fact]
    public async Task Fault_novu_status_is_a_terminal_201_and_records_nothing()
    {
        var client = _emulator.CreateClient();
        await _emulator.AddFaultAsync(new { novuStatus = "trigger_not_active", count = 1 });

        var outcome = await client.TriggerAsync(NovuClientFactory.Event("tx-inactive"));

        Assert.Equal((NovuOutcomeKind.Terminal, 201), (outcome.Kind, outcome.HttpStatus));
        Assert.Equal("trigger_not_active", outcome.NovuStatus);
        Assert.Empty(await _emulator.EventsAsync());
    }

    [Fact]
    public async Task Fault_latency_beyond_the_client_timeout_is_retryable()
    {
        var client = _emulator.CreateClient(timeout: TimeSpan.FromMilliseconds(200));
        await _emulator.AddFaultAsync(new { latencyMs = 1000, count = 1 });

        var outcome = await client.TriggerAsync(NovuClientFactory.Event("tx-slow"));

        Assert.Equal(NovuOutcomeKind.Retryable, outcome.Kind);
        Assert.Null(outcome.HttpStatus);
    }

    [Fact]
    public async Task Unreachable_Novu_is_retryable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var client = _emulator.CreateClient(apiUrl: new Uri($"http://127.0.0.1:{port}"));

        var outcome = await client.TriggerAsync(NovuClientFactory.Event("tx-down"));

        Assert.Equal(NovuOutcomeKind.Retryable, outcome.Kind);
        Assert.Null(outcome.HttpStatus);
    }

    [Fact]
    public async Task Invalid_fault_is_a_validation_problem()
    {
        using var response = await _emulator.Http.PostAsJsonAsync("/emulator/faults", new { rate = 2.0 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Health_endpoints_answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await _emulator.Http.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _emulator.Http.GetAsync("/alive")).StatusCode);
    }

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
