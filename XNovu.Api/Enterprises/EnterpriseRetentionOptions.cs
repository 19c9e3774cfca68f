namespace XNovu.Api.Enterprises;

/// <summary>
/// The deployment's retention as the API needs it (<c>XNovu:Retention:MaxAge</c>, the dispatchers' setting, which the
/// AppHost passes to both): an enterprise's own retention may only be shorter. The dispatchers apply the shorter of
/// the two anyway, so a value set while the deployment's was longer is never a way to keep more.
/// </summary>
public sealed class EnterpriseRetentionOptions
{
    public const string SectionName = "XNovu:Retention";

    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(90);

    /// <summary>The longest retention an enterprise may set, in whole days (0: the deployment keeps less than a day, none may be set).</summary>
    public int MaxEnterpriseDays => (int)Math.Min(Math.Floor(MaxAge.TotalDays), int.MaxValue);
}
