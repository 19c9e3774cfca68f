using System.ComponentModel.DataAnnotations;

namespace XNovu.Dispatcher.NovuSync;

/// <summary>Bound from <c>XNovu:NovuSync</c>.</summary>
public sealed class NovuSyncOptions
{
    public const string SectionName = "XNovu:NovuSync";

    /// <summary>How often one replica compares every synced workflow with Novu and repairs what drifted.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ReconcilePeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often pending syncs are looked for when no NOTIFY came (retries come due this way).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    [Range(1, 500)]
    public int BatchSize { get; set; } = 20;

    /// <summary>A claimed sync comes due again after this, should its replica die mid-way.</summary>
    [Range(5, 3600)]
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>Failed syncs are retried after 2^attempts seconds, at most this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);
}
