using System.Diagnostics;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using XNovu.Api.Subscribers;
using XNovu.Api.Topics;
using XNovu.Core.Persistence;
using XNovu.Core.Telemetry;
using XNovu.Core.Workflows;

namespace XNovu.Api.Triggers;

/// <summary>
/// Single triggers through commit coalescing (<see cref="TriggerCommitQueue"/>): the lookup is found in
/// <see cref="TriggerLookupCache"/> or read in one round trip of its own (the enterprise set and the reads in one
/// implicit transaction), the checks run in the caller, and only a checked trigger joins a shared transaction that
/// inserts every trigger of the batch with one multi-row statement per enterprise. That statement stores a row only
/// if the workflow and codes it was checked against are unchanged, upserts the recipients of the rows it stored,
/// and names the rows it did not store; then the batch stores its Idempotency-Key answers and commits once. A
/// trigger checked against changed rows, a database error before the commit (which rolls the batch back) and a
/// key taken meanwhile each send the trigger alone through <see cref="TriggerAloneAsync"/>, where it is checked
/// afresh in its own transaction, so one bad row never fails the others.
/// </summary>
internal sealed partial class TriggerStore
{
    // Sent ahead of the reads or the insert in the same round trip, instead of a round trip of its own.
    private const string SetEnterpriseSql = XNovuDatabase.SetEnterpriseSql + ";\n";

    // The multi-row insert and the directory upsert of the recipients of the rows it stored, in one statement and so
    // one round trip: a trigger refused for its transaction id stores nothing, its recipients included.
    // A row whose checks no longer hold (its workflow written since, or shadowed by a new one of the enterprise, or
    // a code that names another row now) is not stored and answers a null id.
    private static readonly string InsertManyWithRecipientsSql =
        "WITH checked AS MATERIALIZED (\nSELECT r.*, " + Unchanged + " AS unchanged\nFROM jsonb_to_recordset(@rows::jsonb) AS r("
        + RowColumns + ", workflow_stamp text, category_code text, priority_code text)\n), inserted AS (\n"
        + InsertManySelect + "\nFROM checked r WHERE r.unchanged\n" + OnTransactionConflict
        + "\nRETURNING id, transaction_id, recipients\n), directory AS (\n"
        + SubscriberStore.UpsertRecipientsFrom(
            """
            (SELECT x.value, row_number() OVER (ORDER BY i.id, x.ordinal) AS ordinal
             FROM inserted i CROSS JOIN LATERAL jsonb_array_elements(i.recipients) WITH ORDINALITY AS x(value, ordinal)
             WHERE jsonb_typeof(i.recipients) = 'array') AS e
            """)
        + "\n)\nSELECT id, transaction_id AS TransactionId FROM inserted\n"
        + "UNION ALL SELECT NULL, transaction_id FROM checked WHERE NOT unchanged";

    /// <summary>Whether row <c>r</c> was checked against the rows as they are now.</summary>
    private const string Unchanged =
        $"""
        (CASE WHEN r.workflow_id IS NULL
                  THEN NOT EXISTS (SELECT 1 FROM notify.ent_notification_workflow w
                                   WHERE w.enterprise_id = @enterpriseId AND w.workflow_key = r.workflow_key)
                  ELSE EXISTS (SELECT 1 FROM notify.ent_notification_workflow w
                               WHERE w.enterprise_id = @enterpriseId AND w.workflow_key = r.workflow_key
                                 AND w.id = r.workflow_id AND {WorkflowStampSql} = r.workflow_stamp)
             END
         AND (r.category_code IS NULL OR EXISTS (SELECT 1 FROM notify.typ_notification_category c
                                                 WHERE c.enterprise_id = @enterpriseId AND c.code = r.category_code AND c.id = r.category_id))
         AND (r.priority_code IS NULL OR EXISTS (SELECT 1 FROM notify.typ_notification_priority p
                                                 WHERE p.enterprise_id = @enterpriseId AND p.code = r.priority_code AND p.id = r.priority_id)))
        """;

    private async Task<StoreOutcome<TriggerAccepted>> TriggerCoalescedAsync(
        Guid enterpriseId, PreparedTrigger trigger, int recipients, IdempotencyClaim? claim, CancellationToken cancellationToken)
    {
        var key = TriggerLookupCache.Key.Of(enterpriseId, trigger);
        ResolvedRow? row = null;
        if (claim is null && lookups.Find(key) is { } kept)
        {
            // A trigger the kept lookup refuses is checked again below: a refusal is decided on current rows.
            (row, _) = checks.Resolve(trigger, kept);
        }

        XNovuTelemetry.TriggerLookups.Add(1, XNovuTelemetry.Outcome(row is null ? "read" : "kept"));
        if (row is null)
        {
            Lookup lookup;
            await using (var connection = await database.DataSource.OpenConnectionAsync(cancellationToken))
            {
                // No BEGIN: statements sent together run in one implicit transaction, so the local setting holds for the reads.
                lookup = await LookupAsync(connection, null, [trigger], claim, enterpriseId);
            }

            if (lookup.Stored is { } stored)
            {
                return idempotencyKeys.Replay<TriggerAccepted>(stored, claim!);
            }

            ProblemHttpResult? problem;
            (row, problem) = checks.Resolve(trigger, lookup);
            if (problem is not null)
            {
                return StoreOutcome<TriggerAccepted>.Of(problem);
            }

            lookups.Keep(key, lookup);
        }

        var outcome = await _commits!.EnqueueAsync(new PendingTrigger(enterpriseId, trigger, recipients, row!, claim, Activity.Current?.Id));
        switch (outcome.Status)
        {
            case BatchedStatus.Committed:
                XNovuTelemetry.TriggersAccepted.Add(1);
                return new StoreOutcome<TriggerAccepted>(outcome.Accepted, null, false);
            case BatchedStatus.TransactionConflict when claim is null:
                return StoreOutcome<TriggerAccepted>.Of(TriggerProblems.TransactionConflict(trigger.TransactionId));
            default:
                return await TriggerAloneAsync(enterpriseId, trigger, claim, cancellationToken);
        }
    }

    /// <summary>Stores one batch in one transaction; throws only when the commit itself fails.</summary>
    private async Task CommitBatchAsync(IReadOnlyList<PendingTrigger> batch)
    {
        var outcomes = new Dictionary<PendingTrigger, BatchedOutcome>(batch.Count);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        try
        {
            foreach (var group in batch.GroupBy(p => p.EnterpriseId))
            {
                if (!await InsertGroupAsync(connection, transaction, group.Key, group.ToList(), outcomes))
                {
                    await transaction.RollbackAsync();
                    return; // every trigger unanswered goes alone
                }
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LogBatchRolledBack(logger, e, batch.Count);
            return;
        }

        await transaction.CommitAsync();
        XNovuTelemetry.TriggerCommitBatchSize.Record(batch.Count);
        foreach (var (pending, outcome) in outcomes)
        {
            pending.Completion.TrySetResult(outcome);
        }
    }

    /// <summary>False when an Idempotency-Key of the group was stored meanwhile by another request: the batch rolls back.</summary>
    private async Task<bool> InsertGroupAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid enterpriseId, List<PendingTrigger> group,
        Dictionary<PendingTrigger, BatchedOutcome> outcomes)
    {
        Dictionary<string, long?> inserted;
        await using (var grid = await connection.QueryMultipleAsync(
            SetEnterpriseSql + InsertManyWithRecipientsSql,
            new
            {
                enterpriseIdText = enterpriseId.ToString(),
                enterpriseId,
                rows = RowsJson(group.Select(p => (p.Trigger, p.Row, p.TraceParent))),
            },
            transaction))
        {
            await grid.ReadAsync();
            inserted = (await grid.ReadAsync<(long? Id, string TransactionId)>()).ToDictionary(r => r.TransactionId, r => r.Id, StringComparer.Ordinal);
        }

        var session = new TenantSession(enterpriseId, connection, transaction);
        foreach (var pending in group)
        {
            if (!inserted.TryGetValue(pending.Trigger.TransactionId, out var stored))
            {
                outcomes[pending] = BatchedOutcome.TransactionConflict;
                continue;
            }

            if (stored is not { } id)
            {
                // Checked against rows changed since: stored alone after a fresh check, and the kept lookup is dropped.
                lookups.Forget(TriggerLookupCache.Key.Of(enterpriseId, pending.Trigger));
                XNovuTelemetry.TriggerLookups.Add(1, XNovuTelemetry.Outcome("stale"));
                outcomes[pending] = BatchedOutcome.Alone;
                continue;
            }

            var answer = Accepted(id, pending.Trigger, NotificationStatuses.Pending, enterpriseId, pending.Recipients);
            if (pending.Claim is { } claim && !await idempotencyKeys.StoreAnswerAsync(session, claim, AcceptedStatus, answer))
            {
                return false;
            }

            outcomes[pending] = new BatchedOutcome(BatchedStatus.Committed, answer);
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A coalesced batch of {Count} triggers failed before its commit and was rolled back; each trigger is stored alone")]
    private static partial void LogBatchRolledBack(ILogger logger, Exception exception, int count);
}
