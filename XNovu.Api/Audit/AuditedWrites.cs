using Microsoft.AspNetCore.Http.Metadata;
using XNovu.Api.Authentication;
using XNovu.Core.Persistence;

namespace XNovu.Api.Audit;

/// <summary>
/// Records the writes of a route group whose tables carry no audit trigger (issue 30): subscribers, topics and API
/// keys. The trigger path writes subscriber profiles and topic expansions on every trigger, and a row trigger on those
/// tables would run there too; so the management routes record their own writes here, at the API level, and the
/// trigger path does no extra work. One INSERT per request, after the write succeeded (a 2xx answer), with one row
/// per entity it wrote (a bulk upsert of 1,000 subscribers is one statement). The author is the request's
/// (<see cref="WriteAuthorFilter"/>). It is not the write's own transaction: a database that fails between the two
/// loses the record, not the write, and the answer stands (the write happened); the failure is logged.
/// </summary>
/// <param name="entityType">The entity as the audit names it: <c>subscriber</c>, <c>topic</c>, <c>api-key</c>.</param>
/// <param name="keyRouteValue">The route value that is the entity's key, when the route names one.</param>
/// <param name="keysOf">The keys written when the route names none: from the request's arguments, or the answer's value.</param>
internal sealed partial class AuditedWrites(
    string entityType, string keyRouteValue, Func<IList<object?>, object?, IEnumerable<string?>> keysOf) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var answer = await next(context);
        var http = context.HttpContext;
        if (WriteAuthor.Current is not { } author || Status(answer) is not { } status || status is < 200 or >= 300 || EnterpriseOf(http) is not { } enterpriseId)
        {
            return answer;
        }

        var keys = http.GetRouteValue(keyRouteValue) is { } routeKey
            ? [routeKey.ToString()!]
            : keysOf(context.Arguments, Value(answer)).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        if (keys.Length == 0)
        {
            return answer;
        }

        var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? string.Empty;
        var (action, changed) = Classify(http.Request.Method, route, status);
        try
        {
            var store = http.RequestServices.GetRequiredService<AuditStore>();
            await store.RecordAsync(enterpriseId, new AuditedWrite(author, entityType, keys, action, changed), http.RequestAborted);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
        {
            LogNotRecorded(http.RequestServices.GetRequiredService<ILogger<AuditedWrites>>(), e, entityType, author.Request);
        }

        return answer;
    }

    /// <summary>
    /// What a write did, from its route and answer: 201 created; a DELETE of the entity itself, or an erase, deleted;
    /// a change of a topic's members updated its <c>subscribers</c>; anything else updated.
    /// </summary>
    internal static (string Action, string[]? Changed) Classify(string method, string route, int status)
    {
        // A topic's members: /api/topics/{topicKey}/subscribers...
        var members = route.Contains("}/subscribers", StringComparison.Ordinal);
        var own = route.TrimEnd('/').EndsWith('}') && !members;
        return status == StatusCodes.Status201Created ? ("created", null)
            : (HttpMethods.IsDelete(method) && own) || route.EndsWith("/erase", StringComparison.Ordinal) ? ("deleted", null)
            : members ? ("updated", ["subscribers"])
            : ("updated", null);
    }

    /// <summary>The enterprise a write belongs to: the caller's, or, for the admin, the one its route names.</summary>
    private static Guid? EnterpriseOf(HttpContext http) =>
        http.User.IsInRole("admin")
            ? Guid.TryParse(http.GetRouteValue("id")?.ToString(), out var id) ? id : null
            : http.User.EnterpriseId();

    private static int? Status(object? answer) => answer switch
    {
        INestedHttpResult nested => Status(nested.Result),
        IStatusCodeHttpResult result => result.StatusCode,
        _ => null,
    };

    private static object? Value(object? answer) => answer switch
    {
        INestedHttpResult nested => Value(nested.Result),
        IValueHttpResult result => result.Value,
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "A {EntityType} write ({Request}) succeeded but could not be recorded in the audit trail.")]
    private static partial void LogNotRecorded(ILogger logger, Exception exception, string entityType, string? request);
}

/// <summary>One request's write as <see cref="AuditStore.RecordAsync"/> records it: one row per key.</summary>
internal sealed record AuditedWrite(WriteAuthor Author, string EntityType, IReadOnlyList<string> Keys, string Action, string[]? Changed);
