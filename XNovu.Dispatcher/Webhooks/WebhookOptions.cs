using System.ComponentModel.DataAnnotations;

namespace XNovu.Dispatcher.Webhooks;

/// <summary>Bound from <c>XNovu:Webhooks</c>: the outbound webhooks' sender (issue 28).</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "XNovu:Webhooks";

    /// <summary>
    /// When each attempt is made, counted from the previous one: the first at once, then 5 s, 5 min, 30 min, 2 h,
    /// 5 h, 10 h, 10 h (Svix's and Novu's published schedule). After the last, the message has failed (replayable).
    /// </summary>
    public List<TimeSpan> RetrySchedule { get; set; } = [];

    public static readonly TimeSpan[] PublishedSchedule =
    [
        TimeSpan.Zero, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(2), TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    /// <summary>An endpoint that failed every attempt for this long is disabled, and the enterprise told.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>The longest Retry-After (429, 503) honoured; a longer one waits this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(10);

    /// <summary>One attempt's limit, connection included (Standard Webhooks advises 15 to 30 s).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Messages one claim takes at most.</summary>
    [Range(1, 5000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Messages of one endpoint one claim takes at most, so one tenant's backlog cannot fill it.</summary>
    [Range(1, 5000)]
    public int PerEndpointPerClaim { get; set; } = 200;

    /// <summary>Attempts in flight at once in this replica.</summary>
    [Range(1, 10000)]
    public int MaxInFlight { get; set; } = 1024;

    /// <summary>Attempts in flight at once to one endpoint; a claimed message over it waits a moment, its attempt given back.</summary>
    [Range(1, 10000)]
    public int MaxInFlightPerEndpoint { get; set; } = 256;

    /// <summary>A claimed message comes due again after this, should its replica die mid-send.</summary>
    [Range(5, 3600)]
    public int LeaseSeconds { get; set; } = 60;

    /// <summary>How often due retries are looked for when no NOTIFY came.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A payload over this is failed without being sent (Standard Webhooks advises under 20 KB).</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxPayloadBytes { get; set; } = 20 * 1024;

    /// <summary>
    /// How long a Novu webhook's id is remembered to drop its repeats. Past the receiver's timestamp tolerance a repeat
    /// is refused as late anyway, and the timeline's own key (delivery, message, event) drops a replay beyond that.
    /// </summary>
    [Range(typeof(TimeSpan), "00:10:00", "7.00:00:00")]
    public TimeSpan ReceiptMaxAge { get; set; } = TimeSpan.FromHours(1);

    public IReadOnlyList<TimeSpan> Schedule => RetrySchedule.Count > 0 ? RetrySchedule : PublishedSchedule;
}
