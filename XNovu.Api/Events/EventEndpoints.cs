using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Api.RateLimiting;
using XNovu.Api.Rules;
using Microsoft.Extensions.Options;

namespace XNovu.Api.Events;

/// <summary>
/// <c>POST /api/events</c>: fires the enterprise's EVENT rules that listen to the event's name, each with its own
/// payload overlaid by the event's, and answers 202 with the notifications created (none when no rule listens).
/// Each call spends a token of the enterprise's events bucket before anything is read (whether or not a rule
/// listens), and each notification it creates one of its trigger bucket.
/// </summary>
public static class EventEndpoints
{
    public const int MaxNameLength = 200;

    public static RouteGroupBuilder MapEventEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/events").WithTags("Events").RequireAuthorization(XNovuAuth.EnterprisePolicy)
            .WithMetadata(new RateLimitedAs(RouteClass.Events));
        group.MapPost("/", FireAsync);
        return group;
    }

    public static IHostApplicationBuilder AddXNovuEvents(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EventStore>();
        builder.Services.AddOptions<RuleLimitOptions>()
            .BindConfiguration(RuleLimitOptions.SectionName)
            .Validate(o => o.MinimumCronInterval >= TimeSpan.FromSeconds(1) && o.MaxDeliveriesPerEvent > 0,
                $"{RuleLimitOptions.SectionName}: MinimumCronInterval must be at least 1 s and MaxDeliveriesPerEvent positive.")
            .ValidateOnStart();
        return builder;
    }

    private static async Task<Results<Accepted<EventAccepted>, ProblemHttpResult>> FireAsync(
        EventRequest request,
        HttpContext http,
        EventStore store,
        EnterpriseRateLimiter limiter,
        IOptionsMonitor<RuleLimitOptions> limits,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors().Require(request.Name, "name", MaxNameLength);
        if (request.Payload is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined) })
        {
            errors.Add("payload", "must be an object.");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var name = request.Name!.Trim();
        var payload = request.Payload is { ValueKind: JsonValueKind.Object } value ? JsonNode.Parse(value.GetRawText())!.AsObject() : null;
        var enterpriseId = http.User.EnterpriseId();
        var (created, refusal) = await store.FireAsync(
            enterpriseId,
            name,
            payload,
            (notifications, deliveries) => AdmitAsync(http, enterpriseId, notifications, deliveries, limiter, limits.CurrentValue),
            cancellationToken);
        return refusal ?? (Results<Accepted<EventAccepted>, ProblemHttpResult>)TypedResults.Accepted((string?)null, new EventAccepted(name, created));
    }

    /// <summary>
    /// An event counts against the enterprise's trigger rate once per notification it creates, as if each had
    /// been triggered, and may not fan out past <see cref="RuleLimitOptions.MaxDeliveriesPerEvent"/>.
    /// </summary>
    private static async Task<ProblemHttpResult?> AdmitAsync(
        HttpContext http, Guid enterpriseId, int notifications, int deliveries, EnterpriseRateLimiter limiter, RuleLimitOptions limits)
    {
        if (deliveries > limits.MaxDeliveriesPerEvent)
        {
            return Problems.Validation(
                "name",
                $"this event would create {deliveries} deliveries across {notifications} rules; one event may create at most {limits.MaxDeliveriesPerEvent}.");
        }

        var decision = await limiter.AcquireAsync(enterpriseId, RouteClass.Triggers, notifications, http.RequestAborted);
        if (decision.Acquired)
        {
            return null;
        }

        return notifications > decision.PerSecond
            ? Problems.Validation("name", $"this event fires {notifications} rules, more notifications than this enterprise may create per second ({decision.PerSecond}).")
            : EnterpriseRateLimitFilter.TooManyRequests(http, decision);
    }
}
