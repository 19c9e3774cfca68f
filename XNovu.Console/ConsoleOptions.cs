using System.ComponentModel.DataAnnotations;

namespace XNovu.Console;

/// <summary>The console's settings, under <c>XNovu:Console</c>.</summary>
public sealed class ConsoleOptions
{
    public const string SectionName = "XNovu:Console";

    /// <summary>How often the activity pages ask the API again while they are open.</summary>
    [Range(typeof(TimeSpan), "00:00:00.250", "00:10:00")]
    public TimeSpan ActivityRefresh { get; set; } = TimeSpan.FromSeconds(2);
}
