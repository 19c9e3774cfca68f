using System.Globalization;
using System.Text.Json;
using XNovu.Core.Novu;

namespace XNovu.Api.NovuWebhooks;

/// <summary>
/// One of Novu's message webhooks, read from its envelope
/// <c>{id, type: "message.delivered", object: "message", data: {object: {...}}, timestamp, environmentId}</c>; the
/// message carries <c>_id</c>, <c>transactionId</c>, <c>channel</c>, <c>providerId</c>, <c>errorId</c>,
/// <c>errorText</c> and its dates. The event is the type without its <c>message.</c> prefix.
/// </summary>
public sealed record NovuWebhookEvent(
    string Event,
    DateTimeOffset OccurredAt,
    Guid? EnterpriseId,
    string? TransactionId,
    string? MessageId,
    string? Channel,
    string? ProviderId,
    string? ErrorId,
    string? ErrorText)
{
    private const string MessagePrefix = "message.";

    /// <summary>The event, or null with why when the body is not a message webhook XNovu can read.</summary>
    public static NovuWebhookEvent? Read(ReadOnlySpan<byte> body, DateTimeOffset receivedAt, out string? problem)
    {
        problem = null;
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body);
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            problem = "The body is not JSON.";
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Text(root, "type") is not { } type)
            {
                problem = "The body is not a Novu webhook envelope (no type).";
                return null;
            }

            if (!type.StartsWith(MessagePrefix, StringComparison.Ordinal) || type.Length == MessagePrefix.Length || type.Length > 50)
            {
                // workflow.* events say nothing about a delivery: accepted and ignored (preference.updated is read
                // before this, by NovuPreferenceEvent, and comes back to the subscriber's preferences).
                return new NovuWebhookEvent(type, receivedAt, null, null, null, null, null, null, null);
            }

            var message = root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("object", out var obj) && obj.ValueKind == JsonValueKind.Object ? obj : default;
            if (message.ValueKind != JsonValueKind.Object)
            {
                problem = "A message webhook carries its message in data.object.";
                return null;
            }

            var novuTransaction = Text(message, "transactionId");
            Guid? enterprise = NovuNames.TryReadTransactionId(novuTransaction, out var enterpriseId, out var transactionId) ? enterpriseId : null;
            var occurredAt = Date(message, "updatedAt") ?? Date(root, "timestamp") ?? receivedAt;
            var @event = type[MessagePrefix.Length..];
            if (@event == "delivered" && Date(message, "deliveredAt") is { } deliveredAt)
            {
                occurredAt = deliveredAt;
            }
            else if (@event == "seen" && Date(message, "firstSeenDate") is { } seenAt)
            {
                occurredAt = seenAt;
            }
            else if (@event == "read" && Date(message, "lastReadDate") is { } readAt)
            {
                occurredAt = readAt;
            }

            return new NovuWebhookEvent(
                @event, occurredAt, enterprise, transactionId, Text(message, "_id"), Text(message, "channel"),
                Text(message, "providerId"), Text(message, "errorId"), Text(message, "errorText"));
        }
    }

    public bool IsMessageEvent => EnterpriseId is not null || TransactionId is not null || MessageId is not null;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Date(JsonElement element, string name) =>
        Text(element, name) is { } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? date
            : null;
}
