using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Http;
using XNovu.Api.Workflows;
using XNovu.Core.Json;

namespace XNovu.Api.Triggers;

/// <summary>
/// A trigger whose envelope holds together, ready for the workflow checks that need the database.
/// The transaction id is the caller's or one made here, so the insert can return it.
/// </summary>
internal sealed record PreparedTrigger(
    string WorkflowKey,
    string RecipientsJson,
    JsonElement Payload,
    string? OverridesJson,
    string TransactionId,
    DateTime? ScheduledFor,
    string[]? Tags,
    string? CategoryCode,
    string? PriorityCode);

/// <summary>
/// The envelope rules of a trigger: what is malformed (400), too large (413) or aimed at another enterprise
/// (403). The payload's schema is checked later, against the workflow found in the database (422).
/// </summary>
internal static class TriggerValidation
{
    private static readonly string[] SubscriberTextFields = ["email", "phone", "firstName", "lastName", "locale", "avatar"];
    private static readonly JsonElement EmptyObject = JsonElement.Parse("{}");

    public static (PreparedTrigger? Trigger, ProblemHttpResult? Problem) Prepare(
        TriggerRequest request, Guid enterpriseId, TriggerOptions options)
    {
        if (request.EnterpriseId is { } named && named != enterpriseId)
        {
            return (null, Problems.Forbidden("enterpriseId names another enterprise than the API key's; omit it or send the key's own."));
        }

        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(request.WorkflowKey))
        {
            errors.Add("workflowId", "is required.");
        }

        var recipients = Recipients(request, options, errors);

        var payload = Jsonb.IsPresent(request.Payload) ? request.Payload!.Value : EmptyObject;
        if (payload.ValueKind != JsonValueKind.Object)
        {
            errors.Add("payload", "must be a JSON object.");
        }
        else if (Encoding.UTF8.GetByteCount(payload.GetRawText()) > options.MaxPayloadBytes)
        {
            return (null, TriggerProblems.PayloadTooLarge($"The payload is larger than {options.MaxPayloadBytes / 1024} KB."));
        }

        if (Jsonb.IsPresent(request.Overrides) && request.Overrides!.Value.ValueKind != JsonValueKind.Object)
        {
            errors.Add("overrides", "must be a JSON object.");
        }

        if (request.TransactionId is { } transactionId
            && (string.IsNullOrWhiteSpace(transactionId) || transactionId.Length > TriggerOptions.MaxTransactionIdLength))
        {
            errors.Add("transactionId", $"must be 1 to {TriggerOptions.MaxTransactionIdLength} characters when given.");
        }

        var tags = request.Tags;
        if (tags is not null)
        {
            if (tags.Count > options.MaxTags)
            {
                errors.Add("tags", $"must hold at most {options.MaxTags} tags.");
            }

            for (var i = 0; i < tags.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(tags[i]) || tags[i].Length > TriggerOptions.MaxTagLength)
                {
                    errors.Add($"tags[{i}]", $"must be 1 to {TriggerOptions.MaxTagLength} characters.");
                }
            }
        }

        if (errors.Any)
        {
            return (null, Problems.Malformed("The trigger is malformed.", errors.ToDictionary()));
        }

        return (new PreparedTrigger(
            request.WorkflowKey!.Trim(),
            recipients!,
            payload,
            Jsonb.ToColumn(request.Overrides),
            request.TransactionId ?? Guid.CreateVersion7().ToString(),
            request.ScheduledFor?.UtcDateTime,
            tags?.ToArray(),
            NullIfBlank(request.CategoryCode),
            NullIfBlank(request.PriorityCode)), null);
    }

    /// <summary>
    /// The recipients as the JSON array stored on the notification: each a subscriber id or a subscriber
    /// object as given. No recipient at all means the configured default subscriber.
    /// </summary>
    private static string? Recipients(TriggerRequest request, TriggerOptions options, ValidationErrors errors)
    {
        var hasTo = Jsonb.IsPresent(request.To);
        if (hasTo && request.SubscriberId is not null)
        {
            errors.Add("to", "give either 'to' or 'subscriberId', not both.");
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            if (hasTo)
            {
                var to = request.To!.Value;
                if (to.ValueKind == JsonValueKind.Array)
                {
                    var count = to.GetArrayLength();
                    if (count < 1 || count > options.MaxRecipients)
                    {
                        errors.Add("to", $"must name 1 to {options.MaxRecipients} recipients.");
                    }

                    var i = 0;
                    foreach (var recipient in to.EnumerateArray())
                    {
                        WriteRecipient(writer, recipient, $"to[{i++}]", errors);
                    }
                }
                else
                {
                    WriteRecipient(writer, to, "to", errors);
                }
            }
            else if (request.SubscriberId is not null)
            {
                if (CheckSubscriberId(request.SubscriberId, "subscriberId", errors))
                {
                    writer.WriteStringValue(request.SubscriberId);
                }
            }
            else if (!string.IsNullOrWhiteSpace(options.DefaultSubscriberId))
            {
                writer.WriteStringValue(options.DefaultSubscriberId);
            }
            else
            {
                errors.Add("to", "names no recipient, and no default subscriber is configured (XNovu:Novu:DefaultSubscriberId).");
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteRecipient(Utf8JsonWriter writer, JsonElement recipient, string field, ValidationErrors errors)
    {
        switch (recipient.ValueKind)
        {
            case JsonValueKind.String:
                if (CheckSubscriberId(recipient.GetString(), field, errors))
                {
                    recipient.WriteTo(writer);
                }

                break;
            case JsonValueKind.Object when Topics.TopicAudience.IsTopic(recipient):
                // Novu's topic reference; the trigger's store expands it into the topic's members.
                WriteTopic(writer, recipient, field, errors);
                break;
            case JsonValueKind.Object:
                var ok = CheckSubscriberId(
                    recipient.TryGetProperty("subscriberId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null,
                    $"{field}.subscriberId",
                    errors);
                foreach (var name in SubscriberTextFields)
                {
                    if (recipient.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                    {
                        errors.Add($"{field}.{name}", "must be a string.");
                        ok = false;
                    }
                }

                if (recipient.TryGetProperty("data", out var data) && data.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
                {
                    errors.Add($"{field}.data", "must be a JSON object.");
                    ok = false;
                }

                if (ok)
                {
                    recipient.WriteTo(writer);
                }

                break;
            default:
                errors.Add(field, "must be a subscriber id, a subscriber object {subscriberId, email, phone, firstName, lastName, locale, data} or a topic {type: Topic, topicKey}.");
                break;
        }
    }

    private static void WriteTopic(Utf8JsonWriter writer, JsonElement recipient, string field, ValidationErrors errors)
    {
        var topicKey = recipient.GetProperty("topicKey");
        var problem = topicKey.ValueKind == JsonValueKind.String
            ? Topics.TopicEndpoints.TopicKeyProblem(topicKey.GetString())
            : "must be a string.";
        if (recipient.TryGetProperty("type", out var type)
            && !(type.ValueKind == JsonValueKind.String && string.Equals(type.GetString(), Topics.TopicAudience.TopicType, StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add($"{field}.type", $"must be '{Topics.TopicAudience.TopicType}' for a topic.");
        }

        if (problem is not null)
        {
            errors.Add($"{field}.topicKey", problem);
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("type", Topics.TopicAudience.TopicType);
        writer.WriteString("topicKey", topicKey.GetString());
        writer.WriteEndObject();
    }

    private static bool CheckSubscriberId(string? subscriberId, string field, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(subscriberId))
        {
            errors.Add(field, "must be a non-empty subscriber id.");
            return false;
        }

        if (subscriberId.Length > TriggerOptions.MaxSubscriberIdLength)
        {
            errors.Add(field, $"must be at most {TriggerOptions.MaxSubscriberIdLength} characters.");
            return false;
        }

        return true;
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
