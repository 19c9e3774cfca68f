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
        await Eventually.WaitForAsync(() => JoinedAsync(enterprise.Id), joined => joined == 4, TimeSpan.FromSeconds(30), "four events in the bucket, their joins recorded");

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
    public async Task A_bucket_filled_to_max_events_is_sent_at_once_and_its_waiting_members_report_it_within_seconds_not_at_the_window_s_end()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await DigestWorkflowAsync(enterprise.Client, new { type = "regular", amount = 1, unit = "hours", maxEvents = 3 });
        var subscriber = TriggerApi.Subscriber();

        // Two events join and wait for the window's end, an hour on; the third fills the bucket.
        var first = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = "M1" }));
        var second = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = "M2" }));
        await Eventually.WaitForAsync(() => JoinedAsync(enterprise.Id), joined => joined == 2, TimeSpan.FromSeconds(30), "two events in the bucket, their joins recorded");
        var third = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = "M3" }));

        // All three are SENT within seconds: the first two no longer wait for the hour (their PENDING rows were due then).
        foreach (var member in new[] { third, first, second })
        {
            await Harness.WaitForStatusAsync(member.Id(), "SENT", TimeSpan.FromSeconds(30));
        }

        var sent = Assert.Single(await Harness.EventsAsync(subscriberId: Novu(enterprise.Id, subscriber)))!;
        Assert.Equal("<p>[M1][M2][M3] count=3</p>", Sorted((string)sent["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["body"]!));
    }

    [Fact]
    public async Task A_members_wait_recorded_after_its_bucket_closed_early_ends_with_the_bucket_not_at_the_window_s_end()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await DigestWorkflowAsync(enterprise.Client, new { type = "regular", amount = 1, unit = "hours", maxEvents = 5 });
        var subscriber = TriggerApi.Subscriber();
        var member = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = "W1" }));
        await Eventually.WaitForAsync(() => JoinedAsync(enterprise.Id), joined => joined == 1, TimeSpan.FromSeconds(30), "the event in the bucket, its join recorded");

        // As a replica records the member's wait (the window's end, as digest_step saw it) after another replica's join
        // closed the bucket early: the wait ends with the bucket, now, not in an hour.
        await using (var connection = await fixture.OpenOwnerConnectionAsync())
        {
            await connection.ExecuteAsync(
                """
                UPDATE notify.digest_bucket SET closed = true, flush_at = now() WHERE enterprise_id = @enterpriseId;
                UPDATE notify.ent_notification_delivery SET status = 'PROCESSING', lease_owner = 'late-recorder', lease_expires_at = now() + interval '1 minute'
                WHERE enterprise_id = @enterpriseId;
                """, new { enterpriseId = enterprise.Id });
            Assert.Equal(1, await connection.ExecuteScalarAsync<int>(
                """
                SELECT notify.complete_deliveries('late-recorder', (
                    SELECT jsonb_agg(jsonb_build_object('id', d.id, 'outcome', 'digest', 'retryAt', now() + interval '1 hour'))
                    FROM notify.ent_notification_delivery d WHERE d.enterprise_id = @enterpriseId))
                """, new { enterpriseId = enterprise.Id }));
            var due = await connection.ExecuteScalarAsync<DateTime>(
                "SELECT next_attempt_at FROM notify.ent_notification_delivery WHERE enterprise_id = @enterpriseId", new { enterpriseId = enterprise.Id });
            Assert.True(due < DateTime.UtcNow.AddMinutes(1), $"the member waits until {due:O}, the window's end, though its bucket closed");
        }

        await Harness.WaitForStatusAsync(member.Id(), "SENT", TimeSpan.FromSeconds(30));
        var sent = Assert.Single(await Harness.EventsAsync(subscriberId: Novu(enterprise.Id, subscriber)))!;
        Assert.Equal("<p>[W1] count=1</p>", (string)sent["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["body"]!);
    }

    [Fact]
    public async Task With_a_look_back_window_the_first_event_is_sent_at_once_and_those_that_follow_it_are_digested()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await DigestWorkflowAsync(enterprise.Client,
            new { type = "regular", amount = 3, unit = "seconds", lookBackWindow = new { amount = 60, unit = "seconds" } });
        var subscriber = TriggerApi.Subscriber();

        var first = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = "A1" }));
        await Harness.WaitForStatusAsync(first.Id(), "SENT");
        var alone = Assert.Single(await Harness.EventsAsync(subscriberId: Novu(enterprise.Id, subscriber)))!;
        var second = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = "A2" }));
        var third = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = "A3" }));
        await Harness.WaitForStatusAsync(second.Id(), "SENT");
        await Harness.WaitForStatusAsync(third.Id(), "SENT");

        Assert.Contains("[A1]", (string)alone["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["body"]!, StringComparison.Ordinal);
        var events = await Harness.EventsAsync(subscriberId: Novu(enterprise.Id, subscriber));
        Assert.Equal(2, events.Count);
        Assert.Equal("<p>[A2][A3] count=2</p>", Sorted((string)events.Single(e => (string)e!["transactionId"]! != (string)alone["transactionId"]!)!
            ["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["body"]!));
    }

    [Fact]
    public async Task A_timed_digest_sends_its_events_together_at_the_crons_next_time()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await DigestWorkflowAsync(enterprise.Client, new { type = "timed", cron = "* * * * *" });
        var subscriber = TriggerApi.Subscriber();
        var before = DateTimeOffset.UtcNow;
        var nextMinute = new DateTimeOffset(before.Year, before.Month, before.Day, before.Hour, before.Minute, 0, TimeSpan.Zero).AddMinutes(1);

        var first = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = "T1" }));
        var second = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = "T2" }));
        // The next whole minute, then the dispatcher's next claim.
        var sent = await Harness.WaitForStatusAsync(first.Id(), "SENT", TimeSpan.FromSeconds(100));
        await Harness.WaitForStatusAsync(second.Id(), "SENT", TimeSpan.FromSeconds(100));

        var digest = Assert.Single(await Harness.EventsAsync(subscriberId: Novu(enterprise.Id, subscriber)))!;
        Assert.Equal("<p>[T1][T2] count=2</p>", Sorted((string)digest["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["body"]!));
        Assert.True(DateTimeOffset.Parse((string)digest["receivedAt"]!, System.Globalization.CultureInfo.InvariantCulture) >= nextMinute,
            "a timed digest is not sent before the CRON's next time");
        Assert.Equal(["SENT"], sent.DeliveryStatuses);
    }

    [Fact]
    public async Task When_the_digest_send_fails_its_members_fail_too_instead_of_counting_as_sent()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await DigestWorkflowAsync(enterprise.Client, new { type = "regular", amount = 3, unit = "seconds" });
        var subscriber = TriggerApi.Subscriber();

        var accepted = new List<JsonObject>();
        for (var i = 1; i <= 3; i++)
        {
            accepted.Add(await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = $"F{i}" })));
        }

        // Novu refuses every trigger (a terminal 400) while the bucket is flushed.
        await Harness.AddFaultAsync(new { statusCode = 400, durationSeconds = 15, paths = new[] { "/v1/events/trigger" } });
        var states = new List<NotificationState>();
        foreach (var notification in accepted)
        {
            states.Add(await Harness.WaitForStatusAsync(notification.Id(), "FAILED"));
        }

        Assert.All(states, s => Assert.Equal(["FAILED"], s.DeliveryStatuses));
        Assert.Empty(await Harness.EventsAsync(subscriberId: Novu(enterprise.Id, subscriber)));
        var member = (await enterprise.Client.NotificationAsync(accepted[0].Id()))["deliveries"]![0]!;
        Assert.NotEqual("digested", (string?)member["novuStatus"]);
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
        var hugeWindow = await enterprise.Client.SendAsync(HttpMethod.Put, url, new { type = "regular", amount = int.MaxValue, unit = "weeks" });
        var nulCron = await enterprise.Client.SendAsync(HttpMethod.Put, url, new { type = "timed", cron = "0 9 * * *\0" });
        var nulKey = await enterprise.Client.SendAsync(HttpMethod.Put, url, new { type = "regular", amount = 5, unit = "seconds", digestKey = "issue\0id" });

        Assert.Contains("type", (await noType.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation")).Select(e => e.Key));
        Assert.Contains("unit", (await badUnit.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation")).Select(e => e.Key));
        Assert.Contains("cron", (await badCron.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation")).Select(e => e.Key));
        Assert.Contains("digestKey", (await badKey.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation")).Select(e => e.Key));
        Assert.Contains("maxEvents", (await badMax.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation")).Select(e => e.Key));
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound, "https://xnovu.dev/problems/not-found");
        Assert.Contains("amount", (await hugeWindow.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation")).Select(e => e.Key));
        // NUL is refused by the API's body check before any digest rule (400, naming the field).
        Assert.Contains("cron", (await nulCron.AssertProblemAsync(HttpStatusCode.BadRequest, "https://xnovu.dev/problems/malformed-request")).Select(e => e.Key));
        Assert.Contains("digestKey", (await nulKey.AssertProblemAsync(HttpStatusCode.BadRequest, "https://xnovu.dev/problems/malformed-request")).Select(e => e.Key));
        await (await enterprise.Client.GetAsync(new Uri(url, UriKind.Relative))).AssertProblemAsync(HttpStatusCode.NotFound, "https://xnovu.dev/problems/not-found");
    }

    internal static string Novu(Guid enterpriseId, string subscriber) => XNovu.Core.Novu.NovuNames.SubscriberId(enterpriseId, subscriber);

    /// <summary>The events in name order: events of the same second are in delivery id order, which concurrent triggers do not fix.</summary>
    internal static string Sorted(string body)
    {
        var start = body.IndexOf('[', StringComparison.Ordinal);
        var end = body.LastIndexOf(']') + 1;
        var items = body[start..end].Split(']', StringSplitOptions.RemoveEmptyEntries).Select(i => i + "]").Order(StringComparer.Ordinal);
        return body[..start] + string.Concat(items) + body[end..];
    }

    /// <summary>
    /// The events in a bucket whose delivery's join is recorded: back to PENDING until the flush. digest_step commits
    /// the join before the dispatcher records the delivery's 'digest' outcome, and a delivery still PROCESSING then
    /// would miss the dead-replica test's setup and be recorded afterwards as due at the bucket's first flush time, an hour on.
    /// </summary>
    private async Task<long> JoinedAsync(Guid enterpriseId)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            """
            SELECT count(*) FROM notify.digest_event e
            JOIN notify.ent_notification_delivery d ON d.id = e.delivery_id
            WHERE e.enterprise_id = @enterpriseId AND d.status = 'PENDING'
            """, new { enterpriseId });
    }

    internal static async Task<string> DigestWorkflowAsync(HttpClient client, object digest)
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
