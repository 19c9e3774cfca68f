using System.Data.Common;
using Dapper;
using Npgsql;
using XNovu.Core.Persistence;

namespace XNovu.Api.Triggers;

/// <summary>The store's round trips: the lookup (stored answer, workflows, codes) and the notifications' insert.</summary>
internal sealed partial class TriggerStore
{
    /// <summary>
    /// <see cref="TriggerWorkflow.Stamp"/> of workflow <c>w</c>: its <c>xmin</c> (the id of the transaction that last
    /// wrote it: any write changes it, SQL outside the API included) and its <c>updated_at</c> in microseconds (which
    /// every API write sets), so that even a transaction id reused after wraparound cannot pass for the same row.
    /// Read here by the lookup and compared by <see cref="NotificationRows.InsertSql"/>.
    /// </summary>
    public const string WorkflowStampSql = "(w.xmin::text || '/' || (extract(epoch FROM w.updated_at) * 1000000)::bigint)";

    private const string WorkflowsSql =
        $"""
        SELECT w.id, w.workflow_key AS WorkflowKey, w.payload_schema::text AS PayloadSchema, w.notification_category_id AS CategoryId,
               w.publish_status::text AS PublishStatus, w.deactivated, w.version, {WorkflowStampSql} AS Stamp
        FROM notify.ent_notification_workflow w WHERE w.workflow_key = ANY(@workflowKeys)
        """;

    private const string CategoriesSql = "SELECT code, id FROM notify.typ_notification_category WHERE code = ANY(@categoryCodes)";

    private const string PrioritiesSql = "SELECT code, id FROM notify.typ_notification_priority WHERE code = ANY(@priorityCodes)";

    /// <summary>
    /// The lookup of one trigger outside any transaction: the enterprise is set and the reads run in one round
    /// trip, one implicit transaction, so the local setting holds for the reads.
    /// </summary>
    public async Task<Lookup> LookupAsync(Guid enterpriseId, PreparedTrigger trigger, IdempotencyClaim? claim, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        return await ReadLookupAsync(connection, null, enterpriseId, [trigger], claim, cancellationToken);
    }

    /// <summary>
    /// Inserts <paramref name="rows"/> through <see cref="NotificationRows.InsertSql"/>, after
    /// <paramref name="before"/> (statements of the caller sent in the same round trip). Answers each row's id by
    /// transaction id: a null id for a row a recheck refused, no entry for a transaction id already used.
    /// </summary>
    internal static async Task<Dictionary<string, long?>> InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid enterpriseId, IReadOnlyList<NotificationRow> rows, bool recheck,
        CancellationToken cancellationToken, params NpgsqlBatchCommand[] before)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var command in before)
        {
            batch.BatchCommands.Add(command);
        }

        batch.BatchCommands.Add(Command(
            NotificationRows.InsertSql,
            ("enterpriseId", enterpriseId),
            ("rows", NotificationRows.Json(rows)),
            ("recheck", recheck)));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        // Past the results of the statements before.
        while (reader.FieldCount == 0 || reader.GetName(0) != "id")
        {
            if (!await reader.NextResultAsync(cancellationToken))
            {
                throw new InvalidOperationException("The notification insert answered no result.");
            }
        }

        var inserted = new Dictionary<string, long?>(rows.Count, StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            inserted[reader.GetString(1)] = reader.IsDBNull(0) ? null : reader.GetInt64(0);
        }

        return inserted;
    }

    /// <summary>One statement of a round trip, with its own parameters.</summary>
    internal static NpgsqlBatchCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    /// <summary>
    /// The lookup's reads in one round trip, each statement whole (the stored answer is the Idempotency-Key
    /// store's, read only for a call that has a key); with <paramref name="enterpriseId"/>, the enterprise is set
    /// first in the same round trip (for a caller outside a tenant transaction).
    /// </summary>
    private async Task<Lookup> ReadLookupAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid? enterpriseId, IReadOnlyCollection<PreparedTrigger> triggers,
        IdempotencyClaim? claim, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (enterpriseId is { } id)
        {
            batch.BatchCommands.Add(Command(XNovuDatabase.SetEnterpriseSql, ("enterpriseIdText", id.ToString())));
        }

        if (claim is not null)
        {
            batch.BatchCommands.Add(Command(
                IdempotencyKeyStore.StoredAnswerSql, ("idempotencyKey", claim.Key), ("windowSeconds", idempotencyKeys.WindowSeconds)));
        }

        batch.BatchCommands.Add(Command(WorkflowsSql, ("workflowKeys", triggers.Select(t => t.WorkflowKey).Distinct().ToArray())));
        batch.BatchCommands.Add(Command(CategoriesSql, ("categoryCodes", triggers.Select(t => t.CategoryCode).OfType<string>().Distinct().ToArray())));
        batch.BatchCommands.Add(Command(PrioritiesSql, ("priorityCodes", triggers.Select(t => t.PriorityCode).OfType<string>().Distinct().ToArray())));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (enterpriseId is not null)
        {
            await reader.NextResultAsync(cancellationToken);
        }

        StoredAnswer? stored = null;
        if (claim is not null)
        {
            stored = (await ReadAllAsync<StoredAnswer>(reader, cancellationToken)).SingleOrDefault();
            await reader.NextResultAsync(cancellationToken);
        }

        var workflows = (await ReadAllAsync<TriggerWorkflow>(reader, cancellationToken)).ToDictionary(w => w.WorkflowKey, StringComparer.Ordinal);
        await reader.NextResultAsync(cancellationToken);
        var categories = (await ReadAllAsync<(string Code, long Id)>(reader, cancellationToken)).ToDictionary(c => c.Code, c => c.Id, StringComparer.Ordinal);
        await reader.NextResultAsync(cancellationToken);
        var priorities = (await ReadAllAsync<(string Code, long Id)>(reader, cancellationToken)).ToDictionary(c => c.Code, c => c.Id, StringComparer.Ordinal);
        return new Lookup(stored, workflows, categories, priorities);
    }

    private static async Task<List<T>> ReadAllAsync<T>(DbDataReader reader, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        var parse = reader.GetRowParser<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(parse(reader));
        }

        return rows;
    }
}
