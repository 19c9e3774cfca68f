namespace XNovu.Api.Operations;

/// <summary>Bound from <c>XNovu:Operations</c>.</summary>
public sealed class OperationsOptions
{
    public const string SectionName = "XNovu:Operations";

    /// <summary>How long one health probe (database, Redis, Novu) may take before it counts as down.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a Novu environment's credential check is reused by <c>/api/health</c> and <c>/api/dev-studio-status</c>.</summary>
    public TimeSpan NovuCheckCacheDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A due delivery waiting longer than this makes <c>/api/health</c> unhealthy: nothing is being delivered.</summary>
    public TimeSpan MaxDueDeliveryAge { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How often the backlog gauges re-read the database. Scrapes in between answer the last reading, so a
    /// busy Prometheus never turns into a busy database.
    /// </summary>
    public TimeSpan BacklogRefreshInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How many FAILED notifications one admin "retry failed" puts back, when the call names no limit.</summary>
    public int RetryFailedDefaultLimit { get; set; } = 1000;

    public int RetryFailedMaxLimit { get; set; } = 10_000;
}
