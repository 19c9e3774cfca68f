using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Rules;

/// <summary>Retention's delete, called as the job calls it: finished notifications past the age go, in batches.</summary>
[Collection(AppCollection.Name)]
public sealed class RetentionTests(XNovuAppFixture fixture)
{
    private const double NinetyDays = 90 * 24 * 3600;
    private readonly RuleHarness _db = new(fixture);

    private Task<long> InsertAsync(Guid enterprise, string status, string age, DateTimeOffset? scheduledFor = null) =>
        _db.ScalarAsync<long>(
            """
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, notification_status, created_at, scheduled_for)
            VALUES (@enterprise, 'default-sms', @status::notify.notification_status, now() - @age::interval, @scheduled)
            RETURNING id
            """,
            ("enterprise", enterprise), ("status", status), ("age", age), ("scheduled", (object?)scheduledFor ?? DBNull.Value));

    [Fact]
    public async Task Retention_deletes_old_finished_notifications_in_batches_with_their_deliveries_and_keeps_young_and_unfinished_ones()
    {
        var enterprise = (await fixture.CreateEnterpriseAsync()).Id;
        var old = new List<long>();
        foreach (var status in new[] { "SENT", "SENT", "FAILED", "RETRACTED", "SENT" })
        {
            old.Add(await InsertAsync(enterprise, status, "100 days"));
        }

        await _db.ExecuteAsync(
            """
            INSERT INTO notify.ent_notification_delivery (enterprise_id, notification_id, ordinal, status, transaction_id)
            VALUES (@enterprise, @id, 1, 'SENT', 'retention-' || @id)
            """,
            ("enterprise", enterprise), ("id", old[0]));
        var young = await InsertAsync(enterprise, "SENT", "10 days");
        var unfinished = await InsertAsync(enterprise, "PENDING", "100 days", DateTimeOffset.UtcNow.AddDays(1));

        var batches = new List<int>();
        int deleted;
        do
        {
            deleted = await _db.ScalarAsync<int>("SELECT notify.purge_notifications(@age, 2)", ("age", NinetyDays));
            batches.Add(deleted);
        }
        while (deleted > 0 && batches.Count < 10);

        var left = await _db.ScalarAsync<long[]>(
            "SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM notify.ent_notification WHERE enterprise_id = @enterprise",
            ("enterprise", enterprise));
        var deliveries = await _db.ScalarAsync<long>(
            "SELECT count(*) FROM notify.ent_notification_delivery WHERE notification_id = ANY(@ids)", ("ids", old.ToArray()));

        Assert.All(batches, b => Assert.InRange(b, 0, 2));
        Assert.True(batches.Sum() >= old.Count, $"batches {string.Join(",", batches)}");
        Assert.Equal([young, unfinished], left);
        Assert.Equal(0, deliveries);
    }

    [Fact]
    public async Task Retention_runs_as_the_services_role()
    {
        // The job calls the function as xnovu_dispatcher, which reaches no row directly; the grant is its only path.
        var granted = await _db.ScalarAsync<bool>(
            "SELECT has_function_privilege('xnovu_dispatcher', 'notify.purge_notifications(double precision, integer)', 'EXECUTE')");

        Assert.True(granted);
    }
}
