using System.Text.Json.Nodes;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Http;
using XNovu.Api.Workflows;
using XNovu.Core.Persistence;

namespace XNovu.Api.Rules;

/// <summary>A rule as checked and normalised for writing: its request and the JSON columns made from it.</summary>
internal sealed record RuleWrite(RuleRequest Request, JsonObject TriggerConfig, JsonObject RulePayload);

/// <summary>
/// The SQL of an enterprise's rules. Each call is one tenant transaction, so row-level security keeps it inside
/// the caller's enterprise: a rule may only target a workflow of its own enterprise. A null row with no problem
/// means the enterprise has no rule with the id.
/// </summary>
internal sealed class RuleStore(XNovuDatabase database)
{
    public Task<(RuleRow? Row, ProblemHttpResult? Problem)> CreateAsync(Guid enterpriseId, RuleWrite rule, CancellationToken cancellationToken) =>
        database.InTenantAsync<(RuleRow?, ProblemHttpResult?)>(enterpriseId, async session =>
        {
            var workflowId = await FindWorkflowIdAsync(session, rule.Request.WorkflowKey!);
            if (workflowId is null)
            {
                return (null, UnknownWorkflow(rule.Request.WorkflowKey!));
            }

            var created = await session.Connection.QuerySingleAsync<RuleRow>(
                $"""
                WITH r AS (
                    INSERT INTO notify.ent_notification_rule
                        (enterprise_id, name, description, notification_workflow_id, trigger_type, trigger_config, rule_payload)
                    VALUES (@enterpriseId, @name, @description, @workflowId, @triggerType::notify.rule_trigger_type,
                            @triggerConfig::jsonb, @rulePayload::jsonb)
                    RETURNING *)
                SELECT {RuleRow.Columns} FROM r {RuleRow.From}
                """,
                Parameters(rule, workflowId, enterpriseId: enterpriseId),
                session.Transaction);
            return (created, null);
        }, cancellationToken);

    public async Task<IReadOnlyList<RuleRow>> ListAsync(
        Guid enterpriseId, string? workflowKey, string? triggerType, CancellationToken cancellationToken) =>
        (await database.InTenantAsync(enterpriseId, session => session.Connection.QueryAsync<RuleRow>(
            $"""
            SELECT {RuleRow.Columns} FROM notify.ent_notification_rule r {RuleRow.From}
            WHERE (@workflowKey::text IS NULL OR w.workflow_key = @workflowKey)
              AND (@triggerType::text IS NULL OR r.trigger_type::text = @triggerType)
            ORDER BY r.id
            """,
            new { workflowKey, triggerType },
            session.Transaction), cancellationToken)).AsList();

    public Task<RuleRow?> FindAsync(Guid enterpriseId, long id, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<RuleRow>(
            $"SELECT {RuleRow.Columns} FROM notify.ent_notification_rule r {RuleRow.From} WHERE r.id = @id",
            new { id }, session.Transaction), cancellationToken);

    public Task<(RuleRow? Row, ProblemHttpResult? Problem)> UpdateAsync(Guid enterpriseId, long id, RuleWrite rule, CancellationToken cancellationToken) =>
        database.InTenantAsync<(RuleRow?, ProblemHttpResult?)>(enterpriseId, async session =>
        {
            var exists = await session.Connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM notify.ent_notification_rule WHERE id = @id)", new { id }, session.Transaction);
            if (!exists)
            {
                return (null, null);
            }

            var workflowId = await FindWorkflowIdAsync(session, rule.Request.WorkflowKey!);
            if (workflowId is null)
            {
                return (null, UnknownWorkflow(rule.Request.WorkflowKey!));
            }

            var updated = await session.Connection.QuerySingleAsync<RuleRow>(
                $"""
                WITH r AS (
                    UPDATE notify.ent_notification_rule
                    SET name = @name, description = @description, notification_workflow_id = @workflowId,
                        trigger_type = @triggerType::notify.rule_trigger_type, trigger_config = @triggerConfig::jsonb,
                        rule_payload = @rulePayload::jsonb, updated_at = now()
                    WHERE id = @id
                    RETURNING *)
                SELECT {RuleRow.Columns} FROM r {RuleRow.From}
                """,
                Parameters(rule, workflowId, id: id),
                session.Transaction);
            return (updated, null);
        }, cancellationToken);

    /// <summary>The changed rule; null when the enterprise has no such rule.</summary>
    public Task<RuleRow?> SetStateAsync(Guid enterpriseId, long id, StateChange change, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<RuleRow>(
            $"""
            WITH r AS (
                UPDATE notify.ent_notification_rule SET {change.ToAssignment()}, updated_at = now()
                WHERE id = @id
                RETURNING *)
            SELECT {RuleRow.Columns} FROM r {RuleRow.From}
            """,
            new { id },
            session.Transaction), cancellationToken);

    /// <summary>The workflow id (the numeric key) of the enterprise's own workflow with the workflow key; static workflows have none.</summary>
    private static Task<long?> FindWorkflowIdAsync(TenantSession session, string workflowKey) =>
        session.Connection.QuerySingleOrDefaultAsync<long?>(
            "SELECT id FROM notify.ent_notification_workflow WHERE workflow_key = @workflowKey",
            new { workflowKey }, session.Transaction);

    private static ProblemHttpResult UnknownWorkflow(string workflowKey) =>
        Problems.Validation("workflowKey", $"names no workflow of this enterprise ('{workflowKey}'); a rule targets one of its own workflows.");

    /// <summary>A rule's columns as the insert and the update write them; Dapper sends only those the SQL names.</summary>
    private static object Parameters(RuleWrite rule, long? workflowId, Guid enterpriseId = default, long id = default) => new
    {
        enterpriseId,
        id,
        name = rule.Request.Name!.Trim(),
        rule.Request.Description,
        workflowId,
        rule.Request.TriggerType,
        triggerConfig = rule.TriggerConfig.ToJsonString(),
        rulePayload = rule.RulePayload.ToJsonString(),
    };
}
