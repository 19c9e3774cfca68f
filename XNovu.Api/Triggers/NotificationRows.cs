using System.Buffers;
using System.Text;
using System.Text.Json;
using XNovu.Api.Subscribers;
using XNovu.Core.Json;
using XNovu.Core.Persistence;

namespace XNovu.Api.Triggers;

/// <summary>
/// One notification to insert, as every trigger path builds it (alone, bulk, coalesced): the trigger, what its
/// checks resolved, its status and stored recipients (a topic's are its expanded audience), and its trace.
/// </summary>
internal sealed record NotificationRow(
    PreparedTrigger Trigger, ResolvedRow Resolved, string Status, string RecipientsJson, bool Expanding, string? TraceParent)
{
    /// <summary>A trigger naming no topic: stored PENDING with its own recipients.</summary>
    public static NotificationRow Pending(PreparedTrigger trigger, ResolvedRow resolved, string? traceParent) =>
        new(trigger, resolved, NotificationStatuses.Pending, trigger.RecipientsJson, Expanding: false, traceParent);
}

/// <summary>
/// The one definition of how a notification is inserted, used by the single, bulk and coalesced paths. A new
/// column of <c>notify.ent_notification</c> that triggers fill is one edit in this file: a property on
/// <see cref="NotificationRow"/> (or <see cref="ResolvedRow"/>), its line in <see cref="Json"/>, and its name in
/// the INSERT's column and SELECT lists of <see cref="InsertSql"/>. The JSON's names are the table's column
/// names, and <c>jsonb_populate_record</c> reads them with the table's own types, so no type list repeats them.
/// </summary>
internal static class NotificationRows
{
    /// <summary>
    /// Inserts rows <c>@rows</c> of enterprise <c>@enterpriseId</c> and upserts the directory from the object
    /// recipients of the rows it stored (Novu's merge: a given field wins, the last mention of an id wins), in one
    /// statement. A transaction id this enterprise already used stores nothing, its recipients included, and
    /// answers no row (a 409). With <c>@recheck</c> (the coalesced commit, whose rows were checked outside its
    /// transaction) a row whose checks no longer hold (its workflow written since, or shadowed by a new one of
    /// the enterprise, or a code that names another row now) is not stored and answers a null id. A transaction id
    /// is claimed first in <c>notify.notification_transaction</c> (unique across the history's day partitions,
    /// issue 32), with the id its notification then takes.
    /// The stamp compared is the one the lookup read, <see cref="TriggerStore.WorkflowStampSql"/>.
    /// </summary>
    public const string InsertSql =
        $"""
        WITH r AS MATERIALIZED (
            SELECT n.*, j.value ->> 'workflow_stamp' AS workflow_stamp, j.value ->> 'category_code' AS category_code,
                   j.value ->> 'priority_code' AS priority_code
            FROM jsonb_array_elements(@rows::jsonb) AS j(value)
            CROSS JOIN LATERAL jsonb_populate_record(NULL::notify.ent_notification, j.value) AS n
        ), checked AS MATERIALIZED (
            SELECT r.*,
                   NOT @recheck OR (
                       CASE WHEN r.notification_workflow_id IS NULL
                                THEN NOT EXISTS (SELECT 1 FROM notify.ent_notification_workflow w
                                                 WHERE w.enterprise_id = @enterpriseId AND w.workflow_key = r.workflow_key)
                            ELSE EXISTS (SELECT 1 FROM notify.ent_notification_workflow w
                                         WHERE w.enterprise_id = @enterpriseId AND w.workflow_key = r.workflow_key
                                           AND w.id = r.notification_workflow_id
                                           AND {TriggerStore.WorkflowStampSql} = r.workflow_stamp)
                       END
                       AND (r.category_code IS NULL OR EXISTS (SELECT 1 FROM notify.typ_notification_category c
                                                               WHERE c.enterprise_id = @enterpriseId AND c.code = r.category_code
                                                                 AND c.id = r.notification_category_id))
                       AND (r.priority_code IS NULL OR EXISTS (SELECT 1 FROM notify.typ_notification_priority p
                                                               WHERE p.enterprise_id = @enterpriseId AND p.code = r.priority_code
                                                                 AND p.id = r.notification_priority_id))) AS unchanged
            FROM r
        ), keys AS (
            INSERT INTO notify.notification_transaction (enterprise_id, transaction_id, notification_id)
            SELECT @enterpriseId, c.transaction_id, notify.new_notification_id()
            FROM checked c WHERE c.unchanged AND c.transaction_id IS NOT NULL
            ON CONFLICT (enterprise_id, transaction_id) DO NOTHING
            RETURNING transaction_id, notification_id
        ), inserted AS (
            INSERT INTO notify.ent_notification (
                id, enterprise_id, workflow_key, notification_workflow_id, workflow_version, notification_status, expansion_pending,
                payload, recipients, overrides, tags, transaction_id, scheduled_for, notification_category_id,
                notification_priority_id, trace_parent)
            OVERRIDING SYSTEM VALUE
            SELECT coalesce(k.notification_id, notify.new_notification_id()), @enterpriseId, c.workflow_key, c.notification_workflow_id,
                   c.workflow_version, c.notification_status, c.expansion_pending,
                   c.payload, c.recipients, c.overrides, c.tags, c.transaction_id, c.scheduled_for, c.notification_category_id,
                   c.notification_priority_id, c.trace_parent
            FROM checked c LEFT JOIN keys k ON k.transaction_id = c.transaction_id
            WHERE c.unchanged AND (c.transaction_id IS NULL OR k.notification_id IS NOT NULL)
            ON CONFLICT DO NOTHING
            RETURNING id, transaction_id, recipients
        ), directory AS (
            INSERT INTO notify.subscriber AS s (enterprise_id, subscriber_id, email, phone, first_name, last_name, locale, timezone, avatar, data)
            SELECT DISTINCT ON (e.value ->> 'subscriberId')
                   @enterpriseId, e.value ->> 'subscriberId', e.value ->> 'email', e.value ->> 'phone', e.value ->> 'firstName',
                   e.value ->> 'lastName', e.value ->> 'locale', e.value ->> 'timezone', e.value ->> 'avatar',
                   CASE jsonb_typeof(e.value -> 'data') WHEN 'object' THEN e.value -> 'data' END
            FROM inserted i CROSS JOIN LATERAL jsonb_array_elements(i.recipients) WITH ORDINALITY AS e(value, ordinal)
            WHERE jsonb_typeof(i.recipients) = 'array'
              AND jsonb_typeof(e.value) = 'object' AND jsonb_typeof(e.value -> 'subscriberId') = 'string' AND NOT e.value ? 'topicKey'
            ORDER BY e.value ->> 'subscriberId', i.id DESC, e.ordinal DESC
            ON CONFLICT (enterprise_id, subscriber_id) DO UPDATE SET {SubscriberStore.MergeSet}
        )
        SELECT id, transaction_id AS TransactionId FROM inserted
        UNION ALL SELECT NULL, transaction_id FROM checked WHERE NOT unchanged
        """;

    /// <summary>The rows as the JSON array <see cref="InsertSql"/> reads, named by the table's columns.</summary>
    public static string Json(IEnumerable<NotificationRow> rows)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var row in rows)
            {
                var (trigger, resolved) = (row.Trigger, row.Resolved);
                writer.WriteStartObject();
                writer.WriteString("workflow_key", trigger.WorkflowKey);
                writer.WriteNumberOrNull("notification_workflow_id", resolved.WorkflowId);
                writer.WriteNumberOrNull("workflow_version", resolved.WorkflowVersion);
                writer.WriteString("notification_status", row.Status);
                writer.WriteBoolean("expansion_pending", row.Expanding);
                writer.WritePropertyName("payload");
                trigger.Payload.WriteTo(writer);
                writer.WriteRawOrNull("recipients", row.RecipientsJson);
                writer.WriteRawOrNull("overrides", trigger.OverridesJson);
                writer.WriteStringsOrNull("tags", trigger.Tags);
                writer.WriteString("transaction_id", trigger.TransactionId);
                writer.WriteUtcTimestampOrNull("scheduled_for", trigger.ScheduledFor);
                writer.WriteNumberOrNull("notification_category_id", resolved.CategoryId);
                writer.WriteNumberOrNull("notification_priority_id", resolved.PriorityId);
                writer.WriteString("trace_parent", row.TraceParent);
                // What a recheck compares (not columns: jsonb_populate_record ignores them).
                writer.WriteString("workflow_stamp", resolved.WorkflowStamp);
                writer.WriteString("category_code", trigger.CategoryCode);
                writer.WriteString("priority_code", trigger.PriorityCode);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
