using System.ComponentModel.DataAnnotations;

namespace XNovu.Dispatcher.Retention;

public sealed class RetentionOptions
{
    public const string SectionName = "XNovu:Retention";

    public bool Enabled { get; set; } = true;

    /// <summary>Finished notifications (SENT, FAILED, RETRACTED) older than this are deleted with their deliveries.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Outbound webhook messages delivered or failed this long ago are deleted with their attempts (pending ones are kept).</summary>
    public TimeSpan WebhookMessageMaxAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Attempts logged this long ago are deleted, whatever their message's state.</summary>
    public TimeSpan WebhookAttemptMaxAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A delivery's poll state (issue 28), unused this long, is forgotten.</summary>
    public TimeSpan OutcomePollMaxAge { get; set; } = TimeSpan.FromDays(2);

    /// <summary>Rows per delete: small, so that each statement holds its locks only briefly.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>The breath between two batches, which leaves the database to the dispatch.</summary>
    public TimeSpan BatchPause { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Days of history partitions made ahead of today (issue 32). There is no default partition: a day without one
    /// refuses its notifications, so a pass (hourly) keeps a week ready.
    /// </summary>
    [Range(2, 60)]
    public int PartitionsAhead { get; set; } = 7;

    /// <summary>How long a day's drop keeps asking for its NOWAIT lock before the next pass tries again.</summary>
    public TimeSpan PartitionLockWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a pass runs; the first runs at start.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}
