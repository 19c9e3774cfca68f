using System.Diagnostics;
using Dapper;
using Npgsql;
using XNovu.Api.Subscribers;
using XNovu.Api.Topics;
using XNovu.Core.Persistence;
using XNovu.Core.Telemetry;
using XNovu.Core.Workflows;

namespace XNovu.Api.Triggers;

/// <summary>
/// Single triggers through commit coalescing (<see cref="TriggerCommitQueue"/>): the lookup is one round trip
/// of its own (the enterprise set and the reads in one implicit transaction), the checks run in the caller,
/// and only a checked trigger joins a shared transaction that inserts every trigger of the batch with one
/// multi-row statement per enterprise that also upserts the recipients it stored, stores their Idempotency-Key
/// answers and commits once. A database error before the commit rolls the batch back and sends each trigger alone through
/// <see cref="TriggerAloneAsync"/>, so one bad row never fails the others; a key taken meanwhile does the same.
/// </summary>
internal sealed partial class TriggerStore
{
    // Sent ahead of the reads or the insert in the same round trip, instead of a round trip of its own.
    private const string SetEnterpriseSql = XNovuDatabase.SetEnterpriseSql + ";\n";

    // The multi-row insert and the directory upsert of the recipients of the rows it stored, in one statement and so
    // one round trip: a trigger refused for its transaction id stores nothing, its recipients included.
    private static readonly string InsertManyWithRecipientsSql =
        "WITH inserted AS (\n" + InsertManyBody + "\nRETURNING id, transaction_id, recipients\n), directory AS (\n"
        + SubscriberStore.UpsertRecipientsFrom(
            """
            (SELECT x.value, row_number() OVER (ORDER BY i.id, x.ordinal) AS ordinal
             FROM inserted i CROSS JOIN LATERAL jsonb_array_elements(i.recipients) WITH ORDINALITY AS x(value, ordinal)
             WHERE jsonb_typeof(i.recipients) = 'array') AS e
            """)
        + "\n)\nSELECT id, transaction_id AS TransactionId FROM inserted";

    private async Task<StoreOutcome<TriggerAccepted>> TriggerCoalescedAsync(
        Guid enterpriseId, PreparedTrigger trigger, int recipients, IdempotencyClaim? claim, CancellationToken cancellationToken)
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

        var (row, problem) = checks.Resolve(trigger, lookup);
        if (problem is not null)
        {
            return StoreOutcome<TriggerAccepted>.Of(problem);
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
        Dictionary<string, long> inserted;
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
            inserted = (await grid.ReadAsync<(long Id, string TransactionId)>()).ToDictionary(r => r.TransactionId, r => r.Id, StringComparer.Ordinal);
        }

        var session = new TenantSession(enterpriseId, connection, transaction);
        foreach (var pending in group)
        {
            if (!inserted.TryGetValue(pending.Trigger.TransactionId, out var id))
            {
                outcomes[pending] = BatchedOutcome.TransactionConflict;
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
