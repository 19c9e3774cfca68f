using System.ComponentModel.DataAnnotations;

namespace XNovu.Dispatcher.Offboarding;

/// <summary>Bound from <c>XNovu:NovuRemoval</c>.</summary>
public sealed class NovuRemovalOptions : Queues.INovuQueueOptions
{
    public const string SectionName = "XNovu:NovuRemoval";

    /// <summary>How often due removals are looked for (the queue is small; a deleted enterprise's wait for its purge ends this way).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    [Range(1, 500)]
    public int BatchSize { get; set; } = 50;

    /// <summary>A claimed removal comes due again after this, should its replica die mid-way.</summary>
    [Range(5, 3600)]
    public int LeaseSeconds { get; set; } = 60;

    /// <summary>A removal Novu did not confirm is retried after 2^attempts seconds, at most this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(10);
}
