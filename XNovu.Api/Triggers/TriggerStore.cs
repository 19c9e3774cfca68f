using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using XNovu.Api.Http;
using XNovu.Core.Persistence;
using XNovu.Core.Telemetry;
using XNovu.Core.Workflows;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace XNovu.Api.Triggers;

/// <summary>An <c>Idempotency-Key</c> and the hash of the request it came with.</summary>
internal sealed record IdempotencyClaim(string Key, byte[] RequestHash);

/// <summary>What a trigger call came to: an answer (perhaps the stored first one) or a problem.</summary>
internal sealed record StoreOutcome<T>(T? Answer, ProblemHttpResult? Problem, bool Replayed) where T : class
{
    public static StoreOutcome<T> Of(ProblemHttpResult problem) => new(null, problem, false);
}

/// <summary>
/// Stores triggers durably before they are answered. One transaction per call: a first round trip reads
/// the stored answer of the Idempotency-Key, the workflows and the category and priority codes together;
/// a second inserts every notification in one statement (their deliveries come from the database trigger);
/// a third, only with an Idempotency-Key, stores the answer beside them. The transaction id is made here
/// when the caller gives none, so RETURNING answers the value the deliveries carry.
/// </summary>
internal sealed class TriggerStore(
    XNovuDatabase database,
    StaticWorkflowRegistry registry,
    PayloadSchemaValidator schemas,
    IOptions<TriggerOptions> options,
    IOptions<JsonOptions> json)
{
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

    private const string StoredAnswerSql =
        """
        SELECT request_hash AS RequestHash, status_code AS StatusCode, response::text AS Response
        FROM notify.idempotency_key
        WHERE key = @idempotencyKey AND created_at > now() - make_interval(secs => @windowSeconds);
        """;

    private const string LookupSql =
        StoredAnswerSql +
        """
        SELECT id, workflow_key AS WorkflowKey, publish_status::text AS PublishStatus, deactivated, version,
               payload_schema::text AS PayloadSchema, notification_category_id AS CategoryId
        FROM notify.ent_notification_workflow WHERE workflow_key = ANY(@workflowKeys);
        SELECT code, id FROM notify.typ_notification_category WHERE code = ANY(@categoryCodes);
        SELECT code, id FROM notify.typ_notification_priority WHERE code = ANY(@priorityCodes);
        """;

    private const string InsertOneSql =
        $"""
        INSERT INTO notify.ent_notification ({InsertColumns})
        VALUES (@enterpriseId, @workflowKey, @workflowId, @workflowVersion, 'PENDING', @payload::jsonb, @recipients::jsonb,
                @overrides::jsonb, @tags, @transactionId, @scheduledFor, @categoryId, @priorityId, @traceParent)
        {OnTransactionConflict}
        RETURNING id
        """;

    private const string InsertManySql =
        $"""
        INSERT INTO notify.ent_notification ({InsertColumns})
        SELECT @enterpriseId, r.workflow_key, r.workflow_id, r.workflow_version, 'PENDING', r.payload, r.recipients,
               r.overrides, r.tags, r.transaction_id, r.scheduled_for, r.category_id, r.priority_id, @traceParent
        FROM jsonb_to_recordset(@rows::jsonb) AS r(
            workflow_key text, workflow_id bigint, workflow_version integer, payload jsonb, recipients jsonb,
            overrides jsonb, tags text[], transaction_id text, scheduled_for timestamptz, category_id bigint, priority_id bigint)
        {OnTransactionConflict}
        RETURNING id, transaction_id AS TransactionId
        """;

    // A key past its window is taken over in place; a live one (a concurrent first request that committed
    // while this one ran) answers no row, and this request then replays that one's answer.
    private const string StoreAnswerSql =
        """
        INSERT INTO notify.idempotency_key AS k (enterprise_id, key, request_hash, status_code, response)
        VALUES (@enterpriseId, @idempotencyKey, @requestHash, @statusCode, @response::jsonb)
        ON CONFLICT (enterprise_id, key) DO UPDATE
            SET request_hash = excluded.request_hash, status_code = excluded.status_code,
                response = excluded.response, created_at = now()
            WHERE k.created_at <= now() - make_interval(secs => @windowSeconds)
        RETURNING true
        """;

    private double WindowSeconds => options.Value.IdempotencyWindow.TotalSeconds;

    public async Task<StoreOutcome<TriggerAccepted>> TriggerAsync(
        Guid enterpriseId, PreparedTrigger trigger, IdempotencyClaim? claim, CancellationToken cancellationToken)
    {
        string? conflictingTransactionId;
        await using (var session = await database.BeginTenantAsync(enterpriseId, cancellationToken))
        {
            var lookup = await LookupAsync(session, [trigger], claim);
            if (lookup.Stored is { } stored)
            {
                return Replay<TriggerAccepted>(stored, claim!);
            }

            var (row, problem) = Resolve(trigger, lookup);
            if (problem is not null)
            {
                return StoreOutcome<TriggerAccepted>.Of(problem);
            }

            var id = await session.Connection.QuerySingleOrDefaultAsync<long?>(
                InsertOneSql,
                new
                {
                    enterpriseId,
                    workflowKey = trigger.WorkflowKey,
                    workflowId = row!.WorkflowId,
                    workflowVersion = row.WorkflowVersion,
                    payload = trigger.Payload.GetRawText(),
                    recipients = trigger.RecipientsJson,
                    overrides = trigger.OverridesJson,
                    tags = trigger.Tags,
                    transactionId = trigger.TransactionId,
                    scheduledFor = trigger.ScheduledFor,
                    categoryId = row.CategoryId,
                    priorityId = row.PriorityId,
                    traceParent = Activity.Current?.Id,
                },
                session.Transaction);

            var accepted = id is { } notificationId
                ? new TriggerAccepted(notificationId, trigger.TransactionId, "PENDING", trigger.WorkflowKey)
                : null;
            conflictingTransactionId = accepted is null ? trigger.TransactionId : null;
            if (accepted is not null && (claim is null || await StoreAnswerAsync(session, claim, AcceptedStatus, accepted)))
            {
                await session.CommitAsync(cancellationToken);
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
            var lookup = await LookupAsync(session, prepared, claim);
            if (lookup.Stored is { } stored)
            {
                return Replay<BulkTriggerResponse>(stored, claim!);
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
                    (row, problem) = Resolve(trigger, lookup);
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
                var inserted = (await session.Connection.QueryAsync<(long Id, string TransactionId)>(
                        InsertManySql,
                        new { enterpriseId, rows = RowsJson(rows), traceParent = Activity.Current?.Id },
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
            if (claim is null || accepted == 0 || await StoreAnswerAsync(session, claim, BulkStatus, response))
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

    private async Task<Lookup> LookupAsync(TenantSession session, IReadOnlyCollection<PreparedTrigger> triggers, IdempotencyClaim? claim)
    {
        await using var grid = await session.Connection.QueryMultipleAsync(
            LookupSql,
            new
            {
                idempotencyKey = claim?.Key,
                windowSeconds = WindowSeconds,
                workflowKeys = triggers.Select(t => t.WorkflowKey).Distinct().ToArray(),
                categoryCodes = triggers.Select(t => t.CategoryCode).OfType<string>().Distinct().ToArray(),
                priorityCodes = triggers.Select(t => t.PriorityCode).OfType<string>().Distinct().ToArray(),
            },
            session.Transaction);
        var stored = await grid.ReadSingleOrDefaultAsync<StoredAnswer>();
        var workflows = (await grid.ReadAsync<WorkflowRow>()).ToDictionary(w => w.WorkflowKey, StringComparer.Ordinal);
        var categories = (await grid.ReadAsync<(string Code, long Id)>()).ToDictionary(c => c.Code, c => c.Id, StringComparer.Ordinal);
        var priorities = (await grid.ReadAsync<(string Code, long Id)>()).ToDictionary(c => c.Code, c => c.Id, StringComparer.Ordinal);
        return new Lookup(stored, workflows, categories, priorities);
    }

    /// <summary>
    /// The enterprise's own workflow with the key, whatever its state, shadows a static one; it must be
    /// published and active. Then the payload must match its schema and the codes must name this
    /// enterprise's category and priority.
    /// </summary>
    private (ResolvedRow? Row, ProblemHttpResult? Problem) Resolve(PreparedTrigger trigger, Lookup lookup)
    {
        long? workflowId = null;
        int? version = null;
        long? workflowCategoryId = null;
        string? schema;
        if (lookup.Workflows.TryGetValue(trigger.WorkflowKey, out var own))
        {
            if (own.Deactivated)
            {
                return (null, Problems.Conflict($"Workflow '{trigger.WorkflowKey}' is deactivated."));
            }

            if (own.PublishStatus != PublishStatuses.Publish)
            {
                return (null, Problems.Conflict($"Workflow '{trigger.WorkflowKey}' is not published."));
            }

            (workflowId, version, workflowCategoryId, schema) = (own.Id, own.Version, own.CategoryId, own.PayloadSchema);
        }
        else if (registry.FindWorkflow(trigger.WorkflowKey) is { } shipped)
        {
            schema = shipped.PayloadSchema is { } payloadSchema ? payloadSchema.GetRawText() : null;
        }
        else
        {
            return (null, TriggerProblems.WorkflowNotFound(trigger.WorkflowKey));
        }

        var errors = schemas.Validate(schema, trigger.Payload);
        if (errors.Any)
        {
            return (null, Problems.Validation(errors.ToDictionary(), $"The payload does not match the payloadSchema of workflow '{trigger.WorkflowKey}'."));
        }

        // A trigger without a category takes its workflow's.
        var categoryId = workflowCategoryId;
        if (trigger.CategoryCode is { } categoryCode)
        {
            if (lookup.Categories.TryGetValue(categoryCode, out var category))
            {
                categoryId = category;
            }
            else
            {
                errors.Add("categoryCode", $"names no category of this enterprise ('{categoryCode}').");
            }
        }

        long? priorityId = null;
        if (trigger.PriorityCode is { } priorityCode)
        {
            if (lookup.Priorities.TryGetValue(priorityCode, out var priority))
            {
                priorityId = priority;
            }
            else
            {
                errors.Add("priorityCode", $"names no priority of this enterprise ('{priorityCode}').");
            }
        }

        return errors.Any
            ? (null, errors.ToProblem())
            : (new ResolvedRow(workflowId, version, categoryId, priorityId), null);
    }

    private async Task<bool> StoreAnswerAsync<T>(TenantSession session, IdempotencyClaim claim, int statusCode, T answer) =>
        await session.Connection.QuerySingleOrDefaultAsync<bool>(
            StoreAnswerSql,
            new
            {
                enterpriseId = session.EnterpriseId,
                idempotencyKey = claim.Key,
                requestHash = claim.RequestHash,
                statusCode,
                response = JsonSerializer.Serialize(answer, json.Value.SerializerOptions),
                windowSeconds = WindowSeconds,
            },
            session.Transaction);

    private async Task<StoreOutcome<T>> AfterRaceAsync<T>(
        Guid enterpriseId, IdempotencyClaim claim, string? conflictingTransactionId, CancellationToken cancellationToken) where T : class
    {
        var stored = await database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<StoredAnswer>(
            StoredAnswerSql,
            new { idempotencyKey = claim.Key, windowSeconds = WindowSeconds },
            session.Transaction), cancellationToken);
        if (stored is not null)
        {
            return Replay<T>(stored, claim);
        }

        return StoreOutcome<T>.Of(conflictingTransactionId is not null
            ? TriggerProblems.TransactionConflict(conflictingTransactionId)
            : Problems.Conflict("A concurrent request with the same Idempotency-Key did not complete; send the request again."));
    }

    private StoreOutcome<T> Replay<T>(StoredAnswer stored, IdempotencyClaim claim) where T : class =>
        stored.RequestHash.AsSpan().SequenceEqual(claim.RequestHash)
            ? new StoreOutcome<T>(JsonSerializer.Deserialize<T>(stored.Response, json.Value.SerializerOptions), null, true)
            : StoreOutcome<T>.Of(TriggerProblems.IdempotencyKeyReused());

    private static BulkTriggerResult Rejected(int index, ProblemHttpResult problem) =>
        new(index, problem.StatusCode, Error: TriggerProblems.ToBulkError(problem));

    /// <summary>The rows of one multi-row insert, as the JSON array <c>jsonb_to_recordset</c> reads.</summary>
    private static string RowsJson(IEnumerable<(int Index, PreparedTrigger Trigger, ResolvedRow Row)> rows)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var (_, trigger, row) in rows)
            {
                writer.WriteStartObject();
                writer.WriteString("workflow_key", trigger.WorkflowKey);
                WriteNumber(writer, "workflow_id", row.WorkflowId);
                WriteNumber(writer, "workflow_version", row.WorkflowVersion);
                writer.WritePropertyName("payload");
                trigger.Payload.WriteTo(writer);
                writer.WritePropertyName("recipients");
                writer.WriteRawValue(trigger.RecipientsJson, skipInputValidation: true);
                writer.WritePropertyName("overrides");
                if (trigger.OverridesJson is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    writer.WriteRawValue(trigger.OverridesJson, skipInputValidation: true);
                }

                writer.WritePropertyName("tags");
                if (trigger.Tags is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    writer.WriteStartArray();
                    foreach (var tag in trigger.Tags)
                    {
                        writer.WriteStringValue(tag);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteString("transaction_id", trigger.TransactionId);
                if (trigger.ScheduledFor is { } scheduledFor)
                {
                    // Microseconds: PostgreSQL's precision.
                    writer.WriteString("scheduled_for", scheduledFor.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    writer.WriteNull("scheduled_for");
                }

                WriteNumber(writer, "category_id", row.CategoryId);
                WriteNumber(writer, "priority_id", row.PriorityId);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private sealed record Lookup(
        StoredAnswer? Stored,
        Dictionary<string, WorkflowRow> Workflows,
        Dictionary<string, long> Categories,
        Dictionary<string, long> Priorities);

    private sealed record StoredAnswer(byte[] RequestHash, int StatusCode, string Response);

    private sealed record WorkflowRow(
        long Id, string WorkflowKey, string PublishStatus, bool Deactivated, int Version, string? PayloadSchema, long? CategoryId);

    private sealed record ResolvedRow(long? WorkflowId, int? WorkflowVersion, long? CategoryId, long? PriorityId);
}
