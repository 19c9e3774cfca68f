namespace XNovu.Api.Webhooks;

/// <summary>An enterprise's webhook endpoint as written: the URL called and the event types it receives.</summary>
/// <param name="Enabled">false disables it by hand; true enables one that was disabled (by hand, 410 or failing too long).</param>
public sealed record WebhookEndpointRequest(string? Url, IReadOnlyList<string>? EventTypes, string? Description, bool? Enabled = null);

/// <summary>
/// An endpoint. <c>secret</c> (<c>whsec_...</c>) is shown when the endpoint is created, when it is rotated and at
/// <c>GET .../secret</c>; every request to the endpoint is signed with it (Standard Webhooks).
/// </summary>
public sealed record WebhookEndpointResponse(
    Guid Id, string Url, string? Description, IReadOnlyList<string> EventTypes, bool Enabled, DateTime? DisabledAt,
    string? DisabledReason, DateTime? FailingSince, DateTime? PreviousSecretExpiresAt, DateTime CreatedAt, DateTime UpdatedAt,
    string? Secret = null);

public sealed record WebhookSecretResponse(string Secret, DateTime? PreviousSecretExpiresAt);

public sealed record WebhookMessageResponse(
    long Id, string WebhookId, string EventType, string Status, int Attempts, DateTime NextAttemptAt, DateTime CreatedAt,
    DateTime? DeliveredAt, System.Text.Json.JsonElement Payload);

public sealed record WebhookAttemptResponse(
    long Id, long MessageId, string WebhookId, string EventType, int Attempt, DateTime AttemptedAt, string Outcome, int? HttpStatus,
    int? DurationMs, string? Error, string? Response);

/// <summary>Replays the endpoint's messages created in [since, until): failed ones only unless <c>onlyFailed</c> is false.</summary>
public sealed record WebhookReplayRequest(DateTimeOffset? Since, DateTimeOffset? Until, bool? OnlyFailed);

public sealed record WebhookReplayResponse(int Replayed);

/// <param name="AllowPrivateAddresses">Lets the enterprise's endpoints call loopback, private and link-local addresses.</param>
public sealed record WebhookPolicyRequest(bool? AllowPrivateAddresses);

public sealed record WebhookPolicyResponse(Guid EnterpriseId, bool AllowPrivateAddresses);

/// <summary>The event types an endpoint may receive (issue 28), as the outbox writes them.</summary>
public static class WebhookEventTypes
{
    public const string Accepted = "notification.accepted";
    public const string Sent = "notification.sent";
    public const string Delivered = "notification.delivered";
    public const string Failed = "notification.failed";
    public const string Read = "notification.read";
    public const string RuleFired = "rule.fired";
    public const string WorkflowSyncFailed = "workflow.sync_failed";

    /// <summary>Sent to every other enabled endpoint of the enterprise when one is disabled, whatever they chose.</summary>
    public const string EndpointDisabled = "endpoint.disabled";

    public static readonly IReadOnlyList<string> All = [Accepted, Sent, Delivered, Failed, Read, RuleFired, WorkflowSyncFailed];
}
