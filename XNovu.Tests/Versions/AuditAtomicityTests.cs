using System.Net;
using Dapper;
using Npgsql;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Versions;

/// <summary>
/// Issue 30: a write of a subscriber, a topic or an API key and its audit record are one transaction. Each write below
/// is stopped where its audit record is written (the audit table held locked by the test) and its database connection
/// killed there, as a crashed API would leave it: neither the write nor its record may remain. Recorded after the
/// write's own commit, as before, the write survived without its record. With nothing stopped, each write has its record.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class AuditAtomicityTests(XNovuAppFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_write_killed_at_its_audit_record_leaves_neither_and_a_committed_write_always_has_its_record()
    {
        var owner = await fixture.CreateEnterpriseAsync();
        var other = await fixture.CreateEnterpriseAsync();
        var admin = fixture.CreateAdminClient();
        var (lost, kept, topic, keyName) = (Key("atom-lost"), Key("atom-kept"), Key("atom-t"), Key("atom-key"));
        await owner.Client.CreateAsync("/api/topics", new { topicKey = topic });
        const string Trail = "SELECT count(*) FROM notify.audit_event WHERE enterprise_id = @id";
        var before = await CountAsync(Trail, owner.Id);

        var subscriber = await KilledAtAuditRecordAsync(() => owner.Client.SendAsync(HttpMethod.Post, "/api/subscribers", new { subscriberId = lost }));
        var members = await KilledAtAuditRecordAsync(() => owner.Client.SendAsync(HttpMethod.Post, $"/api/topics/{topic}/subscribers", new { subscriberIds = new[] { lost } }));
        var key = await KilledAtAuditRecordAsync(() => admin.SendAsync(HttpMethod.Post, $"/api/admin/enterprises/{owner.Id}/api-keys", new { name = keyName }));

        Assert.All(new[] { subscriber, members, key }, answer => Assert.False(answer.IsSuccessStatusCode, $"a killed write answered {answer.StatusCode}"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM notify.subscriber WHERE enterprise_id = @id AND subscriber_id = @key", owner.Id, lost));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM notify.topic_subscriber WHERE enterprise_id = @id AND subscriber_id = @key", owner.Id, lost));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM notify.enterprise_api_key WHERE enterprise_id = @id AND name = @key", owner.Id, keyName));
        Assert.Equal(before, await CountAsync(Trail, owner.Id));

        // The same writes, undisturbed: each is there with its record, in its own enterprise's trail only.
        await owner.Client.CreateAsync("/api/subscribers", new { subscriberId = kept });
        await owner.Client.OkAsync(HttpMethod.Post, $"/api/topics/{topic}/subscribers", new { subscriberIds = new[] { kept } });
        var created = await admin.CreateAsync($"/api/admin/enterprises/{owner.Id}/api-keys", new { name = keyName });
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM notify.audit_event WHERE enterprise_id = @id AND entity_type = 'subscriber' AND entity_key = @key", owner.Id, kept));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM notify.audit_event WHERE enterprise_id = @id AND entity_type = 'topic' AND entity_key = @key AND action = 'updated'", owner.Id, topic));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM notify.audit_event WHERE enterprise_id = @id AND entity_type = 'api-key' AND entity_key = @key", owner.Id, (string)created["id"]!));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM notify.audit_event WHERE enterprise_id = @id AND entity_key = @key", other.Id, kept));
    }

    /// <summary>
    /// Sends a write while the audit table is locked, waits until the write's connection waits for that lock (its audit
    /// record), kills that connection, lets the lock go, and answers the write's answer.
    /// </summary>
    private async Task<HttpResponseMessage> KilledAtAuditRecordAsync(Func<Task<HttpResponseMessage>> write)
    {
        await using var holder = await fixture.OpenOwnerConnectionAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("LOCK TABLE notify.audit_event IN SHARE MODE", transaction: transaction);
        var answer = write();
        try
        {
            await using var watcher = await fixture.OpenOwnerConnectionAsync();
            var waiting = await WaitingAuditWriterAsync(watcher, answer);
            Assert.True(await watcher.ExecuteScalarAsync<bool>("SELECT pg_terminate_backend(@waiting)", new { waiting }));
        }
        finally
        {
            await transaction.RollbackAsync();
        }

        return await answer.WaitAsync(Patience);
    }

    private static async Task<int> WaitingAuditWriterAsync(NpgsqlConnection watcher, Task<HttpResponseMessage> answer)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            var pid = await watcher.QuerySingleOrDefaultAsync<int?>(
                """
                SELECT a.pid FROM pg_stat_activity a
                JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted AND l.relation = 'notify.audit_event'::regclass
                WHERE a.query LIKE '%INSERT INTO notify.audit_event%'
                LIMIT 1
                """);
            if (pid is { } found)
            {
                return found;
            }

            Assert.False(answer.IsCompleted, $"the write answered {(answer.IsCompletedSuccessfully ? answer.Result.StatusCode : "an error")} without waiting for its audit record");
            await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
        }
    }

    private async Task<int> CountAsync(string sql, Guid id, string? key = null)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        return await connection.ExecuteScalarAsync<int>(sql, new { id, key });
    }
}
