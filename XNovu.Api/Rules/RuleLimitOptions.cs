namespace XNovu.Api.Rules;

/// <summary>Bound from <c>XNovu:RuleLimits</c>: how hard one enterprise's rules may drive the system.</summary>
public sealed class RuleLimitOptions
{
    public const string SectionName = "XNovu:RuleLimits";

    /// <summary>
    /// The shortest interval a CRON rule may fire at. The admin may lower it for one enterprise
    /// (<c>PUT /api/admin/enterprises/{id}/rule-limits</c>); nobody else can.
    /// </summary>
    public TimeSpan MinimumCronInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The most deliveries (notifications times their recipients) one <c>POST /api/events</c> may create across
    /// every EVENT rule that listens to it; more is a 422 and nothing is stored.
    /// </summary>
    public int MaxDeliveriesPerEvent { get; set; } = 1000;
}
