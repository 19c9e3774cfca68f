using System.Text.Json.Nodes;
using Dapper;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Digests;

/// <summary>
/// The digest's races as production meets them: events of one digest key arriving in the same second through two
/// API processes, and the dispatchers killed (not simulated) while a flushed digest is on its way to Novu.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class DigestRaceTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    [Fact]
    public async Task Events_of_one_key_in_the_same_second_through_two_API_replicas_become_one_event_none_lost_none_twice()
    {
        await using var second = await ApiReplica.StartAsync(fixture, TimeSpan.FromSeconds(90));
        var enterprise = await fixture.CreateEnterpriseAsync();
        using var secondClient = second.CreateHttpClient(enterprise.ApiKey);
        var workflow = await DigestTests.DigestWorkflowAsync(enterprise.Client, new { type = "regular", amount = 10, unit = "seconds", digestKey = "issue.id" });
        var subscriber = TriggerApi.Subscriber();
        // Both replicas know the workflow before the race (each keeps its own lookups).
        await secondClient.AcceptedAsync(TriggerApi.Trigger(workflow, TriggerApi.Subscriber(), new { name = "warm", issue = new { id = "W" } }));

        // Ten events of one key, half through each API, released together: same second, two commits racing.
        using var start = new SemaphoreSlim(0);
        var sends = Enumerable.Range(1, 10).Select(async i =>
        {
            await start.WaitAsync();
            var client = i % 2 == 0 ? secondClient : enterprise.Client;
            return await client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = $"E{i:00}", issue = new { id = "A" } }));
        }).ToList();
        start.Release(sends.Count);
        var accepted = await Task.WhenAll(sends);
        Assert.Equal(10, accepted.Select(a => a.Id()).Distinct().Count());
        await using (var connection = await fixture.OpenOwnerConnectionAsync())
        {
            var seconds = await connection.QueryAsync<DateTime>(
                "SELECT date_trunc('second', created_at) FROM notify.ent_notification WHERE id = ANY(@ids)",
                new { ids = accepted.Select(a => a.Id()).ToArray() });
            Assert.True(seconds.Distinct().Count() <= 2, "the triggers were stored within a second or two of each other");
        }

        var states = new List<NotificationState>();
        foreach (var a in accepted)
        {
            states.Add(await Harness.WaitForStatusAsync(a.Id(), "SENT", TimeSpan.FromSeconds(60)));
        }

        var events = await Harness.EventsAsync(subscriberId: DigestTests.Novu(enterprise.Id, subscriber));
        var sent = Assert.Single(events)!;
        var body = (string)sent["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["body"]!;
        Assert.Equal("<p>" + string.Concat(Enumerable.Range(1, 10).Select(i => $"[E{i:00}]")) + " count=10</p>", DigestTests.Sorted(body));
        Assert.All(states, s => Assert.Equal(["SENT"], s.DeliveryStatuses));
        Assert.Single(await BucketsAsync(enterprise.Id, subscriber));
    }

    [Fact]
    public async Task Dispatchers_killed_while_a_flushed_digest_is_on_its_way_to_Novu_lose_nothing_and_send_it_once()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await DigestTests.DigestWorkflowAsync(enterprise.Client, new { type = "regular", amount = 3, unit = "seconds" });
        var subscriber = TriggerApi.Subscriber();
        var novuSubscriber = DigestTests.Novu(enterprise.Id, subscriber);
        // Novu answers this subscriber's triggers only after 20 s: the flushing dispatcher is inside that call when it dies.
        await Harness.AddFaultAsync(new { latencyMs = 20_000, durationSeconds = 40, paths = new[] { "/v1/events/trigger" }, bodyContains = novuSubscriber });
        var accepted = await Task.WhenAll(Enumerable.Range(1, 4).Select(i =>
            enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = $"K{i}" }))));

        // The bucket is closed and its sender claimed: the digest is being sent.
        await Eventually.WaitForAsync(() => FlushingAsync(enterprise.Id), flushing => flushing, TimeSpan.FromSeconds(60), "the digest flushed and its send under way");
        await Task.Delay(TimeSpan.FromSeconds(1));
        await Harness.KillAndRestartDispatchersAsync();
        await Harness.ClearFaultsAsync();

        var states = new List<NotificationState>();
        foreach (var a in accepted)
        {
            states.Add(await Harness.WaitForStatusAsync(a.Id(), "SENT", TimeSpan.FromSeconds(90)));
        }

        var sent = Assert.Single(await Harness.EventsAsync(subscriberId: novuSubscriber))!;
        Assert.Equal("<p>[K1][K2][K3][K4] count=4</p>", DigestTests.Sorted((string)sent["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["body"]!));
        Assert.All(states, s => Assert.Equal(["SENT"], s.DeliveryStatuses));
        Assert.Single(await BucketsAsync(enterprise.Id, subscriber));
    }

    private async Task<bool> FlushingAsync(Guid enterpriseId)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        return await connection.ExecuteScalarAsync<bool>(
            """
            SELECT EXISTS (SELECT 1 FROM notify.digest_bucket b
                           JOIN notify.ent_notification_delivery d ON d.id = b.flushed_by
                           WHERE b.enterprise_id = @enterpriseId AND b.closed AND d.status = 'PROCESSING')
            """,
            new { enterpriseId });
    }

    private async Task<List<long>> BucketsAsync(Guid enterpriseId, string subscriber)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        return (await connection.QueryAsync<long>(
            "SELECT id FROM notify.digest_bucket WHERE enterprise_id = @enterpriseId AND subscriber_id = @subscriber",
            new { enterpriseId, subscriber })).AsList();
    }
}
