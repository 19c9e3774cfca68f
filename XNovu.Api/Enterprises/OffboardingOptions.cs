namespace XNovu.Api.Enterprises;

/// <summary>Bound from <c>XNovu:Offboarding</c>: how a deleted enterprise's rows are removed.</summary>
public sealed class OffboardingOptions
{
    public const string SectionName = "XNovu:Offboarding";

    /// <summary>Rows per statement: small enough that each delete holds its locks for milliseconds.</summary>
    public int PurgeBatchSize { get; set; } = 1000;

    /// <summary>How often the job looks for enterprises being deleted when nobody woke it.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromSeconds(30);
}
