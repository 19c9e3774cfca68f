using System.Globalization;
using XNovu.Api.Authentication;
using XNovu.Api.Http;

namespace XNovu.Api.RateLimiting;

/// <summary>
/// Refuses a trigger call over its enterprise's rate with 429 and <c>Retry-After</c> before the trigger is
/// parsed, so nothing is stored. A filter rather than the rate-limiting middleware because the rate is per
/// enterprise and may come from the database, which a middleware's synchronous partitioner cannot await.
/// </summary>
internal sealed class TriggerRateLimitFilter(TriggerRateLimiter limiter) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var decision = await limiter.AcquireAsync(http.User.EnterpriseId(), http.RequestAborted);
        if (decision.Acquired)
        {
            return await next(context);
        }

        return TooManyRequests(http, decision);
    }

    /// <summary>The 429 of every call the enterprise's trigger rate refuses, with its Retry-After.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult TooManyRequests(HttpContext http, RateLimitDecision decision)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(decision.RetryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            $"This enterprise may create {decision.TriggersPerSecond} notifications per second; try again in {seconds} s.",
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests",
            type: Problems.Types.RateLimited);
    }
}
