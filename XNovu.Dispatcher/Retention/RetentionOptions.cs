using System.ComponentModel.DataAnnotations;

namespace XNovu.Dispatcher.Retention;

public sealed class RetentionOptions
{
    public const string SectionName = "XNovu:Retention";

    public bool Enabled { get; set; } = true;

    /// <summary>Finished notifications (SENT, FAILED, RETRACTED) older than this are deleted with their deliveries.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Rows per delete: small, so that each statement holds its locks only briefly.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>The breath between two batches, which leaves the database to the dispatch.</summary>
    public TimeSpan BatchPause { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often a pass runs; the first runs at start.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}
