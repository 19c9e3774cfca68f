using System.Net;
using Dapper;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.TriggerApi;

namespace XNovu.Tests.Triggers;

/// <summary>
/// Single triggers that arrive together share one commit (XNovu:Triggers:Commit), and each is still answered
/// 202 only after that commit, with its own notification; one refused at the database fails alone.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class CommitCoalescingTests(XNovuAppFixture fixture)
{
    private const int Concurrent = 40;

    [Fact]
    public async Task Single_triggers_arriving_together_share_commits_and_each_is_answered_its_own_stored_notification()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var subscribers = Enumerable.Range(0, Concurrent).Select(_ => Subscriber()).ToList();

        var answers = await Task.WhenAll(subscribers.Select(s =>
            enterprise.Client.AcceptedAsync(Later(to: new { subscriberId = s, email = $"{s}@example.com" }))));

        var ids = answers.Select(a => a.Id()).ToList();
        Assert.Equal(Concurrent, ids.Distinct().Count());
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        var stored = (await connection.QueryAsync<(long Id, string Recipients, string TransactionId, long Deliveries, string Xmin)>(
            """
            SELECT n.id, n.recipients::text, n.transaction_id,
                   (SELECT count(*) FROM notify.ent_notification_delivery d WHERE d.notification_id = n.id), n.xmin::text
            FROM notify.ent_notification n WHERE n.enterprise_id = @enterpriseId
            """,
            new { enterpriseId = enterprise.Id })).ToDictionary(r => r.Id);
        Assert.Equal(Concurrent, stored.Count);
        foreach (var (answer, subscriber) in answers.Zip(subscribers))
        {
            // Each caller is answered its own row: the id, the transaction id and the recipient all match.
            var row = stored[answer.Id()];
            Assert.Equal((string)answer["transactionId"]!, row.TransactionId);
            Assert.Contains(subscriber, row.Recipients, StringComparison.Ordinal);
            Assert.Equal(1, row.Deliveries);
        }

        // Rows written by one transaction carry its id in xmin: fewer transactions than triggers means shared commits.
        Assert.True(stored.Values.Select(r => r.Xmin).Distinct().Count() < Concurrent, "every trigger was committed alone");
        Assert.Equal(Concurrent, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM notify.subscriber WHERE enterprise_id = @enterpriseId AND subscriber_id = ANY(@subscribers)",
            new { enterpriseId = enterprise.Id, subscribers = subscribers.ToArray() }));
    }

    [Fact]
    public async Task A_trigger_refused_at_the_database_inside_a_shared_commit_is_refused_alone_and_writes_nothing()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var usedTransactionId = $"used-{Guid.NewGuid():N}";
        await enterprise.Client.AcceptedAsync(Trigger(extra: new() { ["transactionId"] = usedTransactionId, ["scheduledFor"] = DateTimeOffset.UtcNow.AddHours(1) }));
        var refusedSubscriber = Subscriber();
        var refused = Trigger(
            to: new { subscriberId = refusedSubscriber, email = "refused@example.com" },
            extra: new() { ["transactionId"] = usedTransactionId, ["scheduledFor"] = DateTimeOffset.UtcNow.AddHours(1) });

        var calls = Enumerable.Range(0, Concurrent).Select(_ => enterprise.Client.PostTriggerAsync(Later())).ToList();
        calls.Insert(Concurrent / 2, enterprise.Client.PostTriggerAsync(refused));
        var answers = await Task.WhenAll(calls);

        Assert.Equal(HttpStatusCode.Conflict, answers[Concurrent / 2].StatusCode);
        Assert.All(answers.Where((_, i) => i != Concurrent / 2), a => Assert.Equal(HttpStatusCode.Accepted, a.StatusCode));
        Assert.Equal(Concurrent + 1, await fixture.CountNotificationsAsync(enterprise.Id));
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM notify.subscriber WHERE enterprise_id = @enterpriseId AND subscriber_id = @refusedSubscriber",
            new { enterpriseId = enterprise.Id, refusedSubscriber }));
    }
}
