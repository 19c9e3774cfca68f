using XNovu.Tests.Infrastructure;
using XNovu.Tests.Rules;

namespace XNovu.Tests.Webhooks;

/// <summary>
/// Retention of the outbound webhooks (issue 28), called as the dispatchers' retention job calls it: finished
/// messages past their age go in batches with their attempts, pending ones and young ones stay; attempts past their
/// age go whatever their message; the poll's spent state goes.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class WebhookRetentionTests(XNovuAppFixture fixture)
{
    private const double ThirtyDays = 30 * 24 * 3600;
    private readonly RuleHarness _db = new(fixture);

    private Task<long> MessageAsync(Guid enterprise, Guid endpoint, string status, string age) => _db.ScalarAsync<long>(
        """
        INSERT INTO notify.ent_webhook_message (enterprise_id, endpoint_id, event_type, payload, status, created_at)
        VALUES (@enterprise, @endpoint, 'notification.sent', '{}', @status, now() - @age::interval)
        RETURNING id
        """,
        ("enterprise", enterprise), ("endpoint", endpoint), ("status", status), ("age", age));

    private Task<long> AttemptAsync(Guid enterprise, Guid endpoint, long message, string age) => _db.ScalarAsync<long>(
        """
        INSERT INTO notify.ent_webhook_attempt (enterprise_id, message_id, endpoint_id, attempt, attempted_at, outcome)
        VALUES (@enterprise, @message, @endpoint, 1, now() - @age::interval, 'delivered')
        RETURNING id
        """,
        ("enterprise", enterprise), ("message", message), ("endpoint", endpoint), ("age", age));

    [Fact]
    public async Task Old_finished_messages_and_old_attempts_go_in_batches_and_young_or_pending_ones_stay()
    {
        var enterprise = (await fixture.CreateEnterpriseAsync()).Id;
        var endpoint = await _db.ScalarAsync<Guid>(
            """
            INSERT INTO notify.ent_webhook_endpoint (enterprise_id, url, event_types, secret)
            VALUES (@enterprise, 'https://hooks.example.com/retention', '{notification.sent}', 'ciphertext')
            RETURNING id
            """,
            ("enterprise", enterprise));
        var oldDelivered = await MessageAsync(enterprise, endpoint, "delivered", "40 days");
        var oldFailed = await MessageAsync(enterprise, endpoint, "failed", "40 days");
        var oldDelivered2 = await MessageAsync(enterprise, endpoint, "delivered", "35 days");
        var oldPending = await MessageAsync(enterprise, endpoint, "pending", "40 days");
        var young = await MessageAsync(enterprise, endpoint, "delivered", "10 days");
        var attemptOfOld = await AttemptAsync(enterprise, endpoint, oldDelivered, "40 days");
        var oldAttemptOfPending = await AttemptAsync(enterprise, endpoint, oldPending, "40 days");
        var youngAttemptOfPending = await AttemptAsync(enterprise, endpoint, oldPending, "1 day");
        await _db.ExecuteAsync(
            """
            INSERT INTO notify.ent_delivery_outcome_poll (delivery_id, enterprise_id, polls, next_poll_at)
            VALUES (-1, @enterprise, 3, now() - interval '3 days'), (-2, @enterprise, 1, now() + interval '1 minute')
            """,
            ("enterprise", enterprise));

        var batches = new List<int>();
        int deleted;
        do
        {
            deleted = await _db.ScalarAsync<int>("SELECT notify.purge_webhook_messages(@age, 2)", ("age", ThirtyDays));
            batches.Add(deleted);
        }
        while (deleted > 0 && batches.Count < 20);
        while (await _db.ScalarAsync<int>("SELECT notify.purge_webhook_attempts(@age, 2)", ("age", ThirtyDays)) > 0)
        {
        }

        var polls = await _db.ScalarAsync<int>("SELECT notify.purge_outcome_polls(@age, 100)", ("age", 2.0 * 24 * 3600));
        var messages = await _db.ScalarAsync<long[]>(
            "SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM notify.ent_webhook_message WHERE endpoint_id = @endpoint", ("endpoint", endpoint));
        var attempts = await _db.ScalarAsync<long[]>(
            "SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM notify.ent_webhook_attempt WHERE endpoint_id = @endpoint", ("endpoint", endpoint));
        var pollsLeft = await _db.ScalarAsync<long[]>(
            "SELECT coalesce(array_agg(delivery_id ORDER BY delivery_id), '{}') FROM notify.ent_delivery_outcome_poll WHERE enterprise_id = @enterprise",
            ("enterprise", enterprise));

        Assert.All(batches, b => Assert.InRange(b, 0, 2));
        Assert.True(batches.Sum() >= 3, $"batches {string.Join(",", batches)}");
        Assert.Equal([oldPending, young], messages);
        Assert.Equal([youngAttemptOfPending], attempts);
        Assert.DoesNotContain(attemptOfOld, attempts);
        Assert.DoesNotContain(oldAttemptOfPending, attempts);
        Assert.DoesNotContain(oldFailed, messages);
        Assert.DoesNotContain(oldDelivered2, messages);
        Assert.True(polls >= 1);
        Assert.Equal([-2L], pollsLeft);
    }
}
