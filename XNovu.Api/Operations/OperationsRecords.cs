namespace XNovu.Api.Operations;

/// <summary>The three answers a probe gives, as the original's <c>/api/health</c> spelled them.</summary>
public static class HealthStatus
{
    public const string Healthy = "healthy";
    public const string Degraded = "degraded";
    public const string Unhealthy = "unhealthy";
}

/// <summary>One component's probe: never an exception message, which could carry a host or a key.</summary>
public sealed record ComponentHealth(string Status, double DurationMs, string Detail);

public sealed record HealthReport(
    string Status,
    ComponentHealth Database,
    ComponentHealth Redis,
    ComponentHealth Novu,
    ComponentHealth Workflows,
    DispatchersHealth Dispatchers,
    DateTimeOffset Timestamp);

/// <summary>What the dispatchers' heartbeats and the queue say, as read by <c>notify.dispatcher_status()</c>.</summary>
public sealed record DispatcherStatus(int LiveReplicas, int LoopsConfigured, int LoopsRunning, double OldestDueAgeSeconds);

/// <summary>
/// Whether anything is being delivered: unhealthy with no live dispatcher or a due delivery older than
/// <see cref="OperationsOptions.MaxDueDeliveryAge"/>, degraded while some claim loops are restarting.
/// </summary>
public sealed record DispatchersHealth(
    string Status, double DurationMs, string Detail, int? LiveReplicas, int? RunningLoops, int? ConfiguredLoops, double? OldestDueAgeSeconds);

public sealed record RegistryMetrics(long Total, long Static, long Dynamic, long Enterprises);

public sealed record UptimeMetrics(DateTimeOffset StartedAt, double Seconds);

public sealed record MemoryMetrics(long WorkingSetBytes, long GcHeapBytes);

public sealed record BacklogMetrics(long Pending, long Due, double OldestPendingAgeSeconds);

public sealed record DeliveryMetrics(long Sent, long Failed, long Retried);

public sealed record OperationsMetrics(
    RegistryMetrics Registry,
    UptimeMetrics Uptime,
    MemoryMetrics Memory,
    BacklogMetrics Backlog,
    DeliveryMetrics Deliveries,
    DateTimeOffset Timestamp);

/// <summary>Whether Novu (or the local emulator) answers. The URL is shown without user info or query.</summary>
public sealed record DevStudioStatus(bool Available, string Url, double? LatencyMs, int? StatusCode, string? Error, DateTimeOffset CheckedAt);

public sealed record TemplateCacheResponse(int Total, int Valid, int Expired, long Hits, long Misses);

public sealed record RetryFailedAllRequest(int? Limit);

public sealed record RetryFailedAllResponse(int Notifications, int Deliveries);

public sealed record OperationDone(string Operation, DateTimeOffset At);
