using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Api.Workflows;

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
        group.MapPost("/{id:long}/publish", (long id, HttpContext http, RuleStore store, CancellationToken cancellationToken) =>
            SetStateAsync(id, StateChange.Publish, http, store, cancellationToken));
        group.MapPost("/{id:long}/unpublish", (long id, HttpContext http, RuleStore store, CancellationToken cancellationToken) =>
            SetStateAsync(id, StateChange.Unpublish, http, store, cancellationToken));
        group.MapPost("/{id:long}/deactivate", (long id, HttpContext http, RuleStore store, CancellationToken cancellationToken) =>
            SetStateAsync(id, StateChange.Deactivate, http, store, cancellationToken));
        return group;
    }

    private static async Task<Results<Created<RuleResponse>, ProblemHttpResult>> CreateAsync(
        RuleRequest request, HttpContext http, RuleStore store, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var (triggerConfig, rulePayload) = RuleValidation.Validate(request, errors);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var (row, problem) = await store.CreateAsync(http.User.EnterpriseId(), new RuleWrite(request, triggerConfig, rulePayload), cancellationToken);
        return problem ?? (Results<Created<RuleResponse>, ProblemHttpResult>)TypedResults.Created($"{Prefix}/{row!.Id}", row.ToResponse());
    }

    private static async Task<Results<Ok<IReadOnlyList<RuleResponse>>, ProblemHttpResult>> ListAsync(
        string? workflowKey, string? triggerType, HttpContext http, RuleStore store, CancellationToken cancellationToken)
    {
        if (triggerType is not null && !RuleValidation.TriggerTypes.Contains(triggerType))
        {
            return Problems.Validation("triggerType", $"must be one of {string.Join(", ", RuleValidation.TriggerTypes)}.");
        }

        var rows = await store.ListAsync(http.User.EnterpriseId(), workflowKey, triggerType, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<RuleResponse>>(rows.Select(r => r.ToResponse()).ToList());
    }

    private static async Task<Results<Ok<RuleResponse>, ProblemHttpResult>> GetAsync(
        long id, HttpContext http, RuleStore store, CancellationToken cancellationToken)
    {
        var row = await store.FindAsync(http.User.EnterpriseId(), id, cancellationToken);
        return row is null ? NotFound(id) : TypedResults.Ok(row.ToResponse());
    }

    private static async Task<Results<Ok<RuleResponse>, ProblemHttpResult>> UpdateAsync(
        long id, RuleRequest request, HttpContext http, RuleStore store, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var (triggerConfig, rulePayload) = RuleValidation.Validate(request, errors);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var (row, problem) = await store.UpdateAsync(http.User.EnterpriseId(), id, new RuleWrite(request, triggerConfig, rulePayload), cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        return row is null ? NotFound(id) : TypedResults.Ok(row.ToResponse());
    }

    private static async Task<Results<Ok<RuleResponse>, ProblemHttpResult>> SetStateAsync(
        long id, StateChange change, HttpContext http, RuleStore store, CancellationToken cancellationToken)
    {
        var row = await store.SetStateAsync(http.User.EnterpriseId(), id, change, cancellationToken);
        return row is null ? NotFound(id) : TypedResults.Ok(row.ToResponse());
    }

    private static ProblemHttpResult NotFound(long id) => Problems.NotFound($"Rule {id} was not found.");
}
