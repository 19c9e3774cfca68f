using System.Text.Json.Nodes;
using Npgsql;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Dispatch;

/// <summary>
/// The completion settles a notification with one delivery itself (0022), and leaves a notification with
/// several deliveries to the roll-up. The deliveries are leased and completed by hand, as a dispatcher would,
/// on notifications scheduled far ahead so that no running dispatcher claims them first.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class SingleDeliveryCompletionTests(XNovuAppFixture fixture) : IAsyncLifetime
{
    private const string Worker = "single-completion-w";
    private readonly DispatchHarness _harness = new(fixture);

    [Fact]
    public async Task A_sent_delivery_makes_its_notification_sent_and_processed()
    {
        var id = await LeasedNotificationAsync("""["solo-sent"]""");

        await CompleteAsync(id, """{"outcome":"sent","novuStatus":"processed"}""");

        var state = await _harness.StateAsync(id);
        Assert.Equal(["SENT"], state.DeliveryStatuses);
        Assert.Equal("SENT", state.Status);
        Assert.Null(state.ErrorDetails);
        Assert.True(await ProcessedAsync(id));
    }

    [Fact]
    public async Task A_failed_delivery_makes_its_notification_failed_with_the_delivery_error()
    {
        var id = await LeasedNotificationAsync("""["solo-failed"]""");

        await CompleteAsync(id, """{"outcome":"failed","error":{"message":"refused by Novu","httpStatus":422}}""");

        var state = await _harness.StateAsync(id);
        Assert.Equal("FAILED", state.Status);
        Assert.Equal("refused by Novu", state.ErrorDetails?["message"]?.GetValue<string>());
        Assert.True(await ProcessedAsync(id));
    }

    [Fact]
    public async Task A_delivery_to_retry_leaves_its_notification_processing_and_unprocessed()
    {
        var id = await LeasedNotificationAsync("""["solo-retry"]""");

        await CompleteAsync(id, """{"outcome":"retry","retryAt":"2099-01-01T00:00:00Z","error":{"message":"503"}}""");

        var state = await _harness.StateAsync(id);
        Assert.Equal(["PENDING"], state.DeliveryStatuses);
        Assert.Equal("PROCESSING", state.Status);
        Assert.Null(state.ErrorDetails);
        Assert.False(await ProcessedAsync(id));
    }

    [Fact]
    public async Task A_retracted_notification_stays_retracted_when_its_delivery_completes()
    {
        var id = await LeasedNotificationAsync("""["solo-retracted"]""");
        await ExecuteAsync("UPDATE notify.ent_notification SET notification_status = 'RETRACTED' WHERE id = @id", id);

        await CompleteAsync(id, """{"outcome":"sent"}""");

        var state = await _harness.StateAsync(id);
        Assert.Equal(["SENT"], state.DeliveryStatuses);
        Assert.Equal("RETRACTED", state.Status);
    }

    [Fact]
    public async Task A_notification_with_another_delivery_open_stays_processing()
    {
        var id = await LeasedNotificationAsync("""["pair-a","pair-b"]""");

        var first = await DeliveryIdsAsync(id);
        await CompleteAsync(id, """{"outcome":"sent"}""", first[0]);

        var state = await _harness.StateAsync(id);
        Assert.Equal(["SENT", "PROCESSING"], state.DeliveryStatuses);
        Assert.Equal("PROCESSING", state.Status);

        await CompleteAsync(id, """{"outcome":"failed","error":{"message":"second refused"}}""", first[1]);

        state = await _harness.StateAsync(id);
        Assert.Equal("FAILED", state.Status);
        Assert.Equal("second refused", state.ErrorDetails?["message"]?.GetValue<string>());
    }

    [Fact]
    public async Task One_completion_settles_a_lone_delivery_and_rolls_up_a_shared_one()
    {
        var lone = await LeasedNotificationAsync("""["mixed-lone"]""");
        var shared = await LeasedNotificationAsync("""["mixed-a","mixed-b"]""");
        var loneDelivery = (await DeliveryIdsAsync(lone))[0];
        var sharedDeliveries = await DeliveryIdsAsync(shared);

        await CompleteManyAsync(
            $$$"""[{"id":{{{loneDelivery}}},"outcome":"failed","error":{"message":"lone refused"}},{"id":{{{sharedDeliveries[0]}}},"outcome":"sent"}]""",
            expected: 2);

        var loneState = await _harness.StateAsync(lone);
        Assert.Equal("FAILED", loneState.Status);
        Assert.Equal("lone refused", loneState.ErrorDetails?["message"]?.GetValue<string>());
        var sharedState = await _harness.StateAsync(shared);
        Assert.Equal(["SENT", "PROCESSING"], sharedState.DeliveryStatuses);
        Assert.Equal("PROCESSING", sharedState.Status);
    }

    [Fact]
    public async Task A_paused_delivery_leaves_its_notification_processing()
    {
        var id = await LeasedNotificationAsync("""["solo-paused"]""");

        await CompleteAsync(id, """{"outcome":"paused","retryAt":"2099-01-01T00:00:00Z"}""");

        var state = await _harness.StateAsync(id);
        Assert.Equal(["PENDING"], state.DeliveryStatuses);
        Assert.Equal("PROCESSING", state.Status);
        Assert.False(await ProcessedAsync(id));
    }

    /// <summary>A notification scheduled far ahead whose deliveries are leased to <see cref="Worker"/>, and PROCESSING as a claim leaves it.</summary>
    private async Task<long> LeasedNotificationAsync(string recipientsJson)
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var (id, _) = await _harness.InsertNotificationAsync(
            enterprise.Id, "default-email", """{"subject":"s","body":"b"}""", recipientsJson, DateTimeOffset.UtcNow.AddDays(1));
        await ExecuteAsync(
            $"""
            UPDATE notify.ent_notification_delivery
            SET status = 'PROCESSING', lease_owner = '{Worker}', lease_expires_at = now() + interval '10 minutes', attempts = 1
            WHERE notification_id = @id;
            UPDATE notify.ent_notification SET notification_status = 'PROCESSING' WHERE id = @id;
            """,
            id);
        return id;
    }

    /// <summary>Completes one delivery of the notification (its first, unless named) with the given outcome.</summary>
    private async Task CompleteAsync(long notificationId, string outcomeJson, long? deliveryId = null)
    {
        var result = JsonNode.Parse(outcomeJson)!.AsObject();
        result["id"] = deliveryId ?? (await DeliveryIdsAsync(notificationId))[0];
        await CompleteManyAsync(new JsonArray(result).ToJsonString(), expected: 1);
    }

    private async Task CompleteManyAsync(string resultsJson, int expected)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT notify.complete_deliveries(@worker, @results::jsonb)", connection);
        command.Parameters.AddWithValue("worker", Worker);
        command.Parameters.AddWithValue("results", resultsJson);
        Assert.Equal(expected, (int)(await command.ExecuteScalarAsync())!);
    }

    private async Task<long[]> DeliveryIdsAsync(long notificationId)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT array_agg(id ORDER BY ordinal) FROM notify.ent_notification_delivery WHERE notification_id = @id", connection);
        command.Parameters.AddWithValue("id", notificationId);
        return (long[])(await command.ExecuteScalarAsync())!;
    }

    private async Task<bool> ProcessedAsync(long notificationId)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT processed_at IS NOT NULL FROM notify.ent_notification WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", notificationId);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql, long notificationId)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", notificationId);
        await command.ExecuteNonQueryAsync();
    }


    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _harness.DisposeAsync();
}
