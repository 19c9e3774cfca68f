using System.Collections.Concurrent;
using XNovu.Core.Persistence;
using XNovu.Core.Telemetry;

namespace XNovu.Api.Triggers;

/// <summary>A single trigger, checked and resolved, waiting for the commit that stores it.</summary>
internal sealed record PendingTrigger(Guid EnterpriseId, PreparedTrigger Trigger, int Recipients, ResolvedRow Row, IdempotencyClaim? Claim, string? TraceParent)
{
    public TaskCompletionSource<BatchedOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>What the shared commit did with one trigger.</summary>
internal readonly record struct BatchedOutcome(BatchedStatus Status, TriggerAccepted? Accepted = null)
{
    public static readonly BatchedOutcome Alone = new(BatchedStatus.Alone);
    public static readonly BatchedOutcome TransactionConflict = new(BatchedStatus.TransactionConflict);
}

internal enum BatchedStatus
{
    /// <summary>Stored and committed.</summary>
    Committed,

    /// <summary>Its transaction id was already this enterprise's: nothing of it was stored.</summary>
    TransactionConflict,

    /// <summary>Not stored: it goes through the one-at-a-time path (a batch that failed, a twin in the batch, shutdown).</summary>
    Alone,
}

/// <summary>
/// Commit coalescing for single triggers: callers enqueue checked triggers, and up to
/// <see cref="TriggerCommitOptions.Writers"/> writers each take what has arrived (at most
/// <see cref="TriggerCommitOptions.MaxBatchSize"/>, waiting at most <see cref="TriggerCommitOptions.MaxWait"/>
/// after the first) and store it through <paramref name="commit"/> in one transaction. Each caller is answered
/// only after that commit. Two triggers of one enterprise with the same transaction id or Idempotency-Key never
/// share a batch, nor sit in two batches at once: the later waits for the earlier's answer, then goes alone, where
/// the unique keys decide as they always did (and find the earlier's row committed, with no lock to wait on).
/// </summary>
internal sealed partial class TriggerCommitQueue(
    TriggerCommitOptions options,
    Func<IReadOnlyList<PendingTrigger>, Task> commit,
    TimeProvider time,
    ILogger logger) : IAsyncDisposable
{
    private readonly CommitGatherer<PendingTrigger> _gatherer = new(options.MaxBatchSize, options.MaxWait, time);

    // The transaction ids and Idempotency-Keys of every trigger in a batch being gathered or committed, by any
    // writer: a later trigger with the same one waits for that trigger's answer before it goes alone, so it never
    // races the batch for the same unique row (a lock wait the batch's other enterprises would share).
    private readonly ConcurrentDictionary<(Guid EnterpriseId, string Id), PendingTrigger> _inFlight = new();

    private Task[]? _writers;
    private int _started;

    /// <summary>Answers once the trigger's batch committed (or failed, or sent it alone).</summary>
    public Task<BatchedOutcome> EnqueueAsync(PendingTrigger trigger)
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _writers = Enumerable.Range(0, options.Writers).Select(_ => Task.Run(() => _gatherer.WriteLoopAsync(Admit, CommitAsync))).ToArray();
        }

        return _gatherer.TryWrite(trigger) ? trigger.Completion.Task : Task.FromResult(BatchedOutcome.Alone);
    }

    public async ValueTask DisposeAsync()
    {
        _gatherer.Complete();
        if (_writers is { } writers)
        {
            await Task.WhenAll(writers);
        }
    }

    private async Task CommitAsync(List<PendingTrigger> batch)
    {
        try
        {
            await commit(batch);
        }
        catch (Exception e)
        {
            // The commit itself failed: whether it took effect is unknown, so no trigger is re-stored alone
            // (it could be stored twice); each caller gets the failure (a 503 for an outage).
            LogBatchFailed(logger, e, batch.Count);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(e);
            }
        }
        finally
        {
            foreach (var pending in batch)
            {
                Release(pending);
            }
        }

        // Anything the commit left unanswered goes alone rather than waiting forever.
        foreach (var pending in batch)
        {
            pending.Completion.TrySetResult(BatchedOutcome.Alone);
        }
    }

    /// <summary>Keeps a trigger whose twin is in flight out of the batch: it goes alone once the twin is answered.</summary>
    private bool Admit(PendingTrigger pending)
    {
        if (InFlightTwin(pending) is not { } twin)
        {
            return true;
        }

        // Alone once its twin is answered: stored by then (replayed, or refused as a duplicate), or sent alone
        // itself, never both racing for the same row.
        XNovuTelemetry.TriggerCommitFallbacks.Add(1, XNovuTelemetry.Reason("twin"));
        LogTwin(logger, pending.EnterpriseId);
        _ = twin.ContinueWith(
            static (_, state) => ((PendingTrigger)state!).Completion.TrySetResult(BatchedOutcome.Alone),
            pending,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return false;
    }

    /// <summary>
    /// The answer of the trigger in flight (in any writer's batch) with the same transaction id or Idempotency-Key
    /// (already complete when that trigger was answered just now), or null after this one's ids were registered.
    /// </summary>
    private Task<BatchedOutcome>? InFlightTwin(PendingTrigger pending)
    {
        var transaction = (pending.EnterpriseId, "tx:" + pending.Trigger.TransactionId);
        if (!_inFlight.TryAdd(transaction, pending))
        {
            return _inFlight.TryGetValue(transaction, out var twin) ? twin.Completion.Task : Answered;
        }

        if (pending.Claim is { } claim && !_inFlight.TryAdd((pending.EnterpriseId, "key:" + claim.Key), pending))
        {
            _inFlight.TryRemove(KeyValuePair.Create(transaction, pending));
            return _inFlight.TryGetValue((pending.EnterpriseId, "key:" + claim.Key), out var twin) ? twin.Completion.Task : Answered;
        }

        return null;
    }

    private void Release(PendingTrigger pending)
    {
        _inFlight.TryRemove(KeyValuePair.Create((pending.EnterpriseId, "tx:" + pending.Trigger.TransactionId), pending));
        if (pending.Claim is { } claim)
        {
            _inFlight.TryRemove(KeyValuePair.Create((pending.EnterpriseId, "key:" + claim.Key), pending));
        }
    }

    /// <summary>Stands for a twin answered just as it was looked up: the later trigger goes alone at once.</summary>
    private static readonly Task<BatchedOutcome> Answered = Task.FromResult(BatchedOutcome.Alone);

    [LoggerMessage(Level = LogLevel.Information, Message = "A coalesced trigger of enterprise {EnterpriseId} goes alone once its twin is answered (its transaction id or Idempotency-Key is in a batch in flight)")]
    private static partial void LogTwin(ILogger logger, Guid enterpriseId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A coalesced commit of {Count} triggers failed; each caller is answered the failure")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);
}
