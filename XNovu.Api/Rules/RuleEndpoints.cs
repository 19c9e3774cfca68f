using System.Text.Json.Nodes;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Core.Persistence;
using XNovu.Core.Workflows;

namespace XNovu.Api.Rules;

/// <summary>
/// Notification rules: when (an event, an instant or a cron schedule) to trigger which of the enterprise's
/// workflows with what payload. Stored and checked here; the rule engine fires them.
/// </summary>
public static class RuleEndpoints
{
    private const string Prefix = "/api/rules";

    public static RouteGroupBuilder MapRuleEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Prefix).WithTags("Rules").RequireAuthorization(XNovuAuth.EnterprisePolicy)
            .AddEndpointFilter<CronIntervalFilter>();

        group.MapPost("/", CreateAsync);
        group.MapGet("/", ListAsync);
        group.MapGet("/{id:long}", GetAsync);
        group.MapPut("/{id:long}", UpdateAsync);
        group.MapPost("/{id:long}/publish", (long id, HttpContext http, XNovuDatabase database, CancellationToken cancellationToken) =>
            SetStateAsync(id, $"publish_status = '{PublishStatuses.Publish}'", http, database, cancellationToken));
        group.MapPost("/{id:long}/unpublish", (long id, HttpContext http, XNovuDatabase database, CancellationToken cancellationToken) =>
            SetStateAsync(id, $"publish_status = '{PublishStatuses.Draft}'", http, database, cancellationToken));
        group.MapPost("/{id:long}/deactivate", (long id, HttpContext http, XNovuDatabase database, CancellationToken cancellationToken) =>
            SetStateAsync(id, "deactivated = true", http, database, cancellationToken));
        return group;
    }

    private static async Task<Results<Created<RuleResponse>, ProblemHttpResult>> CreateAsync(
        RuleRequest request, HttpContext http, XNovuDatabase database, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var (triggerConfig, rulePayload) = RuleValidation.Validate(request, errors);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var enterpriseId = http.User.EnterpriseId();
        var (row, problem) = await database.InTenantAsync<(RuleRow?, ProblemHttpResult?)>(enterpriseId, async session =>
        {
            var workflowId = await FindWorkflowAsync(session, request.WorkflowKey!);
            if (workflowId is null)
            {
                return (null, UnknownWorkflow(request.WorkflowKey!));
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
                Parameters(request, workflowId, triggerConfig, rulePayload, enterpriseId: enterpriseId),
                session.Transaction);
            return (created, null);
        }, cancellationToken);

        return problem ?? (Results<Created<RuleResponse>, ProblemHttpResult>)TypedResults.Created($"{Prefix}/{row!.Id}", row.ToResponse());
    }

    private static async Task<Results<Ok<IReadOnlyList<RuleResponse>>, ProblemHttpResult>> ListAsync(
        string? workflowKey, string? triggerType, HttpContext http, XNovuDatabase database, CancellationToken cancellationToken)
    {
        if (triggerType is not null && !RuleValidation.TriggerTypes.Contains(triggerType))
        {
            return Problems.Validation("triggerType", $"must be one of {string.Join(", ", RuleValidation.TriggerTypes)}.");
        }

        var rows = await database.InTenantAsync(http.User.EnterpriseId(), session => session.Connection.QueryAsync<RuleRow>(
            $"""
            SELECT {RuleRow.Columns} FROM notify.ent_notification_rule r {RuleRow.From}
            WHERE (@workflowKey::text IS NULL OR w.workflow_key = @workflowKey)
              AND (@triggerType::text IS NULL OR r.trigger_type::text = @triggerType)
            ORDER BY r.id
            """,
            new { workflowKey, triggerType },
            session.Transaction), cancellationToken);
        return TypedResults.Ok<IReadOnlyList<RuleResponse>>(rows.Select(r => r.ToResponse()).ToList());
    }

    private static async Task<Results<Ok<RuleResponse>, ProblemHttpResult>> GetAsync(
        long id, HttpContext http, XNovuDatabase database, CancellationToken cancellationToken)
    {
        var row = await database.InTenantAsync(http.User.EnterpriseId(), session => session.Connection.QuerySingleOrDefaultAsync<RuleRow>(
            $"SELECT {RuleRow.Columns} FROM notify.ent_notification_rule r {RuleRow.From} WHERE r.id = @id",
            new { id }, session.Transaction), cancellationToken);
        return row is null ? NotFound(id) : TypedResults.Ok(row.ToResponse());
    }

    private static async Task<Results<Ok<RuleResponse>, ProblemHttpResult>> UpdateAsync(
        long id, RuleRequest request, HttpContext http, XNovuDatabase database, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var (triggerConfig, rulePayload) = RuleValidation.Validate(request, errors);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var (row, problem) = await database.InTenantAsync<(RuleRow?, ProblemHttpResult?)>(http.User.EnterpriseId(), async session =>
        {
            var exists = await session.Connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM notify.ent_notification_rule WHERE id = @id)", new { id }, session.Transaction);
            if (!exists)
            {
                return (null, NotFound(id));
            }

            var workflowId = await FindWorkflowAsync(session, request.WorkflowKey!);
            if (workflowId is null)
            {
                return (null, UnknownWorkflow(request.WorkflowKey!));
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
                Parameters(request, workflowId, triggerConfig, rulePayload, id: id),
                session.Transaction);
            return (updated, null);
        }, cancellationToken);

        return problem ?? (Results<Ok<RuleResponse>, ProblemHttpResult>)TypedResults.Ok(row!.ToResponse());
    }

    /// <param name="assignment">A fixed SQL assignment chosen by this class, never by a request.</param>
    private static async Task<Results<Ok<RuleResponse>, ProblemHttpResult>> SetStateAsync(
        long id, string assignment, HttpContext http, XNovuDatabase database, CancellationToken cancellationToken)
    {
        var row = await database.InTenantAsync(http.User.EnterpriseId(), session => session.Connection.QuerySingleOrDefaultAsync<RuleRow>(
            $"""
            WITH r AS (
                UPDATE notify.ent_notification_rule SET {assignment}, updated_at = now()
                WHERE id = @id
                RETURNING *)
            SELECT {RuleRow.Columns} FROM r {RuleRow.From}
            """,
            new { id },
            session.Transaction), cancellationToken);
        return row is null ? NotFound(id) : TypedResults.Ok(row.ToResponse());
    }

    private static Task<long?> FindWorkflowAsync(TenantSession session, string workflowKey) =>
        session.Connection.QuerySingleOrDefaultAsync<long?>(
            "SELECT id FROM notify.ent_notification_workflow WHERE workflow_key = @workflowKey",
            new { workflowKey }, session.Transaction);

    private static ProblemHttpResult UnknownWorkflow(string workflowKey) =>
        Problems.Validation("workflowKey", $"names no workflow of this enterprise ('{workflowKey}'); a rule targets one of its own workflows.");

    /// <summary>A rule's columns as the insert and the update write them; Dapper sends only those the SQL names.</summary>
    private static object Parameters(
        RuleRequest request, long? workflowId, JsonObject triggerConfig, JsonObject rulePayload, Guid enterpriseId = default, long id = default) => new
    {
        enterpriseId,
        id,
        name = request.Name!.Trim(),
        request.Description,
        workflowId,
        request.TriggerType,
        triggerConfig = triggerConfig.ToJsonString(),
        rulePayload = rulePayload.ToJsonString(),
    };

    private static ProblemHttpResult NotFound(long id) => Problems.NotFound($"Rule {id} was not found.");
}
