using System.Security.Claims;
using Microsoft.AspNetCore.Routing;
using XNovu.Api.Authentication;
using XNovu.Core.Persistence;

namespace XNovu.Api.Audit;

/// <summary>
/// Names the author of a request that may write (any method but GET, HEAD and OPTIONS) for the tenant transactions
/// it opens (<see cref="WriteAuthor"/>): the enterprise key's id, or the admin. On every route group, so no write
/// path can forget it; the database trigger does the recording.
/// </summary>
internal sealed class WriteAuthorFilter : IEndpointFilter
{
    private static readonly PathString TriggerPath = "/api/trigger";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        // The trigger path writes no audited table (notifications and subscriber profiles are not definitions): it keeps
        // its statements as they were, so the accept path does no extra work.
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method)
            || http.Request.Path.StartsWithSegments(TriggerPath)
            || Actor(http.User) is not { } actor)
        {
            return await next(context);
        }

        var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path.Value;
        var previous = WriteAuthor.Current;
        WriteAuthor.Current = new WriteAuthor(actor, $"{http.Request.Method} {route}");
        try
        {
            return await next(context);
        }
        finally
        {
            WriteAuthor.Current = previous;
        }
    }

    /// <summary>Who the audit trail names: the one rule for it.</summary>
    internal static string? Actor(ClaimsPrincipal user) =>
        user.FindFirstValue(XNovuAuth.ApiKeyIdClaim) is { } keyId && Guid.TryParse(keyId, out var id) ? WriteAuthor.ForApiKey(id)
        : user.IsInRole("admin") ? WriteAuthor.Admin
        : null;
}
