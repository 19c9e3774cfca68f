using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using XNovu.Api.Triggers;
using XNovu.Core.Telemetry;
using static XNovu.Tests.Unit.Triggers.TriggerFakes;

namespace XNovu.Tests.Unit.Triggers;

/// <summary>
/// The coalescing writer's shared commit: groups in enterprise id order, each under its savepoint, and a group
/// that fails in any way rolled back and sent alone while the others commit, counted by reason.
/// </summary>
[Collection(TriggerCommitMetrics.Name)]
public sealed class TriggerCommitWriterTests : IAsyncDisposable
{
    private static readonly Guid A = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000000");
    private static readonly Guid B = Guid.Parse("bbbbbbbb-0000-0000-0000-000000000000");
    private static readonly Guid C = Guid.Parse("cccccccc-0000-0000-0000-000000000000");

    private readonly FakeStore _store = new();
    private readonly TriggerCommitWriter _writer;
    private readonly MeterListener _listener = new();
    private readonly List<(long Count, string Reason)> _fallbacks = [];

    public TriggerCommitWriterTests()
    {
        _writer = new TriggerCommitWriter(
            _store, Checks(), IdempotencyKeys(), Options.Create(new TriggerCommitOptions { Writers = 1, MaxWait = TimeSpan.Zero }),
            new FakeTimeProvider(), NullLogger<TriggerCommitWriter>.Instance);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // By name: the instrument may be published while XNovuTelemetry's fields are still being set.
            if (instrument.Meter.Name == XNovuTelemetry.Name && instrument.Name == "xnovu.triggers.commit.fallbacks")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (_fallbacks)
            {
                _fallbacks.Add((value, (string)tags.ToArray().Single(t => t.Key == "xnovu.reason").Value!));
            }
        });
        _listener.Start();
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _writer.DisposeAsync();
    }

    private static PendingTrigger Pending(Guid enterpriseId, string? key = null) =>
        new(enterpriseId, Trigger(), 1, new ResolvedRow(null, null, null, null, null), key is null ? null : new IdempotencyClaim(key, [1]), null);

    private static async Task<BatchedStatus> StatusAsync(PendingTrigger pending) =>
        (await pending.Completion.Task.WaitAsync(TimeSpan.FromSeconds(10))).Status;

    [Fact]
    public async Task Groups_are_stored_in_enterprise_id_order_whatever_the_arrival_order()
    {
        var batch = new[] { Pending(C), Pending(A), Pending(B), Pending(A) };

        await _writer.CommitBatchAsync(batch);

        Assert.Equal([A, B, C], _store.Batch.Groups);
        Assert.True(_store.Batch.Committed);
        foreach (var pending in batch)
        {
            Assert.Equal(BatchedStatus.Committed, await StatusAsync(pending));
        }
    }

    [Fact]
    public async Task An_exception_of_any_type_in_one_group_rolls_back_and_sends_alone_only_that_group()
    {
        _store.Batch.Fail[B] = new InvalidCastException("a type no catch names");
        var (a, b1, b2, c) = (Pending(A), Pending(B), Pending(B), Pending(C));

        await _writer.CommitBatchAsync([b1, a, c, b2]);

        Assert.Equal(BatchedStatus.Committed, await StatusAsync(a));
        Assert.Equal(BatchedStatus.Committed, await StatusAsync(c));
        Assert.Equal(BatchedStatus.Alone, await StatusAsync(b1));
        Assert.Equal(BatchedStatus.Alone, await StatusAsync(b2));
        Assert.Equal([B], _store.Batch.RolledBack);
        Assert.True(_store.Batch.Committed);
        Assert.Equal([(2L, "error")], _fallbacks);
    }

    [Theory]
    [InlineData(PostgresErrorCodes.LockNotAvailable, "lock_timeout")]
    [InlineData(PostgresErrorCodes.DeadlockDetected, "deadlock")]
    [InlineData(PostgresErrorCodes.QueryCanceled, "timeout")]
    [InlineData(PostgresErrorCodes.CheckViolation, "database")]
    public async Task A_database_failure_of_one_group_is_counted_by_its_reason(string sqlState, string reason)
    {
        _store.Batch.Fail[A] = new PostgresException("refused", "ERROR", "ERROR", sqlState);
        var (a, b) = (Pending(A), Pending(B));

        await _writer.CommitBatchAsync([a, b]);

        Assert.Equal(BatchedStatus.Alone, await StatusAsync(a));
        Assert.Equal(BatchedStatus.Committed, await StatusAsync(b));
        Assert.Equal([(1L, reason)], _fallbacks);
    }

    [Fact]
    public async Task An_idempotency_key_taken_meanwhile_sends_its_enterprises_group_alone_and_no_other()
    {
        _store.Batch.TakenKeys.Add((A, "key-2"));
        var (a1, a2, b) = (Pending(A, "key-1"), Pending(A, "key-2"), Pending(B, "key-2"));

        await _writer.CommitBatchAsync([b, a2, a1]);

        Assert.Equal(BatchedStatus.Alone, await StatusAsync(a1));
        Assert.Equal(BatchedStatus.Alone, await StatusAsync(a2));
        Assert.Equal(BatchedStatus.Committed, await StatusAsync(b));
        Assert.Equal([(A, "key-1"), (A, "key-2"), (B, "key-2")], _store.Batch.StoredKeys); // keys in one order
        Assert.Equal([(2L, "key_race")], _fallbacks);
    }

    [Fact]
    public async Task A_row_checked_against_changed_rows_goes_alone_as_stale_and_the_rest_of_its_group_commits()
    {
        var (stale, fresh) = (Pending(A), Pending(A));
        _store.Batch.Stale.Add(stale.Trigger.TransactionId);

        await _writer.CommitBatchAsync([stale, fresh]);

        Assert.Equal(BatchedStatus.Alone, await StatusAsync(stale));
        Assert.Equal(BatchedStatus.Committed, await StatusAsync(fresh));
        Assert.Equal([(1L, "stale")], _fallbacks);
    }

    [Fact]
    public async Task A_failed_commit_is_thrown_for_the_queue_to_fail_the_callers_since_its_effect_is_unknown()
    {
        _store.Batch.CommitFailure = new NpgsqlException("connection lost during commit");

        await Assert.ThrowsAsync<NpgsqlException>(() => _writer.CommitBatchAsync([Pending(A)]));
    }

    [Fact]
    public async Task A_commit_the_server_refused_sends_every_trigger_of_the_batch_alone()
    {
        // A lock timeout at the COMMIT (PostgreSQL's NOTIFY queue lock, held by another commit's flush): the server
        // rolled the transaction back, so nothing is unknown and nobody is answered a failure.
        _store.Batch.CommitFailure = new PostgresException("canceling statement due to lock timeout", "ERROR", "ERROR", PostgresErrorCodes.LockNotAvailable);
        var (a, b) = (Pending(A), Pending(B));

        await _writer.CommitBatchAsync([a, b]);

        Assert.Equal(BatchedStatus.Alone, await StatusAsync(a));
        Assert.Equal(BatchedStatus.Alone, await StatusAsync(b));
        Assert.Equal([(1L, "lock_timeout"), (1L, "lock_timeout")], _fallbacks);
    }

    [Fact]
    public async Task A_trigger_whose_group_failed_is_stored_alone_and_answered_from_there()
    {
        _store.Batch.Fail[A] = new InvalidOperationException("hostile");

        var outcome = await _writer.TriggerAsync(A, Trigger(), null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(FakeStore.AloneId, outcome.Answer!.NotificationId);
        Assert.Equal([A], _store.Alone);
    }

    [Fact]
    public async Task Triggers_sent_back_by_the_batch_are_stored_alone_a_few_at_a_time_per_enterprise()
    {
        var locked = new TaskCompletionSource();
        _store.Locked = locked.Task;
        _store.Batch.Fail[A] = new PostgresException("lock", "ERROR", "ERROR", PostgresErrorCodes.LockNotAvailable);
        await using var writer = new TriggerCommitWriter(
            _store, Checks(), IdempotencyKeys(), Options.Create(new TriggerCommitOptions { MaxAlonePerEnterprise = 2 }),
            // The real clock: a batch that gathers while another commits waits MaxWait for company, which a fake
            // clock that nobody advances would make forever.
            TimeProvider.System, NullLogger<TriggerCommitWriter>.Instance);

        var triggers = Enumerable.Range(0, 8).Select(_ => writer.TriggerAsync(A, Trigger(), null, CancellationToken.None)).ToList();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_store.Alone.Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await Task.Delay(200);
        // The others wait in memory, holding no connection (how many of the 8 the batches have sent back by now
        // depends on the machine's timing; never more than 2 are in the store at once).
        Assert.InRange(_store.Alone.Count, 1, 2);
        locked.SetResult();
        await Task.WhenAll(triggers).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(8, _store.Alone.Count);
        Assert.InRange(_store.MostAloneAtOnce, 1, 2);
    }

    /// <summary>A store whose lookup finds nothing of the enterprise (a static workflow) and whose alone path answers <see cref="AloneId"/>.</summary>
    private sealed class FakeStore : ITriggerStore
    {
        public const long AloneId = -1;

        public FakeBatch Batch { get; } = new();

        public List<Guid> Alone { get; } = [];

        public Task<Lookup> LookupAsync(Guid enterpriseId, PreparedTrigger trigger, IdempotencyClaim? claim, CancellationToken cancellationToken) =>
            Task.FromResult(Lookup());

        /// <summary>What a trigger stored alone waits for, as on a locked row.</summary>
        public Task Locked { get; set; } = Task.CompletedTask;

        public int MostAloneAtOnce { get; private set; }

        private int _aloneNow;

        public async Task<StoreOutcome<TriggerAccepted>> TriggerAsync(
            Guid enterpriseId, PreparedTrigger trigger, IdempotencyClaim? claim, CancellationToken cancellationToken)
        {
            lock (Alone)
            {
                Alone.Add(enterpriseId);
                MostAloneAtOnce = Math.Max(MostAloneAtOnce, ++_aloneNow);
            }

            await Locked;
            lock (Alone)
            {
                _aloneNow--;
            }

            return new StoreOutcome<TriggerAccepted>(TriggerStore.Accepted(AloneId, trigger, "PENDING", enterpriseId, 1), null, false);
        }

        public Task<ITriggerBatch> BeginBatchAsync(TimeSpan lockTimeout, bool wakeAfterCommit) => Task.FromResult<ITriggerBatch>(Batch);
    }

    private sealed class FakeBatch : ITriggerBatch
    {
        private long _nextId;

        public Dictionary<Guid, Exception> Fail { get; } = [];

        public HashSet<(Guid, string)> TakenKeys { get; } = [];

        public HashSet<string> Stale { get; } = [];

        public Exception? CommitFailure { get; set; }

        public List<Guid> Groups { get; } = [];

        public List<Guid> RolledBack { get; } = [];

        public List<(Guid, string)> StoredKeys { get; } = [];

        public bool Committed { get; private set; }

        public Task<Dictionary<string, long?>> InsertGroupAsync(Guid enterpriseId, IReadOnlyList<NotificationRow> rows)
        {
            Groups.Add(enterpriseId);
            return Fail.TryGetValue(enterpriseId, out var failure)
                ? Task.FromException<Dictionary<string, long?>>(failure)
                : Task.FromResult(rows.ToDictionary(
                    r => r.Trigger.TransactionId, r => Stale.Contains(r.Trigger.TransactionId) ? (long?)null : ++_nextId));
        }

        public Task<bool> StoreAnswerAsync(Guid enterpriseId, IdempotencyClaim claim, TriggerAccepted answer)
        {
            StoredKeys.Add((enterpriseId, claim.Key));
            return Task.FromResult(!TakenKeys.Contains((enterpriseId, claim.Key)));
        }

        public Task RollbackGroupAsync()
        {
            RolledBack.Add(Groups[^1]);
            return Task.CompletedTask;
        }

        public Task CommitAsync()
        {
            Committed = CommitFailure is null;
            return CommitFailure is null ? Task.CompletedTask : Task.FromException(CommitFailure);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
