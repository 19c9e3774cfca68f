using System.Data.Common;
using System.Diagnostics;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using XNovu.Api.Http;
using XNovu.Api.Topics;
using XNovu.Core.Persistence;
using XNovu.Core.Telemetry;

namespace XNovu.Api.Triggers;

/// <summary>
/// What <see cref="TriggerCommitWriter"/> needs of the store: the lookup, a trigger stored alone, and a shared
/// transaction for a batch. The seam its unit tests stand in for.
/// </summary>
internal interface ITriggerStore
{
    Task<Lookup> LookupAsync(Guid enterpriseId, PreparedTrigger trigger, IdempotencyClaim? claim, CancellationToken cancellationToken);

    Task<StoreOutcome<TriggerAccepted>> TriggerAsync(
        Guid enterpriseId, PreparedTrigger trigger, IdempotencyClaim? claim, CancellationToken cancellationToken);

    Task<ITriggerBatch> BeginBatchAsync(TimeSpan lockTimeout, bool wakeAfterCommit);
}

/// <summary>
/// Stores triggers durably before they are answered, one transaction per call: a single trigger stored alone
/// (a topic trigger, one sent alone by <see cref="TriggerCommitWriter"/>, every one with coalescing off) and a
/// bulk call. A first round trip reads the stored answer of the Idempotency-Key, the workflows and the category
/// and priority codes together; a second inserts every notification and upserts the directory in one statement
/// (<see cref="NotificationRows"/>; their deliveries come from the database trigger); a third, only with an
/// Idempotency-Key, stores the answer beside them. Also opens the shared transaction of a coalesced batch
/// (<see cref="TriggerBatch"/>). The transaction id is made by the API when the caller gives none, so RETURNING
/// answers the value the deliveries carry.
/// </summary>
internal sealed partial class TriggerStore(XNovuDatabase database, TriggerChecks checks, IdempotencyKeyStore idempotencyKeys, TopicAudience topics, DispatchWake wake)
    : ITriggerStore
{
    public const int AcceptedStatus = StatusCodes.Status202Accepted;
    public const int BulkStatus = StatusCodes.Status200OK;

    /// <summary>The 202's body for a stored trigger, whichever path stored it.</summary>
    public static TriggerAccepted Accepted(long id, PreparedTrigger trigger, string status, Guid enterpriseId, int recipients) =>
        new(id, trigger.TransactionId, status, trigger.WorkflowKey, enterpriseId,
            $"Workflow '{trigger.WorkflowKey}' triggered: notification {id} is stored and queued for delivery.",
            recipients);

    /// <summary>One trigger in a transaction of its own; a topic becomes its members here.</summary>
    public async Task<StoreOutcome<TriggerAccepted>> TriggerAsync(
        Guid enterpriseId, PreparedTrigger trigger, IdempotencyClaim? claim, CancellationToken cancellationToken)
    {
        string? conflictingTransactionId;
        await using (var session = await database.BeginTenantAsync(enterpriseId, cancellationToken))
        {
            var lookup = await ReadLookupAsync(session.Connection, session.Transaction, null, [trigger], claim, cancellationToken);
            if (lookup.Stored is { } stored)
            {
                return idempotencyKeys.Replay<TriggerAccepted>(stored, claim!);
            }

            var (resolved, problem) = checks.Resolve(trigger, lookup);
            if (problem is not null)
            {
                return StoreOutcome<TriggerAccepted>.Of(problem);
            }

            // Topics become their members now; a topic notification is stored PROCESSING with its whole audience,
            // and its deliveries are created in batches after the commit (the database trigger leaves it alone).
            var (audience, audienceProblem) = await topics.ExpandAsync(session, trigger.RecipientsJson);
            if (audienceProblem is not null)
            {
                return StoreOutcome<TriggerAccepted>.Of(audienceProblem);
            }

            var status = audience!.Expanding ? NotificationStatuses.Processing : NotificationStatuses.Pending;
            var row = new NotificationRow(trigger, resolved!, status, audience.RecipientsJson, audience.Expanding, Activity.Current?.Id);
            var inserted = await InsertAsync(session.Connection, session.Transaction, enterpriseId, [row], recheck: false, cancellationToken);
            var accepted = inserted.GetValueOrDefault(trigger.TransactionId) is { } id ? Accepted(id, trigger, status, enterpriseId, audience.Count) : null;
            conflictingTransactionId = accepted is null ? trigger.TransactionId : null;
            if (accepted is not null && (claim is null || await idempotencyKeys.StoreAnswerAsync(session, claim, AcceptedStatus, accepted)))
            {
                await session.CommitAsync(cancellationToken);
                if (audience.Expanding)
                {
                    await topics.CreateDeliveriesAsync(enterpriseId, accepted.NotificationId, cancellationToken);
                }

                XNovuTelemetry.TriggersAccepted.Add(1);
                return new StoreOutcome<TriggerAccepted>(accepted, null, false);
            }

            if (claim is null)
            {
                return StoreOutcome<TriggerAccepted>.Of(TriggerProblems.TransactionConflict(trigger.TransactionId));
            }
        }

        // A concurrent request with the same key (or the same transaction id) committed first: this one's
        // work is rolled back and it answers what that one answered.
        return await AfterRaceAsync<TriggerAccepted>(enterpriseId, claim, conflictingTransactionId, cancellationToken);
    }

    public async Task<StoreOutcome<BulkTriggerResponse>> TriggerBulkAsync(
        Guid enterpriseId,
        IReadOnlyList<(PreparedTrigger? Trigger, ProblemHttpResult? Problem)> events,
        IdempotencyClaim? claim,
        CancellationToken cancellationToken)
    {
        await using (var session = await database.BeginTenantAsync(enterpriseId, cancellationToken))
        {
            var prepared = events.Select(e => e.Trigger).OfType<PreparedTrigger>().ToList();
            var lookup = await ReadLookupAsync(session.Connection, session.Transaction, null, prepared, claim, cancellationToken);
            if (lookup.Stored is { } stored)
            {
                return idempotencyKeys.Replay<BulkTriggerResponse>(stored, claim!);
            }

            var results = new BulkTriggerResult[events.Count];
            var rows = new List<(int Index, NotificationRow Row)>();
            var transactionIds = new HashSet<string>(StringComparer.Ordinal);
            var traceParent = Activity.Current?.Id;
            for (var i = 0; i < events.Count; i++)
            {
                var (trigger, problem) = events[i];
                ResolvedRow? resolved = null;
                if (trigger is not null)
                {
                    (resolved, problem) = TopicAudience.DirectCount(trigger.RecipientsJson) is null
                        ? (null, Problems.Validation("to", "a topic is reached through POST /api/trigger, one trigger at a time."))
                        : checks.Resolve(trigger, lookup);
                    if (problem is null && !transactionIds.Add(trigger.TransactionId))
                    {
                        problem = Problems.Conflict($"transactionId '{trigger.TransactionId}' is used by an earlier event of this call.");
                    }
                }

                if (problem is not null)
                {
                    results[i] = Rejected(i, problem);
                }
                else
                {
                    rows.Add((i, NotificationRow.Pending(trigger!, resolved!, traceParent)));
                }
            }

            if (rows.Count > 0)
            {
                var inserted = await InsertAsync(
                    session.Connection, session.Transaction, enterpriseId, rows.Select(r => r.Row).ToList(), recheck: false, cancellationToken);
                foreach (var (index, row) in rows)
                {
                    var trigger = row.Trigger;
                    results[index] = inserted.GetValueOrDefault(trigger.TransactionId) is { } id
                        ? new BulkTriggerResult(index, AcceptedStatus, id, trigger.TransactionId, trigger.WorkflowKey)
                        : Rejected(index, TriggerProblems.TransactionConflict(trigger.TransactionId));
                }
            }

            var accepted = results.Count(r => r.Status == AcceptedStatus);
            var response = new BulkTriggerResponse(accepted, results.Length - accepted, results);
            // A call that created nothing stores no answer, as a refused single trigger stores none:
            // sending it again (after publishing the workflow, say) is then harmless and may succeed.
            if (claim is null || accepted == 0 || await idempotencyKeys.StoreAnswerAsync(session, claim, BulkStatus, response))
            {
                await session.CommitAsync(cancellationToken);
                XNovuTelemetry.TriggersAccepted.Add(accepted);
                return new StoreOutcome<BulkTriggerResponse>(response, null, false);
            }
        }

        return await AfterRaceAsync<BulkTriggerResponse>(enterpriseId, claim, null, cancellationToken);
    }

    public async Task<ITriggerBatch> BeginBatchAsync(TimeSpan lockTimeout, bool wakeAfterCommit)
    {
        var connection = await database.DataSource.OpenConnectionAsync();
        try
        {
            return new TriggerBatch(connection, await connection.BeginTransactionAsync(), lockTimeout, idempotencyKeys, wakeAfterCommit ? wake : null);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task<StoreOutcome<T>> AfterRaceAsync<T>(
        Guid enterpriseId, IdempotencyClaim claim, string? conflictingTransactionId, CancellationToken cancellationToken) where T : class
    {
        var stored = await idempotencyKeys.ReadAsync(enterpriseId, claim, cancellationToken);
        if (stored is not null)
        {
            return idempotencyKeys.Replay<T>(stored, claim);
        }

        return StoreOutcome<T>.Of(conflictingTransactionId is not null
            ? TriggerProblems.TransactionConflict(conflictingTransactionId)
            : Problems.Conflict("A concurrent request with the same Idempotency-Key did not complete; send the request again."));
    }

    private static BulkTriggerResult Rejected(int index, ProblemHttpResult problem) =>
        new(index, problem.StatusCode, Error: TriggerProblems.ToBulkError(problem));
}
