using System.Text.Json.Nodes;

namespace XNovu.Console.Api;

/// <summary>An enterprise's webhook endpoint (issue 28); <c>Secret</c> only in the answer to a create or a rotation.</summary>
public sealed record WebhookEndpointItem(
    Guid Id, string Url, string? Description, IReadOnlyList<string> EventTypes, bool Enabled, DateTime? DisabledAt,
    string? DisabledReason, DateTime? FailingSince, DateTime? PreviousSecretExpiresAt, DateTime CreatedAt, DateTime UpdatedAt,
    string? Secret = null);

/// <summary>What the console writes to create an endpoint or change one (null fields unchanged).</summary>
public sealed record WebhookEndpointInput(string? Url, IReadOnlyList<string>? EventTypes, string? Description, bool? Enabled = null);

public sealed record WebhookMessageItem(
    long Id, string WebhookId, string EventType, string Status, int Attempts, DateTime NextAttemptAt, DateTime CreatedAt,
    DateTime? DeliveredAt, JsonNode? Payload);

public sealed record WebhookAttemptItem(
    long Id, long MessageId, string WebhookId, string EventType, int Attempt, DateTime AttemptedAt, string Outcome, int? HttpStatus,
    int? DurationMs, string? Error, string? Response);

/// <summary>Replays the endpoint's messages created in [since, until), failed ones only unless <c>OnlyFailed</c> is false.</summary>
public sealed record WebhookReplayInput(DateTimeOffset? Since, DateTimeOffset? Until, bool OnlyFailed);

public sealed record WebhookReplayResult(int Replayed);

/// <summary>The event types an endpoint may choose, as the API names them.</summary>
public static class WebhookEventTypes
{
    public static readonly IReadOnlyList<string> All =
    [
        "notification.accepted", "notification.sent", "notification.delivered", "notification.failed", "notification.read",
        "rule.fired", "workflow.sync_failed",
    ];
}
