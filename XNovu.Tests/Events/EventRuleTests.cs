using XNovu.Core.Novu;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;
using XNovu.Tests.Rules;

namespace XNovu.Tests.Events;

/// <summary><c>POST /api/events</c>: EVENT rules of the caller's enterprise, and only those, fire.</summary>
[Collection(AppCollection.Name)]
public sealed class EventRuleTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    private readonly RuleHarness _rules = new(fixture);

    private static string EventName() => ManagementApi.Key("drill.started");

    private static Task<long> EventRuleAsync(HttpClient client, string workflow, string eventName, string subscriber = "event-sub") =>
        RuleHarness.PublishedRuleAsync(client, workflow, "EVENT", new { eventName },
            new { recipients = new[] { subscriber }, payload = new { name = "Ada", site = new { code = "N", floor = 2 } } });

    [Fact]
    public async Task Event_fires_its_rule_and_the_notification_reaches_novu_with_the_merged_payload()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await enterprise.Client.WorkflowAsync(publish: true);
        var name = EventName();
        var ruleId = await EventRuleAsync(enterprise.Client, workflow, name);

        var answer = await enterprise.Client.PostAsJsonAsync("/api/events", new { name, payload = new { site = new { code = "S" }, extra = 1 } });
        var body = await answer.ReadObjectAsync();
        var created = Assert.Single(body["notifications"]!.AsArray())!;
        var notificationId = (long)created["notificationId"]!;
        var transactionId = (string)created["transactionId"]!;
        await Harness.WaitForStatusAsync(notificationId, "SENT");
        var received = Assert.Single(await Harness.EventsAsync(transactionId))!;

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        Assert.Equal(name, (string?)body["name"]);
        Assert.Equal(ruleId, (long)created["ruleId"]!);
        Assert.Equal(workflow, (string?)created["workflowId"]);
        Assert.Equal(NovuNames.WorkflowId(enterprise.Id, workflow), (string?)received["workflow"]);
        Assert.Equal(NovuNames.SubscriberId(enterprise.Id, "event-sub"), (string?)received["subscriberIds"]![0]);
        var payload = await Harness.PayloadAsync(notificationId);
        Assert.Equal("Ada", (string?)payload["name"]);
        Assert.Equal("S", (string?)payload["site"]!["code"]);
        Assert.Equal(2, (int)payload["site"]!["floor"]!);
        Assert.Equal(1, (int)payload["extra"]!);
        Assert.Equal(ruleId, await _rules.ScalarAsync<long>(
            "SELECT notification_rule_id FROM notify.ent_notification WHERE id = @id", ("id", notificationId)));
    }

    [Fact]
    public async Task Event_fires_every_listening_rule_in_one_answer_and_no_other()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await enterprise.Client.WorkflowAsync(publish: true);
        var name = EventName();
        var first = await EventRuleAsync(enterprise.Client, workflow, name, "first-sub");
        var second = await EventRuleAsync(enterprise.Client, workflow, name, "second-sub");
        var otherEvent = await EventRuleAsync(enterprise.Client, workflow, EventName());
        var deactivated = await EventRuleAsync(enterprise.Client, workflow, name);
        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/rules/{deactivated}/deactivate");
        var draft = (long)(await enterprise.Client.CreateAsync("/api/rules", new
        {
            name = "draft",
            workflowKey = workflow,
            triggerType = "EVENT",
            triggerConfig = new { eventName = name },
        }))["id"]!;

        var answer = await enterprise.Client.PostAsJsonAsync("/api/events", new { name });
        var notifications = (await answer.ReadObjectAsync())["notifications"]!.AsArray();

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        Assert.Equal([first, second], notifications.Select(n => (long)n!["ruleId"]!));
        Assert.Equal(2, notifications.Select(n => (string)n!["transactionId"]!).Distinct().Count());
        Assert.Empty(await _rules.NotificationsAsync(otherEvent));
        Assert.Empty(await _rules.NotificationsAsync(deactivated));
        Assert.Empty(await _rules.NotificationsAsync(draft));
    }

    [Fact]
    public async Task Event_that_no_rule_listens_to_answers_an_empty_list()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        var answer = await enterprise.Client.PostAsJsonAsync("/api/events", new { name = EventName(), payload = new { a = 1 } });

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        Assert.Empty((await answer.ReadObjectAsync())["notifications"]!.AsArray());
    }

    [Fact]
    public async Task Another_enterprise_events_do_not_fire_a_rule()
    {
        var owner = await fixture.CreateEnterpriseAsync();
        var intruder = await fixture.CreateEnterpriseAsync();
        var workflow = await owner.Client.WorkflowAsync(publish: true);
        var name = EventName();
        var ruleId = await EventRuleAsync(owner.Client, workflow, name);

        var answer = await intruder.Client.PostAsJsonAsync("/api/events", new { name });

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        Assert.Empty((await answer.ReadObjectAsync())["notifications"]!.AsArray());
        Assert.Empty(await _rules.NotificationsAsync(ruleId));
    }

    [Fact]
    public async Task Event_without_a_name_is_422()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        var answer = await enterprise.Client.PostAsJsonAsync("/api/events", new { payload = new { a = 1 } });

        var errors = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ManagementApi.ValidationType);
        Assert.Contains("required", errors.FieldError("name"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Event_payload_that_is_not_an_object_is_422()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        var answer = await enterprise.Client.PostAsJsonAsync("/api/events", new { name = "x", payload = new[] { 1, 2 } });

        var errors = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ManagementApi.ValidationType);
        Assert.Contains("object", errors.FieldError("payload"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"name\": ")]
    [InlineData("")]
    [InlineData("[1]")]
    public async Task Malformed_event_body_is_400(string json)
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        var answer = await enterprise.Client.SendRawAsync(HttpMethod.Post, "/api/events", json);

        await answer.AssertProblemAsync(HttpStatusCode.BadRequest, ManagementApi.MalformedType);
    }
}
