using System.Collections.Concurrent;
using Npgsql;
using XNovu.Core.Persistence;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Triggers;

/// <summary>
/// Issue 32: the API's coalesced trigger commits do not NOTIFY in their own transaction (whose commit would hold
/// PostgreSQL's one notification-queue lock until it is flushed); the API wakes the dispatchers after the commit.
/// Every other writer of notifications is still woken by the deliveries' trigger.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class DispatchWakeTests(XNovuAppFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_transaction_that_wakes_after_its_commit_is_not_notified_by_the_deliveries_trigger_and_any_other_is()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        await using var listening = await ListenAsync();
        await using var writer = await fixture.OpenOwnerConnectionAsync();
        var writerPid = writer.ProcessID;

        // First a commit that says it wakes the dispatchers itself, then one that does not, on the same connection.
        await InsertAsync(writer, enterprise.Id, deferWake: true);
        await InsertAsync(writer, enterprise.Id, deferWake: false);

        // Notifications arrive in commit order: once the second commit's has arrived, the first's would have too.
        await listening.WaitForAsync(pid => pid == writerPid);
        Assert.Equal(1, listening.From(writerPid));
    }

    [Fact]
    public async Task A_trigger_through_the_API_wakes_the_dispatchers_once_it_is_committed()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        await using var listening = await ListenAsync();

        await using var owner = await fixture.OpenOwnerConnectionAsync();
        var before = listening.Senders.Count;

        await enterprise.Client.AcceptedAsync(TriggerApi.Trigger("default-sms", TriggerApi.Subscriber(), new { body = "wake" }));

        // A wake sent by the API's role (the dispatchers' own writes are another role), after the 202's commit.
        await Eventually.WaitForAsync(
            async () =>
            {
                await using var roles = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY (@pids) AND usename = 'xnovu_api'", owner);
                roles.Parameters.AddWithValue("pids", listening.Senders.Skip(before).Distinct().ToArray());
                return (long)(await roles.ExecuteScalarAsync())!;
            },
            fromApi => fromApi > 0,
            Patience,
            "the API to wake the dispatchers after the trigger's commit");
    }

    private async Task InsertAsync(NpgsqlConnection connection, Guid enterpriseId, bool deferWake)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using var insert = new NpgsqlCommand(
            """
            SELECT set_config('xnovu.dispatch_wake', @wake, true);
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, payload, recipients)
            VALUES (@enterprise, 'default-sms', '{"body":"wake"}', '["wake-1"]');
            """,
            connection,
            transaction);
        insert.Parameters.AddWithValue("wake", deferWake ? "after-commit" : "");
        insert.Parameters.AddWithValue("enterprise", enterpriseId);
        await insert.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    private async Task<Listening> ListenAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(await fixture.ConnectionStringAsync("xnovu")) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        var listening = new Listening(connection);
        connection.Notification += (_, e) =>
        {
            if (e.Channel == NotifyChannels.Dispatch)
            {
                listening.Senders.Enqueue(e.PID);
            }
        };
        await using (var listen = new NpgsqlCommand($"LISTEN {NotifyChannels.Dispatch}", connection))
        {
            await listen.ExecuteNonQueryAsync();
        }

        listening.Start();
        return listening;
    }

    private sealed class Listening(NpgsqlConnection connection) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _waiting = Task.CompletedTask;

        public ConcurrentQueue<int> Senders { get; } = new();

        public int From(int pid) => Senders.Count(p => p == pid);

        public void Start() => _waiting = Task.Run(async () =>
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    await connection.WaitAsync(_stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // stopped
            }
        });

        public Task WaitForAsync(Func<int, bool> sender) =>
            Eventually.WaitForAsync(() => Task.FromResult(Senders.Any(sender)), any => any, Patience, "a wake of the dispatchers");

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _waiting;
            await connection.DisposeAsync();
            _stop.Dispose();
        }
    }
}
