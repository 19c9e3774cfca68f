namespace XNovu.Core.Persistence;

/// <summary>
/// The PostgreSQL NOTIFY channels the API and the migrations' triggers signal and the dispatchers LISTEN on.
/// They cross processes, so each name is spelled here and nowhere else in C#.
/// </summary>
public static class NotifyChannels
{
    /// <summary>New or reopened deliveries were committed: a dispatcher should claim now rather than at its next poll.</summary>
    public const string Dispatch = "xnovu_dispatch";

    /// <summary>Rules changed; the payload names the enterprise, and an empty payload reloads every enterprise.</summary>
    public const string Rules = "xnovu_rules";

    /// <summary>A workflow write (or the admin's sync-all) left a Novu workflow sync pending.</summary>
    public const string NovuSync = "xnovu_novu_sync";

    /// <summary>An enterprise's own Novu environment was set, changed or removed; the payload names the enterprise.</summary>
    public const string NovuEnvironment = "xnovu_novu_environment";

    /// <summary>A commit queued enterprise webhooks in the outbox (issue 28): a sender should claim now.</summary>
    public const string Webhooks = "xnovu_webhooks";
}

/// <summary>The values of <c>notify.notification_status</c>, as the database enum spells them.</summary>
public static class NotificationStatuses
{
    public const string Pending = "PENDING";
    public const string Processing = "PROCESSING";
    public const string Sent = "SENT";
    public const string Failed = "FAILED";
    public const string Retracted = "RETRACTED";

    public static IReadOnlyList<string> All { get; } = [Pending, Processing, Sent, Failed, Retracted];

    /// <summary>Done with: nothing left to cancel.</summary>
    public static IReadOnlyList<string> Final { get; } = [Sent, Failed, Retracted];
}
