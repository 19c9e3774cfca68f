using System.Net;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;
using static XNovu.Tests.Infrastructure.TriggerApi;

namespace XNovu.Tests.Triggers;

[Collection(AppCollection.Name)]
public sealed class TriggerEndpointTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task Trigger_of_a_static_workflow_is_202_with_ids_and_stores_the_notification_with_its_delivery()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var subscriber = Subscriber();

        var answer = await enterprise.Client.PostTriggerAsync(Trigger(to: subscriber, extra: new() { ["tags"] = new[] { "welcome" } }));

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        var accepted = await answer.ReadObjectAsync();
        var id = accepted.Id();
        Assert.True(id > 0);
        Assert.Equal("PENDING", (string?)accepted["status"]);
        Assert.Equal(StaticWorkflow, (string?)accepted["workflowId"]);
        var transactionId = (string)accepted["transactionId"]!;
        Assert.False(string.IsNullOrWhiteSpace(transactionId));
        Assert.Equal($"/api/notifications/{id}", answer.Headers.Location?.OriginalString);

        var stored = await enterprise.Client.NotificationAsync(id);
        Assert.Equal(StaticWorkflow, (string?)stored["workflowId"]);
        Assert.Equal(transactionId, (string?)stored["transactionId"]);
        Assert.Equal("Hello", (string?)stored["payload"]!["body"]);
        Assert.Equal(subscriber, (string?)stored["recipients"]![0]);
        Assert.Equal("welcome", (string?)stored["tags"]![0]);
        var delivery = Assert.Single(stored["deliveries"]!.AsArray())!;
        Assert.Equal(subscriber, (string?)delivery["subscriberId"]);
        Assert.Equal(transactionId, (string?)delivery["transactionId"]);
    }

    [Fact]
    public async Task Trigger_for_three_recipients_of_every_form_creates_three_deliveries_with_their_own_transaction_ids()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var (a, b, c) = (Subscriber(), Subscriber(), Subscriber());
        var to = new object[] { a, new { subscriberId = b, email = "b@example.com", firstName = "Bea", data = new { plan = "pro" } }, c };

        var accepted = await enterprise.Client.AcceptedAsync(Later(to: to));

        var stored = await enterprise.Client.NotificationAsync(accepted.Id());
        var deliveries = stored["deliveries"]!.AsArray();
        Assert.Equal(3, deliveries.Count);
        Assert.Equal([a, b, c], deliveries.Strings("subscriberId"));
        var transactionId = (string)accepted["transactionId"]!;
        Assert.Equal([$"{transactionId}-1", $"{transactionId}-2", $"{transactionId}-3"], deliveries.Strings("transactionId"));
        Assert.All(deliveries, d => Assert.Equal("PENDING", (string?)d!["status"]));
        Assert.Equal("b@example.com", (string?)stored["recipients"]![1]!["email"]);
    }

    [Fact]
    public async Task Original_subscriberId_field_names_the_single_recipient_and_the_callers_transactionId_is_kept()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var subscriber = Subscriber();
        var transactionId = $"caller-{Guid.NewGuid():N}";
        var body = new JsonObject
        {
            ["workflowId"] = StaticWorkflow,
            ["subscriberId"] = subscriber,
            ["enterpriseId"] = enterprise.Id.ToString(),
            ["transactionId"] = transactionId,
            ["payload"] = new JsonObject { ["body"] = "Hello" },
        };

        var accepted = await enterprise.Client.AcceptedAsync(body);

        Assert.Equal(transactionId, (string?)accepted["transactionId"]);
        var stored = await enterprise.Client.NotificationAsync(accepted.Id());
        Assert.Equal(subscriber, (string?)Assert.Single(stored["deliveries"]!.AsArray())!["subscriberId"]);
    }

    [Fact]
    public async Task Trigger_with_a_transactionId_already_used_by_the_enterprise_is_409_and_creates_nothing()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var transactionId = $"dup-{Guid.NewGuid():N}";
        await enterprise.Client.AcceptedAsync(Trigger(extra: new() { ["transactionId"] = transactionId }));

        var again = await enterprise.Client.PostTriggerAsync(Trigger(extra: new() { ["transactionId"] = transactionId }));

        await again.AssertProblemAsync(HttpStatusCode.Conflict, ConflictType);
        Assert.Equal(1, await fixture.CountNotificationsAsync(enterprise.Id));
        // Another enterprise may use the same transaction id.
        var other = await fixture.CreateEnterpriseAsync();
        await other.Client.AcceptedAsync(Trigger(extra: new() { ["transactionId"] = transactionId }));
    }

    [Fact]
    public async Task Trigger_with_unknown_workflow_is_404()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        var answer = await enterprise.Client.PostTriggerAsync(Trigger(workflowId: Key("missing")));

        await answer.AssertProblemAsync(HttpStatusCode.NotFound, NotFoundType);
        Assert.Equal(0, await fixture.CountNotificationsAsync(enterprise.Id));
    }

    [Fact]
    public async Task Trigger_of_another_enterprises_workflow_is_404()
    {
        var a = await fixture.CreateEnterpriseAsync();
        var b = await fixture.CreateEnterpriseAsync();
        var workflow = await a.Client.WorkflowAsync(publish: true);

        var answer = await b.Client.PostTriggerAsync(Trigger(workflowId: workflow, payload: new { name = "Ada" }));

        await answer.AssertProblemAsync(HttpStatusCode.NotFound, NotFoundType);
    }

    [Fact]
    public async Task Trigger_of_own_published_workflow_is_202_and_unpublished_or_deactivated_is_409()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await enterprise.Client.WorkflowAsync(publish: false);

        var draft = await enterprise.Client.PostTriggerAsync(Trigger(workflowId: workflow, payload: new { name = "Ada" }));
        await draft.AssertProblemAsync(HttpStatusCode.Conflict, ConflictType);

        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/workflows/{workflow}/publish");
        var accepted = await enterprise.Client.AcceptedAsync(Trigger(workflowId: workflow, payload: new { name = "Ada" }));
        Assert.Equal(workflow, (string?)accepted["workflowId"]);

        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/workflows/{workflow}/deactivate");
        var deactivated = await enterprise.Client.PostTriggerAsync(Trigger(workflowId: workflow, payload: new { name = "Ada" }));
        await deactivated.AssertProblemAsync(HttpStatusCode.Conflict, ConflictType);
        Assert.Equal(1, await fixture.CountNotificationsAsync(enterprise.Id));
    }

    [Fact]
    public async Task Own_unpublished_workflow_shadows_the_static_one_of_the_same_key()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var template = await enterprise.Client.PublishedTemplateAsync("EMAIL");
        await enterprise.Client.CreateAsync("/api/workflows", Workflow(StaticWorkflow, ["EMAIL"], new() { ["EMAIL"] = template }));

        var answer = await enterprise.Client.PostTriggerAsync(Trigger());

        await answer.AssertProblemAsync(HttpStatusCode.Conflict, ConflictType);
        // Other enterprises still reach the static workflow.
        var other = await fixture.CreateEnterpriseAsync();
        await other.Client.AcceptedAsync(Trigger());
    }

    [Fact]
    public async Task Payload_violating_the_workflows_schema_is_422_listing_each_failing_field()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var template = await enterprise.Client.PublishedTemplateAsync("EMAIL");
        var workflow = Key("wf");
        var schema = new
        {
            type = "object",
            required = new[] { "name", "age" },
            properties = new
            {
                name = new { type = "string" },
                age = new { type = "integer" },
                address = new { type = "object", required = new[] { "city" }, properties = new { city = new { type = "string" } } },
            },
        };
        await enterprise.Client.CreateAsync("/api/workflows", Workflow(workflow, ["EMAIL"], new() { ["EMAIL"] = template }, schema));
        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/workflows/{workflow}/publish");

        var answer = await enterprise.Client.PostTriggerAsync(Trigger(workflowId: workflow, payload: new { age = "old", address = new { } }));

        var errors = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        Assert.Contains("required", errors.FieldError("payload.name"));
        Assert.NotEmpty(errors.FieldError("payload.age"));
        Assert.Contains("required", errors.FieldError("payload.address.city"));
        Assert.False(errors.ContainsKey("payload.age.name"));
        Assert.Equal(0, await fixture.CountNotificationsAsync(enterprise.Id));

        await enterprise.Client.AcceptedAsync(Trigger(workflowId: workflow, payload: new { name = "Ada", age = 36 }));
    }

    [Fact]
    public async Task Static_workflow_payload_schema_is_enforced()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        var answer = await enterprise.Client.PostTriggerAsync(Trigger(payload: new { subject = "no body" }));

        var errors = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        errors.FieldError("payload.body");
    }

    [Fact]
    public async Task Trigger_naming_no_recipient_is_400_when_no_default_subscriber_is_configured()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var body = new JsonObject { ["workflowId"] = StaticWorkflow, ["payload"] = new JsonObject { ["body"] = "Hello" } };

        var answer = await enterprise.Client.PostTriggerAsync(body);

        var errors = await answer.AssertProblemAsync(HttpStatusCode.BadRequest, MalformedType);
        Assert.Contains("default subscriber", errors.FieldError("to"));
    }

    [Fact]
    public async Task Payload_over_512_KB_is_413_and_creates_nothing()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var body = Trigger(payload: new { body = new string('x', 512 * 1024) });

        var answer = await enterprise.Client.PostTriggerAsync(body);

        await answer.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, PayloadTooLargeType);
        Assert.Equal(0, await fixture.CountNotificationsAsync(enterprise.Id));
    }

    [Fact]
    public async Task Body_over_the_request_limit_is_413()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        // Expect: 100-continue lets the server refuse on Content-Length before the body is sent, so the 413
        // cannot race the upload and surface as a broken pipe.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/trigger")
        {
            Content = new StringContent(Trigger(payload: new { body = new string('x', 2 * 1024 * 1024) }).ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.ExpectContinue = true;
        var answer = await enterprise.Client.SendAsync(request);

        await answer.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, PayloadTooLargeType);
    }

    [Fact]
    public async Task EnterpriseId_of_another_enterprise_is_403()
    {
        var a = await fixture.CreateEnterpriseAsync();
        var b = await fixture.CreateEnterpriseAsync();

        var answer = await a.Client.PostTriggerAsync(Trigger(extra: new() { ["enterpriseId"] = b.Id }));

        await answer.AssertProblemAsync(HttpStatusCode.Forbidden, ForbiddenType);
        Assert.Equal(0, await fixture.CountNotificationsAsync(a.Id));
        Assert.Equal(0, await fixture.CountNotificationsAsync(b.Id));
    }

    [Theory]
    [InlineData("""{"to": "s-1", "payload": {}}""", "workflowId")]
    [InlineData("""{"workflowId": "default-email", "to": 42, "payload": {"body": "x"}}""", "to")]
    [InlineData("""{"workflowId": "default-email", "to": [], "payload": {"body": "x"}}""", "to")]
    [InlineData("""{"workflowId": "default-email", "to": [{"email": "a@example.com"}], "payload": {"body": "x"}}""", "to[0].subscriberId")]
    [InlineData("""{"workflowId": "default-email", "to": "s-1", "subscriberId": "s-2", "payload": {"body": "x"}}""", "to")]
    [InlineData("""{"workflowId": "default-email", "to": "s-1", "payload": [1, 2]}""", "payload")]
    [InlineData("""{"workflowId": "default-email", "to": "s-1", "payload": {"body": "x"}, "scheduledFor": "soon"}""", "scheduledFor")]
    [InlineData("""{"workflowId": "default-email", "to": "s-1", "payload": {"body": "x"}, "tags": [""]}""", "tags[0]")]
    public async Task Malformed_trigger_is_400_naming_the_field(string json, string field)
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        var answer = await enterprise.Client.PostJsonAsync("/api/trigger", json);

        var errors = await answer.AssertProblemAsync(HttpStatusCode.BadRequest, MalformedType);
        errors.FieldError(field);
    }

    [Fact]
    public async Task More_than_100_recipients_is_400_and_invalid_json_is_400()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        var tooMany = await enterprise.Client.PostTriggerAsync(Trigger(to: Enumerable.Range(0, 101).Select(i => $"s-{i}").ToArray()));
        var broken = await enterprise.Client.PostJsonAsync("/api/trigger", """{"workflowId": "default-email",""");

        (await tooMany.AssertProblemAsync(HttpStatusCode.BadRequest, MalformedType)).FieldError("to");
        await broken.AssertProblemAsync(HttpStatusCode.BadRequest, MalformedType);
    }

    [Fact]
    public async Task Unknown_category_or_priority_code_is_422_and_known_codes_are_stored()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var category = Key("cat");
        var priority = Key("prio");
        await enterprise.Client.CreateAsync("/api/categories", new { code = category, name = "Category" });
        await enterprise.Client.CreateAsync("/api/priorities", new { code = priority, name = "Priority" });

        var unknown = await enterprise.Client.PostTriggerAsync(Trigger(extra: new() { ["categoryCode"] = "nope", ["priorityCode"] = "nope" }));
        var known = await enterprise.Client.AcceptedAsync(Trigger(extra: new() { ["categoryCode"] = category, ["priorityCode"] = priority }));

        var errors = await unknown.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        errors.FieldError("categoryCode");
        errors.FieldError("priorityCode");
        var stored = await enterprise.Client.NotificationAsync(known.Id());
        Assert.Equal(category, (string?)stored["categoryCode"]);
        Assert.Equal(priority, (string?)stored["priorityCode"]);
    }

    [Fact]
    public async Task Trigger_without_a_key_is_401()
    {
        using var anonymous = fixture.CreateHttpClient("api");

        var answer = await anonymous.PostTriggerAsync(Trigger());

        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
    }
}
