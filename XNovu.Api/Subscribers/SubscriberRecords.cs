using System.Text.Json;

namespace XNovu.Api.Subscribers;

/// <summary>
/// A subscriber profile as Novu names its fields. In a POST or PATCH an absent (or null) field keeps the
/// stored value, as Novu's subscriber upsert does; a PUT replaces the whole profile.
/// </summary>
public sealed record SubscriberBody(
    string? SubscriberId,
    string? Email,
    string? Phone,
    string? FirstName,
    string? LastName,
    string? Locale,
    string? Timezone,
    string? Avatar,
    JsonElement? Data);

public sealed record SubscriberResponse(
    string SubscriberId,
    string? Email,
    string? Phone,
    string? FirstName,
    string? LastName,
    string? Locale,
    string? Timezone,
    string? Avatar,
    JsonElement? Data,
    DateTime CreatedAt,
    DateTime UpdatedAt);

public sealed record SubscriberPage(IReadOnlyList<SubscriberResponse> Items, string? NextCursor);

public sealed record BulkSubscribersRequest(IReadOnlyList<SubscriberBody>? Subscribers);

/// <param name="Created">Subscribers that did not exist before.</param>
/// <param name="Updated">Subscribers that existed and were updated.</param>
public sealed record BulkSubscribersResponse(int Created, int Updated);

/// <summary>Everything XNovu stores about one subscriber (a data-protection access request).</summary>
public sealed record SubscriberExport(
    SubscriberResponse Profile, IReadOnlyList<string> Topics, IReadOnlyList<ExportedDelivery> Deliveries);

/// <param name="WorkflowKey">The workflow key (<c>workflowId</c> in the trigger API).</param>
public sealed record ExportedDelivery(
    long NotificationId,
    long DeliveryId,
    [property: System.Text.Json.Serialization.JsonPropertyName("workflowId")] string WorkflowKey,
    string Status,
    JsonElement? Recipient,
    JsonElement? Payload,
    DateTime CreatedAt,
    DateTime? SentAt);

/// <param name="Deliveries">Past deliveries whose recipient was scrubbed.</param>
/// <param name="Notifications">Past notifications whose recipient list was scrubbed.</param>
/// <param name="Novu">What Novu answered to the subscriber's deletion: deleted, absent or failed.</param>
public sealed record SubscriberErasure(string SubscriberId, int Deliveries, int Notifications, string Novu);
