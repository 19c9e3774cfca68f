using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;
using XNovu.Api.Topics;
using XNovu.Core.Persistence;
using XNovu.Core.Telemetry;

namespace XNovu.Api.Triggers;

/// <summary>
/// Single triggers through commit coalescing. A trigger naming no topic is checked here against its lookup
/// (kept in <see cref="TriggerLookupCache"/> or read in one round trip of its own), and only a checked trigger
/// joins <see cref="TriggerCommitQueue"/>, whose writers hand this class batches to store in one transaction
/// (<see cref="ITriggerBatch"/>). A topic trigger, every trigger with coalescing off, and each trigger the batch
/// sends back go through <see cref="ITriggerStore.TriggerAsync"/>, alone, checked afresh in their own transaction.
/// <para>
/// Tenants share a batch, never its fate: groups are stored in enterprise id order (two batches never wait on
/// each other in opposite orders), each under a savepoint, and no statement waits on a lock longer than
/// <see cref="TriggerCommitOptions.LockTimeout"/>. A group that fails in any way (a lock it waited on too long, an
/// Idempotency-Key stored meanwhile by another request, a constraint, any exception) is rolled back to its
/// savepoint and its triggers go alone at once, while the other groups commit. Every fallback is counted in
/// <see cref="XNovuTelemetry.TriggerCommitFallbacks"/> with its reason, and logged.
/// </para>
/// </summary>
internal sealed partial class TriggerCommitWriter : IAsyncDisposable
{
    private readonly ITriggerStore store;
    private readonly TriggerChecks checks;
    private readonly IdempotencyKeyStore idempotencyKeys;
    private readonly TriggerCommitOptions options;
    private readonly ILogger<TriggerCommitWriter> logger;
    private readonly TriggerCommitQueue? _queue;
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _alone = new();

    public TriggerCommitWriter(
        ITriggerStore store,
        TriggerChecks checks,
        IdempotencyKeyStore idempotencyKeys,
        IOptions<TriggerCommitOptions> options,
        TimeProvider time,
        ILogger<TriggerCommitWriter> logger)
    {
        this.store = store;
        this.checks = checks;
        this.idempotencyKeys = idempotencyKeys;
        this.options = options.Value;
        this.logger = logger;
        Lookups = new TriggerLookupCache(this.options, time);
        _queue = this.options.Coalesce ? new TriggerCommitQueue(this.options, CommitBatchAsync, time, logger) : null;
    }

    /// <summary>The lookups kept by this writer.</summary>
    internal TriggerLookupCache Lookups { get; }

    /// <summary>
    /// Stores one trigger: through a coalesced commit when it names no topic (and coalescing is on), else in a
    /// transaction of its own.
    /// </summary>
    public Task<StoreOutcome<TriggerAccepted>> TriggerAsync(
        Guid enterpriseId, PreparedTrigger trigger, IdempotencyClaim? claim, CancellationToken cancellationToken) =>
        _queue is not null && TopicAudience.DirectCount(trigger.RecipientsJson) is { } recipients
            ? CoalescedAsync(enterpriseId, trigger, recipients, claim, cancellationToken)
            : store.TriggerAsync(enterpriseId, trigger, claim, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_queue is not null)
        {
            await _queue.DisposeAsync();
        }

        Lookups.Dispose();
    }

    private async Task<StoreOutcome<TriggerAccepted>> CoalescedAsync(
        Guid enterpriseId, PreparedTrigger trigger, int recipients, IdempotencyClaim? claim, CancellationToken cancellationToken)
    {
        var key = TriggerLookupCache.Key.Of(enterpriseId, trigger);
        ResolvedRow? resolved = null;
        if (claim is null && Lookups.Find(key) is { } kept)
        {
            // A trigger the kept lookup refuses is checked again below: a refusal is decided on current rows.
            (resolved, _) = checks.Resolve(trigger, kept);
        }

        XNovuTelemetry.TriggerLookups.Add(1, XNovuTelemetry.Outcome(resolved is null ? "read" : "kept"));
        if (resolved is null)
        {
            var lookup = await store.LookupAsync(enterpriseId, trigger, claim, cancellationToken);
            if (lookup.Stored is { } stored)
            {
                return idempotencyKeys.Replay<TriggerAccepted>(stored, claim!);
            }

            ProblemHttpResult? problem;
            (resolved, problem) = checks.Resolve(trigger, lookup);
            if (problem is not null)
            {
                return StoreOutcome<TriggerAccepted>.Of(problem);
            }

            Lookups.Keep(key, lookup);
        }

        var outcome = await _queue!.EnqueueAsync(new PendingTrigger(enterpriseId, trigger, recipients, resolved!, claim, Activity.Current?.Id));
        switch (outcome.Status)
        {
            case BatchedStatus.Committed:
                XNovuTelemetry.TriggersAccepted.Add(1);
                return new StoreOutcome<TriggerAccepted>(outcome.Accepted, null, false);
            case BatchedStatus.TransactionConflict when claim is null:
                return StoreOutcome<TriggerAccepted>.Of(TriggerProblems.TransactionConflict(trigger.TransactionId));
            default:
                return await AloneAsync(enterpriseId, trigger, claim, cancellationToken);
        }
    }

    /// <summary>
    /// A trigger the batch sent back, stored alone. At most <see cref="TriggerCommitOptions.MaxAlonePerEnterprise"/>
    /// of one enterprise's at once: while a lock stalls that enterprise's rows, the rest of its triggers wait here
    /// in memory instead of each holding a pooled connection the other enterprises need.
    /// </summary>
    private async Task<StoreOutcome<TriggerAccepted>> AloneAsync(
        Guid enterpriseId, PreparedTrigger trigger, IdempotencyClaim? claim, CancellationToken cancellationToken)
    {
        var gate = _alone.GetOrAdd(enterpriseId, _ => new SemaphoreSlim(options.MaxAlonePerEnterprise));
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await store.TriggerAsync(enterpriseId, trigger, claim, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Stores one batch in one transaction. A failure before the commit leaves every trigger not yet answered to
    /// go alone (nothing of the batch was committed), and so does a commit the server answered with an error (it
    /// rolled back); only a commit whose answer never came (the connection failed) is thrown, and then fails the
    /// batch's callers, since whether it took effect is unknown.
    /// </summary>
    internal async Task CommitBatchAsync(IReadOnlyList<PendingTrigger> batch)
    {
        var committed = new List<(PendingTrigger Pending, BatchedOutcome Outcome)>(batch.Count);
        ITriggerBatch transaction;
        try
        {
            transaction = await store.BeginBatchAsync(options.LockTimeout, options.WakeAfterCommit);
        }
        catch (Exception e)
        {
            FallBack(batch, "batch", e);
            return;
        }

        await using (transaction)
        {
            try
            {
                foreach (var group in batch.GroupBy(p => p.EnterpriseId).OrderBy(g => g.Key))
                {
                    // Keys in one order too, so two batches of one enterprise never take them crosswise.
                    var members = group.OrderBy(p => p.Claim?.Key, StringComparer.Ordinal).ToList();
                    var (outcomes, reason, error) = await StoreGroupAsync(transaction, group.Key, members);
                    if (reason is null)
                    {
                        committed.AddRange(outcomes);
                        continue;
                    }

                    // Anything wrong with this group is this group's: undo it alone, send it alone, go on.
                    await transaction.RollbackGroupAsync();
                    FallBack(members, reason, error);
                }
            }
            catch (Exception e)
            {
                // The rollback itself failed (the connection is gone): nothing of the batch will commit.
                FallBack(batch, "batch", e);
                return;
            }

            try
            {
                await transaction.CommitAsync();
            }
            catch (PostgresException e) when (e.Severity is "ERROR")
            {
                // The server answered the COMMIT with an error: it rolled the transaction back, nothing of the batch
                // took effect, so its triggers go alone like those of a failed group. The one seen: a lock timeout
                // at the commit, where the batch waits on no enterprise's rows but on PostgreSQL's one lock of the
                // NOTIFY queue (the deliveries' trigger wakes the dispatchers), which every notifying transaction
                // holds while its commit is flushed; at 36 million rows of history a flush stalled past the batch's
                // lock timeout and 18 triggers of the batch were answered 503 (issue 32, run 12).
                FallBack(batch, BatchFailure.Reason(e), e);
                return;
            }
        }

        XNovuTelemetry.TriggerCommitBatchSize.Record(committed.Count);
        foreach (var (pending, outcome) in committed)
        {
            pending.Completion.TrySetResult(outcome);
        }
    }

    /// <summary>
    /// One enterprise's triggers of the batch, under their savepoint: their outcomes, or the reason the group
    /// failed (and must be rolled back).
    /// </summary>
    private async Task<(List<(PendingTrigger, BatchedOutcome)> Outcomes, string? Reason, Exception? Error)> StoreGroupAsync(
        ITriggerBatch transaction, Guid enterpriseId, List<PendingTrigger> group)
    {
        var outcomes = new List<(PendingTrigger, BatchedOutcome)>(group.Count);
        try
        {
            var inserted = await transaction.InsertGroupAsync(
                enterpriseId, group.Select(p => NotificationRow.Pending(p.Trigger, p.Row, p.TraceParent)).ToList());
            foreach (var pending in group)
            {
                if (!inserted.TryGetValue(pending.Trigger.TransactionId, out var stored))
                {
                    outcomes.Add((pending, BatchedOutcome.TransactionConflict));
                    continue;
                }

                if (stored is not { } id)
                {
                    // Checked against rows changed since: stored alone after a fresh check, and the kept lookup is dropped.
                    Lookups.Forget(TriggerLookupCache.Key.Of(enterpriseId, pending.Trigger));
                    XNovuTelemetry.TriggerLookups.Add(1, XNovuTelemetry.Outcome("stale"));
                    FallBack([pending], "stale", null);
                    continue;
                }

                var answer = TriggerStore.Accepted(id, pending.Trigger, NotificationStatuses.Pending, enterpriseId, pending.Recipients);
                if (pending.Claim is { } claim && !await transaction.StoreAnswerAsync(enterpriseId, claim, answer))
                {
                    return (outcomes, "key_race", null);
                }

                outcomes.Add((pending, new BatchedOutcome(BatchedStatus.Committed, answer)));
            }

            return (outcomes, null, null);
        }
        catch (Exception e)
        {
            return (outcomes, BatchFailure.Reason(e), e);
        }
    }

    /// <summary>Sends triggers not yet answered to be stored alone, counted and logged with the reason.</summary>
    private void FallBack(IEnumerable<PendingTrigger> triggers, string reason, Exception? error)
    {
        foreach (var group in triggers.GroupBy(p => p.EnterpriseId))
        {
            var count = group.Count(p => p.Completion.TrySetResult(BatchedOutcome.Alone));
            if (count == 0)
            {
                continue;
            }

            XNovuTelemetry.TriggerCommitFallbacks.Add(count, XNovuTelemetry.Reason(reason));
            if (reason is "error" or "database" or "batch")
            {
                LogFallBack(logger, error, count, group.Key, reason);
            }
            else
            {
                // An expected refusal (a lock waited on too long, a deadlock, a key race) is logged without its
                // exception: formatting a first stack trace loads symbols for up to a second, and this runs on a
                // writer the other enterprises' triggers are waiting for.
                LogFallBackExpected(logger, count, group.Key, reason, (error as PostgresException)?.MessageText);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} coalesced triggers of enterprise {EnterpriseId} go alone: {Reason}")]
    private static partial void LogFallBack(ILogger logger, Exception? exception, int count, Guid enterpriseId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} coalesced triggers of enterprise {EnterpriseId} go alone: {Reason} ({Detail})")]
    private static partial void LogFallBackExpected(ILogger logger, int count, Guid enterpriseId, string reason, string? detail);
}
