using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Core.Persistence;
using XNovu.Core.Rules;

namespace XNovu.Api.RuleEngine;

/// <summary>
/// The rule engine runs in the dispatchers; the API reads what they publish in the database (a heartbeat per
/// replica, and per rule its last tick and outcome) and asks them to reload through the same NOTIFY channel that
/// rule changes use. Both routes take an enterprise key and show or touch only that enterprise's rules.
/// </summary>
public static class RuleEngineEndpoints
{
    /// <summary>The channel the dispatchers LISTEN on (see <c>0007_rule_engine.sql</c>).</summary>
    public const string ReloadChannel = "xnovu_rules";

    private const string InstancesSql =
        """
        SELECT worker_id AS WorkerId, started_at AS StartedAt, heartbeat_at AS HeartbeatAt, last_reload_at AS LastReloadAt
        FROM notify.rule_engine_instances()
        """;

    private const string RulesSql =
        """
        SELECT r.id, r.name, r.trigger_type::text AS TriggerType, r.trigger_config::text AS TriggerConfig,
               (r.publish_status = 'PUBLISH' AND NOT r.deactivated
                AND coalesce((r.trigger_config ->> 'enabled')::boolean, true)) AS Scheduled,
               r.updated_at AS UpdatedAt, s.last_tick_at AS LastTickAt, s.last_run_at AS LastRunAt,
               s.last_outcome AS LastOutcome, s.last_notification_id AS LastNotificationId,
               s.last_transaction_id AS LastTransactionId, coalesce(s.fired_count, 0) AS FiredCount
        FROM notify.ent_notification_rule r
        LEFT JOIN notify.rule_state s ON s.rule_id = r.id
        WHERE r.trigger_type IN ('CRON', 'SCHEDULE')
        ORDER BY r.id
        """;

    public static RouteGroupBuilder MapRuleEngineEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/rule-engine").WithTags("Rule engine").RequireAuthorization(XNovuAuth.EnterprisePolicy);
        group.MapGet("/status", StatusAsync);
        group.MapPost("/reload", ReloadAsync);
        return group;
    }

    private static async Task<Results<Ok<RuleEngineStatus>, ProblemHttpResult>> StatusAsync(
        HttpContext http, XNovuDatabase database, TimeProvider time, CancellationToken cancellationToken)
    {
        var (instances, rules) = await database.InTenantAsync(http.User.EnterpriseId(), async session =>
        {
            var instances = (await session.Connection.QueryAsync<EngineInstanceRow>(InstancesSql, transaction: session.Transaction)).AsList();
            var rules = (await session.Connection.QueryAsync<RuleStateRow>(RulesSql, transaction: session.Transaction)).AsList();
            return (instances, rules);
        }, cancellationToken);

        if (instances.Count == 0)
        {
            return NotRunning();
        }

        var now = time.GetUtcNow();
        var statuses = rules.Select(rule => Describe(rule, now)).ToList();
        return TypedResults.Ok(new RuleEngineStatus(
            Running: true,
            Instances: instances.Count,
            LastHeartbeatAt: instances.Max(i => i.HeartbeatAt),
            LastReloadAt: instances.Max(i => i.LastReloadAt),
            RulesScheduled: statuses.Count(r => r.Scheduled),
            NextFireAt: statuses.Min(r => r.NextFireAt),
            Rules: statuses));
    }

    private static async Task<Results<Accepted<ReloadAccepted>, ProblemHttpResult>> ReloadAsync(
        ReloadRequest? request, HttpContext http, XNovuDatabase database, CancellationToken cancellationToken)
    {
        var enterpriseId = http.User.EnterpriseId();
        if (request?.EnterpriseId is { } asked && asked != enterpriseId)
        {
            return Problems.Forbidden("An enterprise key may reload only its own enterprise's rules.");
        }

        var instances = await database.InTenantAsync(enterpriseId, async session =>
        {
            var live = (await session.Connection.QueryAsync<EngineInstanceRow>(InstancesSql, transaction: session.Transaction)).AsList();
            if (live.Count > 0)
            {
                // Delivered at commit to every replica listening.
                await session.Connection.ExecuteAsync(
                    "SELECT pg_notify(@channel, @enterprise)",
                    new { channel = ReloadChannel, enterprise = enterpriseId.ToString() },
                    session.Transaction);
            }

            return live.Count;
        }, cancellationToken);

        return instances == 0
            ? NotRunning()
            : TypedResults.Accepted((string?)null, new ReloadAccepted(enterpriseId, instances));
    }

    private static RuleStatus Describe(RuleStateRow row, DateTimeOffset now)
    {
        RuleTrigger? trigger = null;
        try
        {
            trigger = RuleTrigger.Parse(row.TriggerType, row.TriggerConfig);
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            // Shown without a next tick; the engine does not schedule it either.
        }

        DateTime? next = null;
        if (row.Scheduled && trigger is not null)
        {
            var settled = RuleTickPlanner.SettledThrough(Utc(row.LastTickAt), Utc(row.UpdatedAt)!.Value);
            next = trigger.NextAfter(settled > now ? settled : now)?.UtcDateTime;
        }

        return new RuleStatus(
            row.Id, row.Name, row.TriggerType, next is not null,
            trigger?.CronText, trigger?.Type == RuleTrigger.CronType ? trigger.TimeZone.Id : null, trigger?.At?.UtcDateTime,
            trigger?.Misfire == MisfirePolicy.Skip ? "skip" : "fireOnce",
            next, row.LastTickAt, row.LastRunAt, row.LastOutcome, row.LastNotificationId, row.LastTransactionId, row.FiredCount);
    }

    private static DateTimeOffset? Utc(DateTime? value) =>
        value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;

    private static ProblemHttpResult NotRunning() =>
        TypedResults.Problem(
            "No rule engine is running: no dispatcher has sent a heartbeat recently.",
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "Rule engine not running", type: Problems.Types.Unavailable);
}
