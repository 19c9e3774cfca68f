using System.Diagnostics;
using Npgsql;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Reliability;

/// <summary>No single notification can stop delivery: a poison one ends FAILED and the others go on.</summary>
[Collection(AppCollection.Name)]
public sealed class PoisonDeliveryTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    [Fact]
    public async Task Recipient_of_the_wrong_shape_fails_its_delivery_and_a_normal_trigger_right_after_is_delivered_within_2_s()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        // Inserted by SQL, as another system may: the API's own checks are not what protects the dispatcher.
        var (poison, _) = await Harness.InsertNotificationAsync(
            enterprise.Id, "default-sms", """{"body":"poison"}""", """[{"subscriberId":"x","timezone":5}]""");
        var failed = await Harness.WaitForStatusAsync(poison, "FAILED");

        var started = Stopwatch.GetTimestamp();
        var (normal, transactionId) = await Harness.InsertNotificationAsync(enterprise.Id, "default-sms", """{"body":"fine"}""", """["after-poison"]""");
        await Eventually.WaitForAsync(() => Harness.EventsAsync(transactionId)!, events => events?.Count == 1, TimeSpan.FromSeconds(10), "the normal notification at Novu");
        var latency = Stopwatch.GetElapsedTime(started);
        var sent = await Harness.WaitForStatusAsync(normal, "SENT");

        Assert.Contains("timezone", (string)failed.ErrorDetails!["message"]!, StringComparison.Ordinal);
        Assert.Equal(["SENT"], sent.DeliveryStatuses);
        Assert.True(latency < TimeSpan.FromSeconds(2), $"the normal notification took {latency.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task Delivery_whose_claims_expire_unfinished_three_times_is_failed_as_poison_and_not_sent()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        long id;
        string transactionId;
        await using (var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu")))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            // As if two replicas had died holding it, and a third holds an expired lease on it now.
            await using var insert = new NpgsqlCommand(
                """
                WITH n AS (
                    INSERT INTO notify.ent_notification (enterprise_id, workflow_key, payload, recipients)
                    VALUES (@enterprise, 'default-sms', '{"body":"crash"}', '["crasher"]') RETURNING id, transaction_id)
                SELECT id FROM n
                """,
                connection,
                transaction);
            insert.Parameters.AddWithValue("enterprise", enterprise.Id);
            id = (long)(await insert.ExecuteScalarAsync())!;
            await using var lease = new NpgsqlCommand(
                """
                UPDATE notify.ent_notification_delivery
                SET status = 'PROCESSING', lease_owner = 'dead-replica', lease_expires_at = now() - interval '1 second',
                    claim_id = gen_random_uuid(), attempts = 3, unfinished_claims = 2
                WHERE notification_id = @id
                RETURNING transaction_id
                """,
                connection,
                transaction);
            lease.Parameters.AddWithValue("id", id);
            transactionId = (string)(await lease.ExecuteScalarAsync())!;
            await transaction.CommitAsync();
        }

        var failed = await Harness.WaitForStatusAsync(id, "FAILED");

        Assert.Contains("Poison delivery: claimed 3 times", (string)failed.ErrorDetails!["message"]!, StringComparison.Ordinal);
        Assert.Empty(await Harness.EventsAsync(transactionId));
    }
}
