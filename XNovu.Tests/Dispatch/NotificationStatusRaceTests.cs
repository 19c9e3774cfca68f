using Npgsql;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Dispatch;

/// <summary>
/// Two dispatcher batches completing different deliveries of one notification at the same moment: the
/// notification must end SENT, not stay PROCESSING because each batch's roll-up missed the other's rows.
/// The two completions are driven by hand, one held open until the other is seen waiting on its lock.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class NotificationStatusRaceTests(XNovuAppFixture fixture) : IAsyncLifetime
{
    private readonly DispatchHarness _harness = new(fixture);

    [Fact]
    public async Task Concurrent_completions_of_one_notification_roll_up_to_sent()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        // Scheduled far ahead, so no dispatcher claims its deliveries while the test leases them by hand.
        var (id, _) = await _harness.InsertNotificationAsync(
            enterprise.Id, "default-email", """{"subject":"s","body":"b"}""", """["race-a","race-b"]""", DateTimeOffset.UtcNow.AddDays(1));
        var connectionString = await fixture.ConnectionStringAsync("xnovu");
        var deliveries = await LeaseEachToItsOwnWorkerAsync(connectionString, id);

        await using var first = new NpgsqlConnection(connectionString);
        await first.OpenAsync();
        await using var firstTransaction = await first.BeginTransactionAsync();
        await CompleteAsync(first, "race-w0", deliveries[0]);

        await using var second = new NpgsqlConnection(connectionString);
        await second.OpenAsync();
        var secondPid = second.ProcessID;
        var secondCompletion = CompleteAsync(second, "race-w1", deliveries[1]);
        await WaitUntilBlockedAsync(connectionString, secondPid);
        await firstTransaction.CommitAsync();
        await secondCompletion;

        var state = await _harness.StateAsync(id);
        Assert.Equal(["SENT", "SENT"], state.DeliveryStatuses);
        Assert.Equal("SENT", state.Status);
    }

    [Fact]
    public async Task A_retried_delivery_starts_with_no_unfinished_claims()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var (id, _) = await _harness.InsertNotificationAsync(
            enterprise.Id, "default-sms", """{"body":"b"}""", """["poisoned-once"]""", DateTimeOffset.UtcNow.AddDays(1));
        var connectionString = await fixture.ConnectionStringAsync("xnovu");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var failed = new NpgsqlCommand(
            """
            UPDATE notify.ent_notification_delivery SET status = 'FAILED', unfinished_claims = 3, next_attempt_at = now() + interval '1 day'
            WHERE notification_id = @id;
            UPDATE notify.ent_notification SET notification_status = 'FAILED' WHERE id = @id;
            """,
            connection))
        {
            failed.Parameters.AddWithValue("id", id);
            await failed.ExecuteNonQueryAsync();
        }

        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/notifications/{id}/retry");

        await using var read = new NpgsqlCommand("SELECT unfinished_claims FROM notify.ent_notification_delivery WHERE notification_id = @id", connection);
        read.Parameters.AddWithValue("id", id);
        Assert.Equal(0, (int)(await read.ExecuteScalarAsync())!);
    }

    private static async Task<long[]> LeaseEachToItsOwnWorkerAsync(string connectionString, long notificationId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            UPDATE notify.ent_notification_delivery
            SET status = 'PROCESSING', lease_owner = 'race-w' || (ordinal - 1), lease_expires_at = now() + interval '10 minutes'
            WHERE notification_id = @id
            RETURNING id, ordinal
            """,
            connection);
        command.Parameters.AddWithValue("id", notificationId);
        var rows = new List<(long Id, long Ordinal)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetInt64(0), Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        await using var processing = new NpgsqlCommand("UPDATE notify.ent_notification SET notification_status = 'PROCESSING' WHERE id = @id", connection);
        processing.Parameters.AddWithValue("id", notificationId);
        await processing.ExecuteNonQueryAsync();
        return [.. rows.OrderBy(r => r.Ordinal).Select(r => r.Id)];
    }

    private static async Task CompleteAsync(NpgsqlConnection connection, string worker, long deliveryId)
    {
        await using var command = new NpgsqlCommand("SELECT notify.complete_deliveries(@worker, @results::jsonb)", connection);
        command.Parameters.AddWithValue("worker", worker);
        command.Parameters.AddWithValue("results", $$"""[{"id":{{deliveryId}},"outcome":"sent"}]""");
        Assert.Equal(1, (int)(await command.ExecuteScalarAsync())!);
    }

    private static async Task WaitUntilBlockedAsync(string connectionString, int pid)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = @pid", connection);
        command.Parameters.AddWithValue("pid", pid);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!((await command.ExecuteScalarAsync()) is true))
        {
            Assert.True(DateTime.UtcNow < deadline, "the second completion never waited for the first's lock");
            await Task.Delay(20);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _harness.DisposeAsync();
}
