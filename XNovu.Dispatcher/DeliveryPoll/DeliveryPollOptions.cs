using System.ComponentModel.DataAnnotations;

namespace XNovu.Dispatcher.DeliveryPoll;

/// <summary>
/// Bound from <c>XNovu:DeliveryPoll</c>: how a delivery's fate is learned in a Novu environment that sends no
/// webhooks (issue 28). Novu is asked, per environment and at that environment's own pace, about deliveries it
/// accepted a while ago that still have no outcome past <c>sent</c>.
/// </summary>
public sealed class DeliveryPollOptions
{
    public const string SectionName = "XNovu:DeliveryPoll";

    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The shared environment's Novu plan sends webhooks to XNovu (<c>XNovu:NovuWebhooks:SharedSecret</c> is set on
    /// the API), so its deliveries are not polled. An enterprise's own environment is polled unless the admin gave
    /// its webhook secret.
    /// </summary>
    public bool SharedEnvironmentSendsWebhooks { get; set; }

    /// <summary>A delivery is first asked about this long after Novu accepted it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan After { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A delivery Novu has said nothing more about this long after it accepted it is no longer asked about.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The wait before a delivery is asked about again, doubled after each poll up to <see cref="MaxWait"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Wait { get; set; } = TimeSpan.FromMinutes(1);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often a pass claims deliveries to ask about.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Deliveries one pass claims, across environments.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 1000;

    /// <summary>Deliveries of one enterprise one pass claims, so one tenant's backlog cannot fill a pass.</summary>
    [Range(1, 10_000)]
    public int PerEnterprise { get; set; } = 100;

    /// <summary>Transaction ids asked about in one <c>GET /v1/messages</c>.</summary>
    [Range(1, 50)]
    public int TransactionsPerRequest { get; set; } = 25;

    /// <summary>Messages one page of the answer holds (a delivery has one per channel step).</summary>
    [Range(1, 1000)]
    public int PageSize { get; set; } = 100;

    /// <summary>Pages read at most for one request's transactions.</summary>
    [Range(1, 100)]
    public int MaxPages { get; set; } = 5;

    /// <summary>
    /// Requests per second to one Novu environment, its own budget beside the triggers' (Novu counts reads apart
    /// from triggers): an environment slow to answer or out of budget delays only its own deliveries' outcomes.
    /// </summary>
    [Range(0.01, 100)]
    public double RequestsPerSecond { get; set; } = 2;
}
