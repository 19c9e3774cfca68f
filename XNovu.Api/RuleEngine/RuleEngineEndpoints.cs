using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Core.Rules;

namespace XNovu.Api.RuleEngine;

/// <summary>
/// The rule engine runs in the dispatchers; the API reads what they publish in the database (a heartbeat per
/// replica, and per rule its last tick and outcome) and asks them to reload through the same NOTIFY channel that
/// rule changes use. Both routes take an enterprise key and show or touch only that enterprise's rules.
/// </summary>
public static class RuleEngineEndpoints
{
    public static RouteGroupBuilder MapRuleEngineEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/rule-engine").WithTags("Rule engine").RequireAuthorization(XNovuAuth.EnterprisePolicy);
        group.MapGet("/status", StatusAsync);
        group.MapPost("/reload", ReloadAsync);
        return group;
    }

    private static async Task<Results<Ok<RuleEngineStatus>, ProblemHttpResult>> StatusAsync(
        HttpContext http, RuleEngineStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var (instances, rules) = await store.ReadAsync(http.User.EnterpriseId(), cancellationToken);

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
        ReloadRequest? request, HttpContext http, RuleEngineStore store, CancellationToken cancellationToken)
    {
        var enterpriseId = http.User.EnterpriseId();
        if (request?.EnterpriseId is { } asked && asked != enterpriseId)
        {
            return Problems.Forbidden("An enterprise key may reload only its own enterprise's rules.");
        }

        var instances = await store.RequestReloadAsync(enterpriseId, cancellationToken);

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
