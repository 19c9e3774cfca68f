using System.ComponentModel.DataAnnotations;

namespace XNovu.Core.History;

/// <summary>
/// When health calls the history's partitions short (issue 32). There is no default partition: an insert for a day
/// without one fails, so the dispatchers make <c>XNovu:Retention:PartitionsAhead</c> (7) days ahead every pass.
/// </summary>
public sealed class HistoryHealthOptions
{
    public const string SectionName = "XNovu:HistoryHealth";

    /// <summary>Fewer whole days ahead of today than this is degraded: the passes have not made them for days.</summary>
    [Range(1, 60)]
    public int DegradedBelowDaysAhead { get; set; } = 2;

    /// <summary>Partitions ending sooner than this (or none for now) are unhealthy: notifications are about to be refused.</summary>
    public TimeSpan UnhealthyWithin { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long one catalog reading is reused by health checks and the gauge.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(30);
}
