using System.Globalization;
using XNovu.Api.Authentication;
using XNovu.Api.Http;

namespace XNovu.Api.RateLimiting;

/// <summary>
/// Every call made with an enterprise's key spends a token of that enterprise's bucket for the route's class
/// (<see cref="RouteClasses.Of"/>) before its body is read or any database work is done; over the rate it is
/// 429 with <c>Retry-After</c>. A filter rather than the rate-limiting middleware because the rate is per
/// enterprise and may come from the database, which a middleware's synchronous partitioner cannot await.
/// Calls with the admin key act for no enterprise and are not limited: one operator, whom a limit would only
/// slow in an incident, and no tenant to protect from another.
/// </summary>
internal sealed class EnterpriseRateLimitFilter(EnterpriseRateLimiter limiter) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!http.User.HasClaim(c => c.Type == XNovuAuth.EnterpriseIdClaim))
        {
            return await next(context);
        }

        var routeClass = RouteClasses.Of(http.GetEndpoint(), http.Request.Method);
        var decision = await limiter.AcquireAsync(http.User.EnterpriseId(), routeClass, 1, http.RequestAborted);
        return decision.Acquired ? await next(context) : TooManyRequests(http, decision);
    }

    /// <summary>The 429 of every call an enterprise's rate refuses, with its Retry-After.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult TooManyRequests(HttpContext http, RateLimitDecision decision)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(decision.RetryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var what = decision.RouteClass switch
        {
            RouteClass.Triggers => "create {0} notifications",
            RouteClass.Events => "send {0} events",
            RouteClass.Writes => "make {0} management changes",
            _ => "make {0} reads",
        };
        return TypedResults.Problem(
            $"This enterprise may {string.Format(CultureInfo.InvariantCulture, what, decision.PerSecond)} per second; try again in {seconds} s.",
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests",
            type: Problems.Types.RateLimited);
    }
}
