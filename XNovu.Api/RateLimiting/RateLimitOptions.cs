namespace XNovu.Api.RateLimiting;

/// <summary>
/// Bound from <c>XNovu:RateLimit</c>: the rates every enterprise gets (triggers, events at the trigger rate,
/// management writes and reads), and trigger-rate overrides per enterprise
/// (<c>XNovu:RateLimit:Enterprises:{enterpriseId}</c>). An admin's override stored through
/// <c>PUT /api/admin/enterprises/{id}/rate-limit</c> wins over both.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "XNovu:RateLimit";

    /// <summary>Notifications triggered per second per enterprise (a single trigger, each event of a bulk call, each notification an event creates), across all replicas.</summary>
    public int TriggersPerSecond { get; set; } = 100;

    /// <summary>Management changes (POST, PUT, PATCH, DELETE outside triggers and events) per second per enterprise.</summary>
    public int WritesPerSecond { get; set; } = 50;

    /// <summary>Management reads (GET) per second per enterprise.</summary>
    public int ReadsPerSecond { get; set; } = 200;

    /// <summary>Per-enterprise trigger rates from configuration, keyed by enterprise id.</summary>
    public Dictionary<string, int> Enterprises { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long a replica keeps an enterprise's stored override before reading it again.</summary>
    public TimeSpan OverrideCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    internal const int MaxTriggersPerSecond = 1_000_000;
}
