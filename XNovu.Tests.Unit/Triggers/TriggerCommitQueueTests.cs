using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using XNovu.Api.Triggers;
using static XNovu.Tests.Unit.Triggers.TriggerFakes;

namespace XNovu.Tests.Unit.Triggers;

/// <summary>How TriggerCommitQueue gathers single triggers into batches and answers each caller.</summary>
[Collection(TriggerCommitMetrics.Name)]
public sealed class TriggerCommitQueueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();

    private static PendingTrigger Pending(Guid? enterpriseId = null, string? transactionId = null, string? key = null) =>
        new(enterpriseId ?? Guid.NewGuid(), Trigger(transactionId: transactionId), 1, new ResolvedRow(null, null, null, null, null),
            key is null ? null : new IdempotencyClaim(key, [1]), null);

    private TriggerCommitQueue Queue(Func<IReadOnlyList<PendingTrigger>, Task> commit, int writers = 1, int maxBatch = 100, TimeSpan? maxWait = null) =>
        new(new TriggerCommitOptions { Writers = writers, MaxBatchSize = maxBatch, MaxWait = maxWait ?? TimeSpan.Zero }, commit, _time, NullLogger.Instance);

    private static Func<IReadOnlyList<PendingTrigger>, Task> Committing(List<List<PendingTrigger>> batches, Func<int, Task>? during = null) =>
        async batch =>
        {
            int number;
            lock (batches)
            {
                batches.Add([.. batch]);
                number = batches.Count;
            }

            await (during?.Invoke(number) ?? Task.CompletedTask);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetResult(new BatchedOutcome(BatchedStatus.Committed));
            }
        };

    [Fact]
    public async Task Triggers_arriving_during_a_commit_share_the_next_one()
    {
        var release = new TaskCompletionSource();
        var batches = new List<List<PendingTrigger>>();
        await using var queue = Queue(Committing(batches, n => n == 1 ? release.Task : Task.CompletedTask));

        var first = queue.EnqueueAsync(Pending());
        await WaitUntilAsync(() => batches.Count == 1);
        var later = Enumerable.Range(0, 5).Select(_ => queue.EnqueueAsync(Pending())).ToList();
        release.SetResult();
        await Task.WhenAll(later.Append(first)).WaitAsync(Patience);

        Assert.Equal([1, 5], batches.Select(b => b.Count));
        foreach (var answer in await Task.WhenAll(later))
        {
            Assert.Equal(BatchedStatus.Committed, answer.Status);
        }
    }

    [Fact]
    public async Task A_batch_carries_at_most_max_batch_size()
    {
        var release = new TaskCompletionSource();
        var batches = new List<List<PendingTrigger>>();
        await using var queue = Queue(Committing(batches, n => n == 1 ? release.Task : Task.CompletedTask), maxBatch: 3);

        var first = queue.EnqueueAsync(Pending());
        await WaitUntilAsync(() => batches.Count == 1);
        var later = Enumerable.Range(0, 7).Select(_ => queue.EnqueueAsync(Pending())).ToList();
        release.SetResult();
        await Task.WhenAll(later.Append(first)).WaitAsync(Patience);

        Assert.Equal([1, 3, 3, 1], batches.Select(b => b.Count));
    }

    [Fact]
    public async Task A_twin_in_one_enterprise_goes_alone_and_another_enterprise_may_use_the_same_ids()
    {
        var release = new TaskCompletionSource();
        var batches = new List<List<PendingTrigger>>();
        await using var queue = Queue(Committing(batches, n => n == 1 ? release.Task : Task.CompletedTask));
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());

        var first = queue.EnqueueAsync(Pending());
        await WaitUntilAsync(() => batches.Count == 1);
        var original = queue.EnqueueAsync(Pending(a, "order-1", "key-1"));
        var sameTransaction = queue.EnqueueAsync(Pending(a, "order-1"));
        var sameKey = queue.EnqueueAsync(Pending(a, "order-2", "key-1"));
        var otherEnterprise = queue.EnqueueAsync(Pending(b, "order-1", "key-1"));
        release.SetResult();
        await Task.WhenAll(first, original, sameTransaction, sameKey, otherEnterprise).WaitAsync(Patience);

        Assert.Equal(BatchedStatus.Committed, (await original).Status);
        Assert.Equal(BatchedStatus.Alone, (await sameTransaction).Status);
        Assert.Equal(BatchedStatus.Alone, (await sameKey).Status);
        Assert.Equal(BatchedStatus.Committed, (await otherEnterprise).Status);
    }

    [Fact]
    public async Task A_twin_of_a_trigger_in_another_writers_batch_goes_alone_only_once_that_batch_answered()
    {
        var release = new TaskCompletionSource();
        var batches = new List<List<PendingTrigger>>();
        await using var queue = Queue(Committing(batches, n => n == 1 ? release.Task : Task.CompletedTask), writers: 2);
        var a = Guid.NewGuid();

        var original = queue.EnqueueAsync(Pending(a, "order-1", "key-1"));
        await WaitUntilAsync(() => batches.Count == 1);
        // The second writer is free, but the twins must not race the batch still committing for the same rows.
        var sameKey = queue.EnqueueAsync(Pending(a, "order-2", "key-1"));
        var sameTransaction = queue.EnqueueAsync(Pending(a, "order-1"));
        var unrelated = queue.EnqueueAsync(Pending(a, "order-3", "key-3"));
        bool early;
        try
        {
            await unrelated.WaitAsync(Patience);
            await Task.Delay(100);
            early = sameKey.IsCompleted || sameTransaction.IsCompleted;
        }
        finally
        {
            release.SetResult(); // else the queue's disposal waits for the first batch forever
        }

        Assert.False(early, "a twin was answered while its original's batch was still committing");
        Assert.Equal(BatchedStatus.Committed, (await original.WaitAsync(Patience)).Status);
        Assert.Equal(BatchedStatus.Alone, (await sameKey.WaitAsync(Patience)).Status);
        Assert.Equal(BatchedStatus.Alone, (await sameTransaction.WaitAsync(Patience)).Status);

        // Once answered, the ids are free again: the next trigger with them is batched, not held.
        Assert.Equal(BatchedStatus.Committed, (await queue.EnqueueAsync(Pending(a, "order-1", "key-1")).WaitAsync(Patience)).Status);
    }

    [Fact]
    public async Task A_failed_commit_fails_its_callers_and_a_trigger_the_commit_left_unanswered_goes_alone()
    {
        var failure = new InvalidOperationException("commit failed");
        await using var failing = Queue(_ => Task.FromException(failure));
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => failing.EnqueueAsync(Pending()).WaitAsync(Patience));
        Assert.Same(failure, failed);

        await using var silent = Queue(_ => Task.CompletedTask);
        Assert.Equal(BatchedStatus.Alone, (await silent.EnqueueAsync(Pending()).WaitAsync(Patience)).Status);
    }

    [Fact]
    public async Task While_another_batch_commits_a_writer_waits_max_wait_for_company_and_no_longer()
    {
        var release = new TaskCompletionSource();
        var batches = new List<List<PendingTrigger>>();
        await using var queue = Queue(Committing(batches, n => n == 1 ? release.Task : Task.CompletedTask), writers: 2, maxWait: TimeSpan.FromMilliseconds(5));

        var first = queue.EnqueueAsync(Pending());
        await WaitUntilAsync(() => batches.Count == 1);
        var second = queue.EnqueueAsync(Pending());
        await Task.Delay(200); // real time passes; the fake clock does not
        Assert.Single(batches);
        var third = queue.EnqueueAsync(Pending());

        _time.Advance(TimeSpan.FromMilliseconds(5));
        await Task.WhenAll(second, third).WaitAsync(Patience);
        Assert.Equal(2, batches[1].Count);
        release.SetResult();
        await first.WaitAsync(Patience);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(5);
        }
    }
}
