using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Digests;

/// <summary>Digests as a workflow setting: durable buckets in PostgreSQL, flushed once by the dispatchers.</summary>
[Collection(AppCollection.Name)]
public sealed class DigestTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    [Fact]
    public async Task Five_triggers_in_the_same_second_become_one_event_showing_all_five_and_another_nested_key_value_gets_its_own()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await DigestWorkflowAsync(enterprise.Client, new { type = "regular", amount = 10, unit = "seconds", digestKey = "issue.id" });
        var subscriber = TriggerApi.Subscriber();

        // All at once, so that both dispatcher replicas claim them in the same second.
        var triggers = Enumerable.Range(1, 5).Select(i => new { name = $"A{i}", issue = new { id = "A" } })
            .Concat(Enumerable.Range(1, 2).Select(i => new { name = $"B{i}", issue = new { id = "B" } }))
            .Select(payload => enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, payload)));
        var accepted = await Task.WhenAll(triggers);
        var states = await Task.WhenAll(accepted.Select(a => Harness.WaitForStatusAsync(a.Id(), "SENT")));

        var events = await Harness.EventsAsync(subscriberId: Novu(enterprise.Id, subscriber));
        Assert.Equal(2, events.Count);
        var bodies = events.Select(e => (string)e!["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["body"]!).OrderBy(b => b.Length).ToList();
        Assert.Equal("<p>[B1][B2] count=2</p>", Sorted(bodies[0]));
        Assert.Equal("<p>[A1][A2][A3][A4][A5] count=5</p>", Sorted(bodies[1]));
        Assert.Equal("5 updates", events.Select(e => (string)e!["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["subject"]!).Max());
        Assert.All(states, s => Assert.Equal(["SENT"], s.DeliveryStatuses));
    }

    [Fact]
    public async Task A_cancelled_notification_leaves_its_bucket()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await DigestWorkflowAsync(enterprise.Client, new { type = "regular", amount = 4, unit = "seconds" });
        var subscriber = TriggerApi.Subscriber();

        var first = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = "A1" }));
        var second = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = "A2" }));
        var third = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = "A3" }));
        await Harness.WaitForStatusAsync(second.Id(), "PROCESSING");
        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/notifications/{second.Id()}/cancel", new { reason = "changed my mind" });
        await Harness.WaitForStatusAsync(first.Id(), "SENT");
        await Harness.WaitForStatusAsync(third.Id(), "SENT");

        var sent = Assert.Single(await Harness.EventsAsync(subscriberId: Novu(enterprise.Id, subscriber)))!;
        Assert.Equal("<p>[A1][A3] count=2</p>", (string)sent["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["body"]!);
        Assert.Equal("RETRACTED", (string)(await enterprise.Client.NotificationAsync(second.Id()))["status"]!);
    }

    [Fact]
    public async Task A_dispatcher_that_dies_after_committing_the_flush_loses_nothing_and_its_successor_sends_it_once()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await DigestWorkflowAsync(enterprise.Client, new { type = "regular", amount = 1, unit = "hours" });
        var subscriber = TriggerApi.Subscriber();
        var novuSubscriber = Novu(enterprise.Id, subscriber);
        var accepted = await Task.WhenAll(Enumerable.Range(1, 4).Select(i =>
            enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = $"A{i}" }))));
        await Eventually.WaitForAsync(() => JoinedAsync(enterprise.Id), joined => joined == 4, TimeSpan.FromSeconds(30), "four events in the bucket");

        // A dispatcher that claimed the first delivery when the window ended, committed the flush (the bucket is
        // closed and names that delivery as its sender) and died before its Novu call: its lease has run out.
        await using (var connection = await fixture.OpenOwnerConnectionAsync())
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await connection.ExecuteAsync(
                """
                SELECT set_config('app.current_enterprise_id', @enterpriseId::text, true);
                UPDATE notify.digest_bucket SET flush_at = now() WHERE enterprise_id = @enterpriseId;
                UPDATE notify.ent_notification_delivery
                SET status = 'PROCESSING', lease_owner = 'dead-replica', lease_expires_at = now() - interval '1 second',
                    claim_id = gen_random_uuid(), attempts = attempts + 1
                WHERE id = (SELECT min(id) FROM notify.ent_notification_delivery WHERE enterprise_id = @enterpriseId);
                UPDATE notify.ent_notification_delivery SET next_attempt_at = now()
                WHERE enterprise_id = @enterpriseId AND status = 'PENDING';
                SELECT count(*) FROM notify.digest_step((
                    SELECT jsonb_agg(jsonb_build_object('deliveryId', d.id, 'workflowKey', @workflow, 'subscriberId', @subscriber,
                                                        'keyValue', '', 'flushAt', now(), 'maxEvents', 100))
                    FROM notify.ent_notification_delivery d
                    WHERE d.id = (SELECT min(id) FROM notify.ent_notification_delivery WHERE enterprise_id = @enterpriseId)));
                """,
                new { enterpriseId = enterprise.Id, workflow, subscriber }, transaction);
            await transaction.CommitAsync();
        }

        foreach (var a in accepted)
        {
            await Harness.WaitForStatusAsync(a.Id(), "SENT");
        }

        var sent = Assert.Single(await Harness.EventsAsync(subscriberId: novuSubscriber))!;
        Assert.Equal("<p>[A1][A2][A3][A4] count=4</p>", Sorted((string)sent["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["body"]!));
        // Sent under one of its members' transaction ids (the bucket's sender's), whichever was claimed first.
        Assert.Contains((string)sent["transactionId"]!, accepted.Select(a => (string)a["transactionId"]!));
    }

    [Fact]
    public async Task Bad_digest_settings_are_refused_naming_the_field_and_write_nothing()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await enterprise.Client.WorkflowAsync(publish: true);
        var url = $"/api/workflows/{workflow}/digest";

        var noType = await enterprise.Client.SendAsync(HttpMethod.Put, url, new { amount = 5, unit = "seconds" });
        var badUnit = await enterprise.Client.SendAsync(HttpMethod.Put, url, new { type = "regular", amount = 5, unit = "fortnights" });
        var badCron = await enterprise.Client.SendAsync(HttpMethod.Put, url, new { type = "timed", cron = "every day" });
        var badKey = await enterprise.Client.SendAsync(HttpMethod.Put, url, new { type = "regular", amount = 5, unit = "seconds", digestKey = "issue..id" });
        var badMax = await enterprise.Client.SendAsync(HttpMethod.Put, url, new { type = "regular", amount = 5, unit = "seconds", maxEvents = 0 });
        var unknown = await enterprise.Client.SendAsync(HttpMethod.Put, "/api/workflows/nope/digest", new { type = "regular", amount = 5, unit = "seconds" });

        Assert.Contains("type", (await noType.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation")).Select(e => e.Key));
        Assert.Contains("unit", (await badUnit.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation")).Select(e => e.Key));
        Assert.Contains("cron", (await badCron.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation")).Select(e => e.Key));
        Assert.Contains("digestKey", (await badKey.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation")).Select(e => e.Key));
        Assert.Contains("maxEvents", (await badMax.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation")).Select(e => e.Key));
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound, "https://xnovu.dev/problems/not-found");
        await (await enterprise.Client.GetAsync(new Uri(url, UriKind.Relative))).AssertProblemAsync(HttpStatusCode.NotFound, "https://xnovu.dev/problems/not-found");
    }

    private static string Novu(Guid enterpriseId, string subscriber) => XNovu.Core.Novu.NovuNames.SubscriberId(enterpriseId, subscriber);

    /// <summary>The events in name order: events of the same second are in delivery id order, which concurrent triggers do not fix.</summary>
    private static string Sorted(string body)
    {
        var start = body.IndexOf('[', StringComparison.Ordinal);
        var end = body.LastIndexOf(']') + 1;
        var items = body[start..end].Split(']', StringSplitOptions.RemoveEmptyEntries).Select(i => i + "]").Order(StringComparer.Ordinal);
        return body[..start] + string.Concat(items) + body[end..];
    }

    private async Task<long> JoinedAsync(Guid enterpriseId)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM notify.digest_event WHERE enterprise_id = @enterpriseId", new { enterpriseId });
    }

    private static async Task<string> DigestWorkflowAsync(HttpClient client, object digest)
    {
        var template = Key("digest-tpl");
        await client.CreateAsync("/api/templates", Template(template, "EMAIL",
            body: "<p>{% for e in digest.events %}[{{ e.payload.name }}]{% endfor %} count={{ digest.eventCount }}</p>",
            subject: "{{ digest.eventCount }} updates"));
        await client.OkAsync(HttpMethod.Post, $"/api/templates/{template}/publish");
        var key = Key("digest-wf");
        await client.CreateAsync("/api/workflows", Workflow(key, ["EMAIL"], new() { ["EMAIL"] = template },
            payloadSchema: new { type = "object" }));
        await client.OkAsync(HttpMethod.Post, $"/api/workflows/{key}/publish");
        var set = await client.OkAsync(HttpMethod.Put, $"/api/workflows/{key}/digest", digest);
        Assert.Equal(key, (string)set["workflowKey"]!);
        return key;
    }
}
