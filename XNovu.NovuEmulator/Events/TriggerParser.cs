using System.Text;
using System.Text.Json.Nodes;
using XNovu.NovuEmulator.Shared;

namespace XNovu.NovuEmulator.Events;

/// <summary>One trigger body, checked the way Novu's DTO validation checks it.</summary>
public sealed record ParsedTrigger(
    string Name,
    JsonNode To,
    IReadOnlyList<string> SubscriberIds,
    IReadOnlyList<JsonObject> InlineSubscribers,
    JsonObject? Payload,
    JsonObject? Overrides,
    JsonNode? Actor,
    JsonNode? Tenant,
    string? TransactionId);

public static class TriggerParser
{
    public const int MaxRecipients = 100;
    public const int MaxPayloadBytes = 512 * 1024;

    /// <summary>
    /// Field errors become one 422 (Novu validates DTOs with 422); a payload over 512 KB is reported
    /// apart because Novu answers it with 413.
    /// </summary>
    public static ParsedTrigger? Parse(JsonObject body, string prefix, List<FieldError> errors, out bool payloadTooLarge)
    {
        payloadTooLarge = false;
        var start = errors.Count;

        var name = body["name"].AsString();
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add(new FieldError(prefix + "name", "name should not be empty", body["name"]));
        }

        var to = body["to"];
        var subscriberIds = new List<string>();
        var inline = new List<JsonObject>();
        if (to is null)
        {
            errors.Add(new FieldError(prefix + "to", "to should not be empty"));
        }
        else
        {
            var recipients = to is JsonArray array ? array.ToList() : [to];
            if (recipients.Count == 0)
            {
                errors.Add(new FieldError(prefix + "to", "to should not be empty", to));
            }
            else if (recipients.Count > MaxRecipients)
            {
                errors.Add(new FieldError(prefix + "to", $"to must contain no more than {MaxRecipients} elements"));
            }

            foreach (var recipient in recipients)
            {
                ReadRecipient(recipient, prefix + "to", errors, subscriberIds, inline);
            }
        }

        var payload = ReadObject(body, "payload", prefix, errors);
        var overrides = ReadObject(body, "overrides", prefix, errors);

        string? transactionId = null;
        if (body["transactionId"] is JsonNode tx)
        {
            if (tx is JsonValue txValue && txValue.TryGetValue<string>(out var txText))
            {
                transactionId = txText;
            }
            else
            {
                errors.Add(new FieldError(prefix + "transactionId", "transactionId must be a string", tx));
            }
        }

        if (errors.Count > start)
        {
            return null;
        }

        if (payload is not null && Encoding.UTF8.GetByteCount(payload.ToJsonString()) > MaxPayloadBytes)
        {
            payloadTooLarge = true;
            return null;
        }

        if (body["actor"] is JsonObject actor && actor["subscriberId"] is not null)
        {
            inline.Add(actor);
        }

        return new ParsedTrigger(name!, to!, subscriberIds.Distinct().ToList(), inline, payload, overrides,
            body["actor"], body["tenant"], string.IsNullOrEmpty(transactionId) ? null : transactionId);
    }

    private static void ReadRecipient(JsonNode? recipient, string field, List<FieldError> errors, List<string> subscriberIds, List<JsonObject> inline)
    {
        switch (recipient)
        {
            case JsonValue value when value.TryGetValue<string>(out var id) && !string.IsNullOrWhiteSpace(id):
                subscriberIds.Add(id);
                break;
            case JsonObject topic when topic["type"].AsString() == "Topic":
                if (string.IsNullOrWhiteSpace(topic["topicKey"].AsString()))
                {
                    errors.Add(new FieldError(field, "topicKey should not be empty", topic));
                }

                // The emulator keeps no topics: the event is recorded, nobody in particular receives it.
                break;
            case JsonObject subscriber when subscriber["subscriberId"] is JsonValue idValue
                && idValue.TryGetValue<string>(out var subscriberId) && !string.IsNullOrWhiteSpace(subscriberId):
                subscriberIds.Add(subscriberId);
                inline.Add(subscriber);
                break;
            default:
                errors.Add(new FieldError(field, "each recipient must be a subscriberId, a subscriber with subscriberId or a topic", recipient?.DeepClone()));
                break;
        }
    }

    private static JsonObject? ReadObject(JsonObject body, string property, string prefix, List<FieldError> errors)
    {
        var node = body[property];
        if (node is null or JsonObject)
        {
            return (JsonObject?)node;
        }

        errors.Add(new FieldError(prefix + property, $"{property} must be an object", node));
        return null;
    }
}
