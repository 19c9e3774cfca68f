using System.ComponentModel.DataAnnotations;

namespace XNovu.Dispatcher.Preferences;

/// <summary>Bound from <c>XNovu:PreferenceSync</c>.</summary>
public sealed class PreferenceSyncOptions : Queues.INovuQueueOptions
{
    public const string SectionName = "XNovu:PreferenceSync";

    /// <summary>How often due preferences are looked for: how long, at most, Novu's Inbox lags a change made in XNovu.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Rows claimed at once; one subscriber's workflow preferences in a claim go to Novu as one bulk call.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>A claimed row comes due again after this, should its replica die mid-way.</summary>
    [Range(5, 3600)]
    public int LeaseSeconds { get; set; } = 60;

    /// <summary>A push Novu refused or could not take is retried after 2^attempts seconds, at most this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(10);
}
