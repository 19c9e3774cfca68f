namespace XNovu.Api.RateLimiting;

/// <summary>
/// The kinds of enterprise calls, each with its own bucket per enterprise, so that one kind's flood never
/// spends another's budget: <see cref="Triggers"/> (per notification created, events' notifications included),
/// <see cref="Events"/> (per <c>POST /api/events</c> call, whether or not a rule listens), and the management
/// API's <see cref="Writes"/> and <see cref="Reads"/>.
/// </summary>
public enum RouteClass
{
    Triggers,
    Events,
    Writes,
    Reads,
}

/// <summary>Names a route group's class; a route without it is a management read (GET, HEAD) or write.</summary>
public sealed record RateLimitedAs(RouteClass RouteClass);

public static class RouteClasses
{
    /// <summary>The one rule for which bucket a call spends.</summary>
    public static RouteClass Of(Endpoint? endpoint, string method) =>
        endpoint?.Metadata.GetMetadata<RateLimitedAs>()?.RouteClass
        ?? (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) ? RouteClass.Reads : RouteClass.Writes);

    /// <summary>The class's name in Redis keys and in problems.</summary>
    public static string Name(RouteClass routeClass) => routeClass switch
    {
        RouteClass.Triggers => "triggers",
        RouteClass.Events => "events",
        RouteClass.Writes => "writes",
        RouteClass.Reads => "reads",
        _ => throw new ArgumentOutOfRangeException(nameof(routeClass)),
    };
}
