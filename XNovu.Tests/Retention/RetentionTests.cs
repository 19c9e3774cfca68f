using XNovu.Tests.Infrastructure;
using XNovu.Tests.Rules;

namespace XNovu.Tests.Retention;

/// <summary>
/// Retention: its delete, called as the job calls it (finished notifications past the age go, in batches), and the
/// job itself, run by the dispatchers.
/// </summary>
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
    public async Task The_dispatchers_retention_job_deletes_old_finished_notifications_at_start_and_keeps_young_ones()
    {
        var enterprise = (await fixture.CreateEnterpriseAsync()).Id;
        var old = await InsertAsync(enterprise, "SENT", "100 days");
        var young = await InsertAsync(enterprise, "SENT", "10 days");

        // A pass runs when a dispatcher starts (then every XNovu:Retention:Interval, an hour): as its own role,
        // which reaches no row but through the purge functions. Both replicas' passes are waited for, so that
        // neither runs on into the next test.
        var passesBefore = RetentionPasses(fixture);
        await using (var harness = new DispatchHarness(fixture))
        {
            await harness.KillAndRestartDispatchersAsync();
        }

        await Eventually.WaitForAsync(
            () => Task.FromResult(RetentionPasses(fixture)), n => n >= passesBefore + 2, TimeSpan.FromSeconds(90),
            "a retention pass of each restarted dispatcher");
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM notify.ent_notification WHERE id = @id", ("id", old)));
        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM notify.ent_notification WHERE id = @id", ("id", young)));
    }

    /// <summary>
    /// The finished retention passes of any replica so far: the pass's last log line ("... delivery poll state(s)").
    /// Counting every "Retention deleted" line counted each pass twice, so "both replicas' passes" was met by one
    /// replica's pass while the other still held the rows it was deleting (a CI failure).
    /// </summary>
    internal static int RetentionPasses(XNovuAppFixture fixture) =>
        Directory.GetFiles(fixture.LogPath, "dispatcher*.log")
            .Sum(path =>
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream);
                return reader.ReadToEnd().Split('\n').Count(line => line.Contains("Retention deleted ", StringComparison.Ordinal) && line.Contains("delivery poll state(s)", StringComparison.Ordinal));
            });
}
