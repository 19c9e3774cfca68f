using System.ComponentModel.DataAnnotations;

namespace XNovu.Console;

/// <summary>The console's settings, under <c>XNovu:Console</c>.</summary>
public sealed class ConsoleOptions
{
    public const string SectionName = "XNovu:Console";

    /// <summary>How often the activity pages ask the API again while they are open.</summary>
    [Range(typeof(TimeSpan), "00:00:00.250", "00:10:00")]
    public TimeSpan ActivityRefresh { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long the key the console creates for an admin's session in an enterprise works; the API refuses it
    /// afterwards (its expiry is stored with the key), and the console's session ends with it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan SessionKeyLifetime { get; set; } = TimeSpan.FromHours(12);
}
