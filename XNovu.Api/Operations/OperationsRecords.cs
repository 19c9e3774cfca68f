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

/// <param name="Novu">The shared Novu environment: its credentials verified (a wrong key is unhealthy: every delivery through it is paused).</param>
/// <param name="NovuEnvironments">
/// Each enterprise's own Novu environment, checked the same way. A wrong key there is unhealthy for that
/// environment and degrades the whole (other enterprises still deliver).
/// </param>
public sealed record HealthReport(
    string Status,
    ComponentHealth Database,
    ComponentHealth Redis,
    ComponentHealth Novu,
    ComponentHealth Workflows,
    DispatchersHealth Dispatchers,
    DateTimeOffset Timestamp)
{
    public IReadOnlyList<NovuEnvironmentHealth> NovuEnvironments { get; init; } = [];

    /// <summary>
    /// The history's day partitions (issue 32; there is no default partition): unhealthy when they end within
    /// <c>XNovu:HistoryHealth:UnhealthyWithin</c> or none exists for today (notifications would be refused), degraded
    /// with fewer than <c>DegradedBelowDaysAhead</c> days ahead; the detail says how many days ahead exist.
    /// </summary>
    public HistoryPartitionsHealth? History { get; init; }
}

/// <param name="DaysAhead">Whole UTC days after today whose partitions exist; -1 when today has none; null when unknown.</param>
public sealed record HistoryPartitionsHealth(string Status, double DurationMs, string Detail, int? DaysAhead);

/// <summary>One enterprise's own Novu environment: its URL stays with the admin (<c>GET /api/admin/enterprises/{id}/novu</c>).</summary>
/// <param name="Credentials"><c>authorized</c>, <c>unauthorized</c> or <c>unreachable</c>.</param>
public sealed record NovuEnvironmentHealth(Guid EnterpriseId, string Status, string Credentials, double DurationMs, string Detail);

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

/// <summary>
/// Whether the shared Novu (or the local emulator) answers and accepts XNovu's key (<see cref="Available"/> only
/// then). The URL is shown without user info or query. <see cref="Environments"/>: each enterprise's own.
/// </summary>
/// <param name="Credentials"><c>authorized</c>, <c>unauthorized</c> (a wrong key) or <c>unreachable</c>.</param>
public sealed record DevStudioStatus(bool Available, string Url, double? LatencyMs, int? StatusCode, string? Error, DateTimeOffset CheckedAt)
{
    public string Credentials { get; init; } = string.Empty;

    public IReadOnlyList<NovuEnvironmentStatus> Environments { get; init; } = [];
}

public sealed record NovuEnvironmentStatus(Guid EnterpriseId, bool Available, string Credentials, double? LatencyMs, int? StatusCode, string? Error);

public sealed record TemplateCacheResponse(int Total, int Valid, int Expired, long Hits, long Misses);

public sealed record RetryFailedAllRequest(int? Limit);

public sealed record RetryFailedAllResponse(int Notifications, int Deliveries);

public sealed record OperationDone(string Operation, DateTimeOffset At);
