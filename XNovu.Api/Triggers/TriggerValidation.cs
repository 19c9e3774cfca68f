using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Http;
using XNovu.Api.Workflows;
using XNovu.Core.Json;
using XNovu.Core.Validation;

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

        if (request.NotificationId is not null)
        {
            errors.Add("notificationId", "re-sends a notification through POST /api/trigger only, not in a bulk call.");
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
    /// The recipients as the JSON array stored on the notification, by the one recipient rule set
    /// (<see cref="Core.Validation.Recipients"/>). No recipient at all means the configured default subscriber.
    /// </summary>
    private static string? Recipients(TriggerRequest request, TriggerOptions options, ValidationErrors errors)
    {
        var hasTo = Jsonb.IsPresent(request.To);
        if (hasTo && request.SubscriberId is not null)
        {
            errors.Add("to", "give either 'to' or 'subscriberId', not both.");
            return null;
        }

        var problems = new List<TextFault>();
        JsonNode? recipients;
        if (hasTo)
        {
            var to = request.To!.Value;
            recipients = to.ValueKind == JsonValueKind.Array
                ? ListWithTopics(to, options.MaxRecipients, problems)
                : Single(OneOrTopic(to, "to", problems));
        }
        else if (request.SubscriberId is not null)
        {
            recipients = Single(Core.Validation.Recipients.One(JsonSerializer.SerializeToElement(request.SubscriberId), "subscriberId", problems));
        }
        else if (!string.IsNullOrWhiteSpace(options.DefaultSubscriberId))
        {
            recipients = new JsonArray(options.DefaultSubscriberId);
        }
        else
        {
            errors.Add("to", "names no recipient, and no default subscriber is configured (XNovu:Novu:DefaultSubscriberId).");
            return null;
        }

        foreach (var problem in problems)
        {
            errors.Add(problem.Field, problem.Message);
        }

        return recipients?.ToJsonString();
    }

    private static JsonArray? Single(JsonNode? recipient) => recipient is null ? null : new JsonArray(recipient);

    /// <summary>
    /// The recipients of <c>to</c>: Novu's topic references (<c>{"type":"Topic","topicKey":...}</c>), kept for
    /// the trigger's store to expand into members, and everything else by the one recipient rule set.
    /// </summary>
    private static JsonArray? ListWithTopics(JsonElement to, int maxCount, List<TextFault> problems)
    {
        var count = to.GetArrayLength();
        if (count < 1 || count > maxCount)
        {
            problems.Add(new TextFault("to", $"must name 1 to {maxCount} recipients; it names {count}."));
            return null;
        }

        var before = problems.Count;
        var result = new JsonArray();
        var index = 0;
        foreach (var recipient in to.EnumerateArray())
        {
            result.Add(OneOrTopic(recipient, $"to[{index++}]", problems));
        }

        return problems.Count == before ? result : null;
    }

    private static JsonNode? OneOrTopic(JsonElement recipient, string field, List<TextFault> problems)
    {
        if (!Topics.TopicAudience.IsTopic(recipient))
        {
            return Core.Validation.Recipients.One(recipient, field, problems);
        }

        var before = problems.Count;
        var topicKey = recipient.GetProperty("topicKey");
        var keyProblem = topicKey.ValueKind == JsonValueKind.String ? Topics.TopicEndpoints.TopicKeyProblem(topicKey.GetString()) : "must be a string.";
        if (keyProblem is not null)
        {
            problems.Add(new TextFault($"{field}.topicKey", keyProblem));
        }

        foreach (var property in recipient.EnumerateObject())
        {
            if (property.Name == "type")
            {
                if (!(property.Value.ValueKind == JsonValueKind.String
                    && string.Equals(property.Value.GetString(), Topics.TopicAudience.TopicType, StringComparison.OrdinalIgnoreCase)))
                {
                    problems.Add(new TextFault($"{field}.type", $"must be '{Topics.TopicAudience.TopicType}' for a topic."));
                }
            }
            else if (property.Name != "topicKey")
            {
                problems.Add(new TextFault($"{field}.{property.Name}", "is not a topic field (type, topicKey)."));
            }
        }

        return problems.Count == before
            ? new JsonObject { ["type"] = Topics.TopicAudience.TopicType, ["topicKey"] = topicKey.GetString() }
            : null;
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
