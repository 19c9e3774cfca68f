using Npgsql;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Webhooks;

/// <summary>
/// The webhook sender's claim (issue 28, the 2,000/s target): it takes no more of a busy endpoint's messages than
/// the slots the caller says it has left, none of a full one (whose backlog must not fill the claim either), and up
/// to the per-claim share of an endpoint the caller is not busy with. Run in a transaction rolled back at the end, so
/// the dispatchers never see these rows.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class WebhookClaimTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task A_claim_takes_no_more_of_an_endpoint_than_its_free_slots_and_skips_a_full_one()
    {
        var enterprise = (await fixture.CreateEnterpriseAsync()).Id;
        var other = (await fixture.CreateEnterpriseAsync()).Id;
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var busy = await EndpointAsync(connection, enterprise, "busy");
        var full = await EndpointAsync(connection, enterprise, "full");
        var idle = await EndpointAsync(connection, other, "idle");

        // The full endpoint's backlog is the oldest, so a claim that did not skip it would be filled by it.
        await QueueAsync(connection, enterprise, full, 200, "2 hours");
        await QueueAsync(connection, enterprise, busy, 20, "1 hour");
        await QueueAsync(connection, other, idle, 20, "1 hour");

        await using var claim = new NpgsqlCommand(
            """
            SELECT endpoint_id, count(*)::int FROM notify.claim_webhook_messages('test-worker', 40, 10, 60, @busy, @free)
            WHERE endpoint_id = ANY (@mine) GROUP BY endpoint_id
            """, connection, transaction);
        claim.Parameters.AddWithValue("busy", new[] { busy, full });
        claim.Parameters.AddWithValue("free", new[] { 3, 0 });
        claim.Parameters.AddWithValue("mine", new[] { busy, full, idle });
        var counts = new Dictionary<Guid, int>();
        await using (var reader = await claim.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                counts[reader.GetGuid(0)] = reader.GetInt32(1);
            }
        }

        await transaction.RollbackAsync();
        Assert.Equal(3, counts.GetValueOrDefault(busy));
        Assert.Equal(0, counts.GetValueOrDefault(full));
        Assert.Equal(10, counts.GetValueOrDefault(idle));
    }

    private static async Task<Guid> EndpointAsync(NpgsqlConnection connection, Guid enterprise, string path)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO notify.ent_webhook_endpoint (enterprise_id, url, event_types, secret)
            VALUES (@enterprise, 'https://hooks.example.com/' || @path, '{notification.sent}', 'ciphertext')
            RETURNING id
            """, connection);
        command.Parameters.AddWithValue("enterprise", enterprise);
        command.Parameters.AddWithValue("path", path);
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    private static async Task QueueAsync(NpgsqlConnection connection, Guid enterprise, Guid endpoint, int count, string age)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO notify.ent_webhook_message (enterprise_id, endpoint_id, event_type, payload, next_attempt_at)
            SELECT @enterprise, @endpoint, 'notification.sent', '{}', now() - @age::interval FROM generate_series(1, @count)
            """, connection);
        command.Parameters.AddWithValue("enterprise", enterprise);
        command.Parameters.AddWithValue("endpoint", endpoint);
        command.Parameters.AddWithValue("age", age);
        command.Parameters.AddWithValue("count", count);
        await command.ExecuteNonQueryAsync();
    }
}
