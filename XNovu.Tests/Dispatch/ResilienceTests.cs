using Npgsql;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Dispatch;

[Collection(AppCollection.Name)]
public sealed class ResilienceTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    private const int Notifications = 400;

    [Fact]
    public async Task Two_dispatchers_under_load_never_send_a_delivery_twice()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var prefix = await InsertManyAsync(enterprise.Id, "two");

        await WaitAllSentAsync(enterprise.Id);
        var events = await Harness.EventsAsync(prefix);

        Assert.Equal(Notifications, events.Count);
        Assert.Equal(Notifications, events.Select(e => (string)e!["transactionId"]!).Distinct().Count());
        Assert.True(await DistinctWorkersAsync(enterprise.Id) >= 2, "both replicas should have taken part");
    }

    [Fact]
    public async Task Dispatchers_killed_mid_batch_lose_nothing_and_send_nothing_twice()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        // Slow Novu down so batches are in flight when the dispatchers die.
        await Harness.AddFaultAsync(new { latencyMs = 400, durationSeconds = 4, paths = new[] { "/v1/events" } });
        var prefix = await InsertManyAsync(enterprise.Id, "crash");

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await Harness.KillAndRestartDispatchersAsync();

        await WaitAllSentAsync(enterprise.Id);
        var events = await Harness.EventsAsync(prefix);

        Assert.Equal(Notifications, events.Count);
        Assert.Equal(Notifications, events.Select(e => (string)e!["transactionId"]!).Distinct().Count());
    }

    [Fact]
    public async Task A_bulk_call_answered_after_the_client_timeout_is_sent_again_and_each_delivery_reaches_Novu_once()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        // Novu does the work of one bulk call but answers after the client's 10 s timeout: the dispatcher retries
        // those deliveries, maybe in other groupings (another bulk Idempotency-Key); their transactionIds, which
        // Novu will not process twice, are what keeps each from being delivered again.
        await Harness.AddFaultAsync(new { answerLatencyMs = 12_000, count = 1, paths = new[] { "/v1/events/trigger/bulk" } });
        var prefix = await InsertManyAsync(enterprise.Id, "late");

        await WaitAllSentAsync(enterprise.Id);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var events = await Harness.EventsAsync(prefix);

        Assert.Equal(Notifications, events.Count);
        Assert.Equal(Notifications, events.Select(e => (string)e!["transactionId"]!).Distinct().Count());
    }

    private async Task<string> InsertManyAsync(Guid enterpriseId, string tag)
    {
        var prefix = $"load-{tag}-{Guid.NewGuid():N}"[..24];
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu"));
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, payload, recipients, transaction_id)
            SELECT @enterprise, 'default-sms', jsonb_build_object('body', 'n' || i), jsonb_build_array('load-' || i), @prefix || '-' || i
            FROM generate_series(1, @count) AS i
            """,
            connection);
        insert.Parameters.AddWithValue("enterprise", enterpriseId);
        insert.Parameters.AddWithValue("prefix", prefix);
        insert.Parameters.AddWithValue("count", Notifications);
        await insert.ExecuteNonQueryAsync();
        return prefix;
    }

    private async Task WaitAllSentAsync(Guid enterpriseId)
    {
        await Eventually.WaitForAsync(
            async () =>
            {
                await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu"));
                await connection.OpenAsync();
                await using var count = new NpgsqlCommand(
                    "SELECT count(*) FROM notify.ent_notification WHERE enterprise_id = @e AND notification_status = 'SENT'", connection);
                count.Parameters.AddWithValue("e", enterpriseId);
                return (long?)(await count.ExecuteScalarAsync());
            },
            sent => sent == Notifications,
            TimeSpan.FromSeconds(90),
            $"{Notifications} notifications to be SENT");
    }

    private async Task<long> DistinctWorkersAsync(Guid enterpriseId)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu"));
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(
            "SELECT count(DISTINCT lease_owner) FROM notify.ent_notification_delivery WHERE enterprise_id = @e", connection);
        count.Parameters.AddWithValue("e", enterpriseId);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
