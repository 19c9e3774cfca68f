// Over 300 lines on purpose: the single and bulk insert paths, their idempotency and topic expansion share
// one transaction shape, and keeping them in one store keeps the trigger's whole SQL story in one file.
using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;
using XNovu.Api.Http;
using XNovu.Api.Subscribers;
using XNovu.Api.Topics;
using XNovu.Api.Workflows;
using XNovu.Core.Json;
using XNovu.Core.Persistence;
using XNovu.Core.Telemetry;
using XNovu.Core.Workflows;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace XNovu.Api.Triggers;

/// <summary>
/// Stores triggers durably before they are answered. A single trigger without topics goes through commit
/// coalescing (<c>TriggerStore.Coalesced.cs</c>); a bulk call, a topic trigger, and a single trigger sent alone
/// take one transaction per call: a first round trip reads
/// the stored answer of the Idempotency-Key, the workflows and the category and priority codes together;
/// a second inserts every notification in one statement (their deliveries come from the database trigger);
/// a third, only with an Idempotency-Key, stores the answer beside them. The transaction id is made here
/// when the caller gives none, so RETURNING answers the value the deliveries carry.
/// </summary>
internal sealed partial class TriggerStore : IAsyncDisposable
{
    private readonly XNovuDatabase database;
    private readonly TriggerChecks checks;
    private readonly IdempotencyKeyStore idempotencyKeys;
    private readonly TopicAudience topics;
    private readonly TriggerLookupCache lookups;
    private readonly ILogger<TriggerStore> logger;
    private readonly TriggerCommitQueue? _commits;

    public TriggerStore(
        XNovuDatabase database,
        TriggerChecks checks,
        IdempotencyKeyStore idempotencyKeys,
        TopicAudience topics,
        TriggerLookupCache lookups,
        IOptions<TriggerCommitOptions> commitOptions,
        TimeProvider time,
        ILogger<TriggerStore> logger)
    {
        this.database = database;
        this.checks = checks;
        this.idempotencyKeys = idempotencyKeys;
        this.topics = topics;
        this.lookups = lookups;
        this.logger = logger;
        _commits = commitOptions.Value.Coalesce ? new TriggerCommitQueue(commitOptions.Value, CommitBatchAsync, time, logger) : null;
    }

    public const int AcceptedStatus = StatusCodes.Status202Accepted;
    public const int BulkStatus = StatusCodes.Status200OK;

    private const string InsertColumns =
        """
        enterprise_id, workflow_key, notification_workflow_id, workflow_version, notification_status, payload, recipients,
        overrides, tags, transaction_id, scheduled_for, notification_category_id, notification_priority_id, trace_parent
        """;

    // A transaction id already used by this enterprise inserts nothing and answers no row: a 409, not an error.
    private const string OnTransactionConflict =
        "ON CONFLICT (enterprise_id, transaction_id) WHERE transaction_id IS NOT NULL DO NOTHING";

    /// <summary>
    /// <see cref="TriggerWorkflow.Stamp"/> of workflow <c>w</c>: its <c>xmin</c> (the id of the transaction that last
    /// wrote it: any write changes it, SQL outside the API included) and its <c>updated_at</c> in microseconds (which
    /// every API write sets), so that even a transaction id reused after wraparound cannot pass for the same row.
    /// </summary>
    private const string WorkflowStampSql = "(w.xmin::text || '/' || (extract(epoch FROM w.updated_at) * 1000000)::bigint)";

    private const string LookupSql =
        IdempotencyKeyStore.StoredAnswerSql +
        $"""
        SELECT w.id, w.workflow_key AS WorkflowKey, w.payload_schema::text AS PayloadSchema, w.notification_category_id AS CategoryId,
               w.publish_status::text AS PublishStatus, w.deactivated, w.version, {WorkflowStampSql} AS Stamp
        FROM notify.ent_notification_workflow w WHERE w.workflow_key = ANY(@workflowKeys);
        SELECT code, id FROM notify.typ_notification_category WHERE code = ANY(@categoryCodes);
        SELECT code, id FROM notify.typ_notification_priority WHERE code = ANY(@priorityCodes);
        """;

    private const string InsertOneSql =
        $"""
        INSERT INTO notify.ent_notification ({InsertColumns}, expansion_pending)
        VALUES (@enterpriseId, @workflowKey, @workflowId, @workflowVersion, @status::notify.notification_status, @payload::jsonb,
                @recipients::jsonb, @overrides::jsonb, @tags, @transactionId, @scheduledFor, @categoryId, @priorityId, @traceParent,
                @expanding)
        {OnTransactionConflict}
        RETURNING id
        """;

    private const string InsertManySql = InsertManyBody + "\nRETURNING id, transaction_id AS TransactionId";

    private const string InsertManyBody = InsertManySelect + "\nFROM jsonb_to_recordset(@rows::jsonb) AS r(" + RowColumns + ")\n" + OnTransactionConflict;

    /// <summary>The insert of the rows <c>r</c> of a source its caller names after it.</summary>
    private const string InsertManySelect =
        $"""
        INSERT INTO notify.ent_notification ({InsertColumns})
        SELECT @enterpriseId, r.workflow_key, r.workflow_id, r.workflow_version, 'PENDING', r.payload, r.recipients,
               r.overrides, r.tags, r.transaction_id, r.scheduled_for, r.category_id, r.priority_id, r.trace_parent
        """;

    /// <summary>The columns <see cref="RowsJson"/> writes, as <c>jsonb_to_recordset</c> reads them.</summary>
    private const string RowColumns =
        """
        workflow_key text, workflow_id bigint, workflow_version integer, payload jsonb, recipients jsonb,
            overrides jsonb, tags text[], transaction_id text, scheduled_for timestamptz, category_id bigint, priority_id bigint,
            trace_parent text
        """;

    /// <summary>
    /// Stores one trigger: through a coalesced commit when it names no topic (and coalescing is on), else in a
    /// transaction of its own.
    /// </summary>
    public Task<StoreOutcome<TriggerAccepted>> TriggerAsync(
        Guid enterpriseId, PreparedTrigger trigger, IdempotencyClaim? claim, CancellationToken cancellationToken) =>
        _commits is not null && TopicAudience.DirectCount(trigger.RecipientsJson) is { } recipients
            ? TriggerCoalescedAsync(enterpriseId, trigger, recipients, claim, cancellationToken)
            : TriggerAloneAsync(enterpriseId, trigger, claim, cancellationToken);

    public ValueTask DisposeAsync() => _commits?.DisposeAsync() ?? ValueTask.CompletedTask;

    /// <summary>The 202's body for a stored trigger, whichever path stored it.</summary>
    private static TriggerAccepted Accepted(long id, PreparedTrigger trigger, string status, Guid enterpriseId, int recipients) =>
        new(id, trigger.TransactionId, status, trigger.WorkflowKey, enterpriseId,
            $"Workflow '{trigger.WorkflowKey}' triggered: notification {id} is stored and queued for delivery.",
            recipients);

    private async Task<StoreOutcome<TriggerAccepted>> TriggerAloneAsync(
        Guid enterpriseId, PreparedTrigger trigger, IdempotencyClaim? claim, CancellationToken cancellationToken)
    {
        string? conflictingTransactionId;
        await using (var session = await database.BeginTenantAsync(enterpriseId, cancellationToken))
        {
            var lookup = await LookupAsync(session.Connection, session.Transaction, [trigger], claim);
            if (lookup.Stored is { } stored)
            {
                return idempotencyKeys.Replay<TriggerAccepted>(stored, claim!);
            }

            var (row, problem) = checks.Resolve(trigger, lookup);
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

            await SubscriberStore.UpsertRecipientsAsync(session, trigger.RecipientsJson);
            var status = audience!.Expanding ? NotificationStatuses.Processing : NotificationStatuses.Pending;
            var id = await session.Connection.QuerySingleOrDefaultAsync<long?>(
                InsertOneSql,
                new
                {
                    enterpriseId,
                    workflowKey = trigger.WorkflowKey,
                    workflowId = row!.WorkflowId,
                    workflowVersion = row.WorkflowVersion,
                    payload = trigger.Payload.GetRawText(),
                    recipients = audience.RecipientsJson,
                    status,
                    expanding = audience.Expanding,
                    overrides = trigger.OverridesJson,
                    tags = trigger.Tags,
                    transactionId = trigger.TransactionId,
                    scheduledFor = trigger.ScheduledFor,
                    categoryId = row.CategoryId,
                    priorityId = row.PriorityId,
                    traceParent = Activity.Current?.Id,
                },
                session.Transaction);

            var accepted = id is { } notificationId ? Accepted(notificationId, trigger, status, enterpriseId, audience.Count) : null;
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
            var lookup = await LookupAsync(session.Connection, session.Transaction, prepared, claim);
            if (lookup.Stored is { } stored)
            {
                return idempotencyKeys.Replay<BulkTriggerResponse>(stored, claim!);
            }

            var results = new BulkTriggerResult[events.Count];
            var rows = new List<(int Index, PreparedTrigger Trigger, ResolvedRow Row)>();
            var transactionIds = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < events.Count; i++)
            {
                var (trigger, problem) = events[i];
                ResolvedRow? row = null;
                if (trigger is not null)
                {
                    (row, problem) = TopicAudience.DirectCount(trigger.RecipientsJson) is null
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
                    rows.Add((i, trigger!, row!));
                }
            }

            if (rows.Count > 0)
            {
                await SubscriberStore.UpsertRecipientsAsync(session, AllRecipients(rows.Select(r => r.Trigger)));
                var inserted = (await session.Connection.QueryAsync<(long Id, string TransactionId)>(
                        InsertManySql,
                        new { enterpriseId, rows = RowsJson(rows.Select(r => (r.Trigger, r.Row, Activity.Current?.Id))) },
                        session.Transaction))
                    .ToDictionary(r => r.TransactionId, r => r.Id, StringComparer.Ordinal);
                foreach (var (index, trigger, _) in rows)
                {
                    results[index] = inserted.TryGetValue(trigger.TransactionId, out var id)
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
                foreach (var result in results.Where(r => r.Status == AcceptedStatus))
                {
                    XNovuTelemetry.TriggersAccepted.Add(1);
                }

                return new StoreOutcome<BulkTriggerResponse>(response, null, false);
            }
        }

        return await AfterRaceAsync<BulkTriggerResponse>(enterpriseId, claim, null, cancellationToken);
    }

    /// <summary>
    /// The lookup's reads in one round trip; with <paramref name="enterpriseId"/>, the enterprise is set first in
    /// the same round trip (for a caller outside a tenant transaction).
    /// </summary>
    private async Task<Lookup> LookupAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyCollection<PreparedTrigger> triggers, IdempotencyClaim? claim,
        Guid? enterpriseId = null)
    {
        await using var grid = await connection.QueryMultipleAsync(
            enterpriseId is null ? LookupSql : SetEnterpriseSql + LookupSql,
            new
            {
                enterpriseIdText = enterpriseId?.ToString(),
                idempotencyKey = claim?.Key,
                windowSeconds = idempotencyKeys.WindowSeconds,
                workflowKeys = triggers.Select(t => t.WorkflowKey).Distinct().ToArray(),
                categoryCodes = triggers.Select(t => t.CategoryCode).OfType<string>().Distinct().ToArray(),
                priorityCodes = triggers.Select(t => t.PriorityCode).OfType<string>().Distinct().ToArray(),
            },
            transaction);
        if (enterpriseId is not null)
        {
            await grid.ReadAsync();
        }

        var stored = await grid.ReadSingleOrDefaultAsync<StoredAnswer>();
        var workflows = (await grid.ReadAsync<TriggerWorkflow>()).ToDictionary(w => w.WorkflowKey, StringComparer.Ordinal);
        var categories = (await grid.ReadAsync<(string Code, long Id)>()).ToDictionary(c => c.Code, c => c.Id, StringComparer.Ordinal);
        var priorities = (await grid.ReadAsync<(string Code, long Id)>()).ToDictionary(c => c.Code, c => c.Id, StringComparer.Ordinal);
        return new Lookup(stored, workflows, categories, priorities);
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

    /// <summary>The recipients of several triggers as one JSON array.</summary>
    private static string AllRecipients(IEnumerable<PreparedTrigger> triggers) =>
        "[" + string.Join(",", triggers.Select(t => t.RecipientsJson[1..^1].Trim()).Where(r => r.Length > 0)) + "]";

    /// <summary>The rows of one multi-row insert, as the JSON array <c>jsonb_to_recordset</c> reads.</summary>
    private static string RowsJson(IEnumerable<(PreparedTrigger Trigger, ResolvedRow Row, string? TraceParent)> rows)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var (trigger, row, traceParent) in rows)
            {
                writer.WriteStartObject();
                writer.WriteString("workflow_key", trigger.WorkflowKey);
                writer.WriteNumberOrNull("workflow_id", row.WorkflowId);
                writer.WriteNumberOrNull("workflow_version", row.WorkflowVersion);
                writer.WritePropertyName("payload");
                trigger.Payload.WriteTo(writer);
                writer.WriteRawOrNull("recipients", trigger.RecipientsJson);
                writer.WriteRawOrNull("overrides", trigger.OverridesJson);
                writer.WriteStringsOrNull("tags", trigger.Tags);
                writer.WriteString("transaction_id", trigger.TransactionId);
                writer.WriteUtcTimestampOrNull("scheduled_for", trigger.ScheduledFor);
                writer.WriteNumberOrNull("category_id", row.CategoryId);
                writer.WriteNumberOrNull("priority_id", row.PriorityId);
                writer.WriteString("trace_parent", traceParent);
                // What the coalesced commit re-checks (see TriggerStore.Coalesced.cs); the bulk insert ignores them.
                writer.WriteString("workflow_stamp", row.WorkflowStamp);
                writer.WriteString("category_code", trigger.CategoryCode);
                writer.WriteString("priority_code", trigger.PriorityCode);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
