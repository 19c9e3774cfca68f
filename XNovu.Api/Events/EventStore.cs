using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using XNovu.Core.Persistence;
using XNovu.Core.Rules;

namespace XNovu.Api.Events;

/// <summary>
/// Fires an event: in one tenant transaction, reads the enterprise's published, active EVENT rules that listen to
/// it and inserts one PENDING notification per rule in one statement (their deliveries come from the database
/// trigger). Row-level security keeps every read and write inside the caller's enterprise.
/// </summary>
internal sealed class EventStore(XNovuDatabase database)
{
    private const string ListeningRulesSql =
        """
        SELECT r.id AS RuleId, r.rule_payload::text AS RulePayload, w.id AS WorkflowId, w.workflow_key AS WorkflowKey,
               w.version AS WorkflowVersion, w.notification_category_id AS CategoryId
        FROM notify.ent_notification_rule r
        JOIN notify.ent_notification_workflow w ON w.id = r.notification_workflow_id
        WHERE r.trigger_type = 'EVENT' AND r.publish_status = 'PUBLISH' AND NOT r.deactivated
          AND r.trigger_config ->> 'eventName' = @name
        ORDER BY r.id
        """;

    private const string InsertSql =
        """
        INSERT INTO notify.ent_notification
            (enterprise_id, workflow_key, notification_workflow_id, workflow_version, notification_rule_id,
             notification_status, payload, recipients, overrides, transaction_id, notification_category_id, trace_parent)
        SELECT @enterpriseId, r.workflow_key, r.workflow_id, r.workflow_version, r.rule_id,
               'PENDING', r.payload, r.recipients, r.overrides, r.transaction_id, r.category_id, @traceParent
        FROM jsonb_to_recordset(@rows::jsonb) AS r(
            rule_id bigint, workflow_key text, workflow_id bigint, workflow_version integer, payload jsonb,
            recipients jsonb, overrides jsonb, transaction_id text, category_id bigint)
        RETURNING id AS NotificationId, transaction_id AS TransactionId, notification_rule_id AS RuleId, workflow_key AS WorkflowKey
        """;

    /// <summary>
    /// Fires the event, once <paramref name="admit"/> has accepted what it would create (notifications, and
    /// deliveries: notifications times recipients); a refusal is answered as is and nothing is stored.
    /// </summary>
    public Task<(IReadOnlyList<EventNotification> Created, TResult? Refusal)> FireAsync<TResult>(
        Guid enterpriseId, string name, JsonObject? payload, Func<int, int, Task<TResult?>> admit, CancellationToken cancellationToken)
        where TResult : class =>
        database.InTenantAsync<(IReadOnlyList<EventNotification>, TResult?)>(enterpriseId, async session =>
        {
            var rules = (await session.Connection.QueryAsync<ListeningRule>(
                ListeningRulesSql, new { name }, session.Transaction)).AsList();
            if (rules.Count == 0)
            {
                return ([], null);
            }

            var deliveries = rules.Sum(rule => (JsonNode.Parse(rule.RulePayload)?["recipients"] as JsonArray)?.Count ?? 0);
            if (await admit(rules.Count, deliveries) is { } refusal)
            {
                return ([], refusal);
            }

            var rows = new JsonArray(rules.Select(rule => (JsonNode)Row(rule, payload)).ToArray());
            var created = await session.Connection.QueryAsync<EventNotification>(
                InsertSql,
                new { enterpriseId, rows = rows.ToJsonString(), traceParent = Activity.Current?.Id },
                session.Transaction);
            return (created.OrderBy(n => n.RuleId).ToList(), null);
        }, cancellationToken);

    private static JsonObject Row(ListeningRule rule, JsonObject? eventPayload)
    {
        var rulePayload = JsonNode.Parse(rule.RulePayload) as JsonObject ?? [];
        return new JsonObject
        {
            ["rule_id"] = rule.RuleId,
            ["workflow_key"] = rule.WorkflowKey,
            ["workflow_id"] = rule.WorkflowId,
            ["workflow_version"] = rule.WorkflowVersion,
            ["payload"] = PayloadMerge.Merge(rulePayload["payload"] as JsonObject, eventPayload),
            ["recipients"] = rulePayload["recipients"] is JsonArray recipients ? recipients.DeepClone() : new JsonArray(),
            ["overrides"] = rulePayload["overrides"] is JsonObject overrides ? overrides.DeepClone() : null,
            // Made here, not by the database trigger, so that RETURNING answers the value the deliveries carry.
            ["transaction_id"] = $"event-{rule.RuleId}-{Guid.NewGuid():N}",
            ["category_id"] = rule.CategoryId,
        };
    }
}
