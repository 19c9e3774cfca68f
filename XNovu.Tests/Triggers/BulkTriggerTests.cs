using System.Net;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;
using static XNovu.Tests.Infrastructure.TriggerApi;

namespace XNovu.Tests.Triggers;

[Collection(AppCollection.Name)]
public sealed class BulkTriggerTests(XNovuAppFixture fixture)
{
    public static string Events(params JsonNode[] events) =>
        new JsonObject { ["events"] = new JsonArray(events.Select(e => (JsonNode?)e.DeepClone()).ToArray()) }.ToJsonString();

    [Fact]
    public async Task Bulk_of_good_and_bad_events_stores_the_good_and_answers_each_in_order()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var duplicate = $"tx-{Guid.NewGuid():N}";
        var json = Events(
            Later(to: new[] { Subscriber(), Subscriber() }),
            Trigger(workflowId: Key("missing")),
            Trigger(payload: new { subject = "no body" }),
            new JsonObject { ["workflowId"] = StaticWorkflow, ["to"] = 42 },
            Trigger(extra: new() { ["transactionId"] = duplicate }),
            Trigger(extra: new() { ["transactionId"] = duplicate }),
            Trigger(extra: new() { ["enterpriseId"] = Guid.NewGuid() }),
            JsonValue.Create("not an event")!,
            Trigger(extra: new() { ["scheduledFor"] = "later" }),
            Later());

        var answer = await enterprise.Client.PostJsonAsync("/api/trigger/bulk", json);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var body = await answer.ReadObjectAsync();
        var results = body["results"]!.AsArray();
        Assert.Equal(Enumerable.Range(0, 10), results.Select(r => (int)r!["index"]!));
        Assert.Equal([202, 404, 422, 400, 202, 409, 403, 400, 400, 202], results.Select(r => (int)r!["status"]!));
        Assert.Equal(3, (int)body["accepted"]!);
        Assert.Equal(7, (int)body["rejected"]!);
        Assert.Equal(NotFoundType, (string?)results[1]!["error"]!["type"]);
        Assert.True(results[2]!["error"]!["errors"]!.AsObject().ContainsKey("payload.body"));
        Assert.True(results[3]!["error"]!["errors"]!.AsObject().ContainsKey("to"));
        Assert.True(results[8]!["error"]!["errors"]!.AsObject().ContainsKey("scheduledFor"));
        Assert.Equal(duplicate, (string?)results[4]!["transactionId"]);
        Assert.Equal(3, await fixture.CountNotificationsAsync(enterprise.Id));

        var first = await enterprise.Client.NotificationAsync((long)results[0]!["notificationId"]!);
        Assert.Equal(2, first["deliveries"]!.AsArray().Count);
        Assert.Equal((string?)results[0]!["transactionId"], (string?)first["transactionId"]);
        Assert.NotNull(first["scheduledFor"]);
    }

    [Fact]
    public async Task Bulk_event_reusing_a_stored_transactionId_is_409_alone()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var used = $"tx-{Guid.NewGuid():N}";
        await enterprise.Client.AcceptedAsync(Trigger(extra: new() { ["transactionId"] = used }));

        var answer = await enterprise.Client.PostJsonAsync(
            "/api/trigger/bulk", Events(Trigger(), Trigger(extra: new() { ["transactionId"] = used }), Trigger()));

        var results = (await answer.ReadObjectAsync())["results"]!.AsArray();
        Assert.Equal([202, 409, 202], results.Select(r => (int)r!["status"]!));
        Assert.Equal(3, await fixture.CountNotificationsAsync(enterprise.Id));
    }

    [Fact]
    public async Task Bulk_of_1000_events_is_stored_and_more_is_422_storing_nothing()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        // Each event counts against the trigger rate: this enterprise may trigger 2,000 per second (the 1,000 and
        // the refused call that follows at once).
        using (var admin = fixture.CreateAdminClient())
        {
            await admin.OkAsync(HttpMethod.Put, $"/api/admin/enterprises/{enterprise.Id}/rate-limit", new { triggersPerSecond = 2000 });
        }

        var events = Enumerable.Range(0, 1000).Select(i => (JsonNode)Later(payload: new { body = $"event {i}" })).ToArray();

        var full = await enterprise.Client.PostJsonAsync("/api/trigger/bulk", Events(events));
        var tooMany = await enterprise.Client.PostJsonAsync("/api/trigger/bulk", Events([.. events, Later()]));

        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        Assert.Equal(1000, (int)(await full.ReadObjectAsync())["accepted"]!);
        (await tooMany.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType)).FieldError("events");
        Assert.Equal(1000, await fixture.CountNotificationsAsync(enterprise.Id));
    }

    [Fact]
    public async Task Bulk_body_larger_than_the_management_limit_is_accepted()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var big = new string('x', 400 * 1024);
        var json = Events(Later(payload: new { body = big }), Later(payload: new { body = big }), Later(payload: new { body = big }));

        var answer = await enterprise.Client.PostJsonAsync("/api/trigger/bulk", json);

        Assert.True(answer.StatusCode == HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
        Assert.Equal(3, (int)(await answer.ReadObjectAsync())["accepted"]!);
    }

    [Theory]
    [InlineData("""{}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"events": []}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""{"events": {}}""", HttpStatusCode.BadRequest)]
    public async Task Bulk_without_events_is_refused(string json, HttpStatusCode status)
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        var answer = await enterprise.Client.PostJsonAsync("/api/trigger/bulk", json);

        Assert.Equal(status, answer.StatusCode);
    }
}
