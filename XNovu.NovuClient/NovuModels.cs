using System.Text.Json;
using System.Text.Json.Serialization;

namespace XNovu.NovuClient;

/// <summary>The body of <c>POST /v1/events/trigger</c>, and one event of a bulk call.</summary>
public sealed record TriggerRequest
{
    /// <summary>The workflow identifier.</summary>
    public required string Name { get; init; }

    public required IReadOnlyList<NovuRecipient> To { get; init; }

    /// <summary>The caller's, stable across retries of the same delivery, so Novu can deduplicate.</summary>
    public required string TransactionId { get; init; }

    public JsonElement? Payload { get; init; }

    public JsonElement? Overrides { get; init; }

    public NovuRecipient? Actor { get; init; }

    /// <summary>A tenant identifier string or <c>{identifier, name, data}</c>.</summary>
    public JsonElement? Tenant { get; init; }
}

/// <summary>A subscriber as Novu names its fields, for <c>to</c>, <c>actor</c> and the subscriber routes.</summary>
public sealed record NovuSubscriber
{
    public required string SubscriberId { get; init; }

    public string? Email { get; init; }

    public string? Phone { get; init; }

    public string? FirstName { get; init; }

    public string? LastName { get; init; }

    public string? Avatar { get; init; }

    public string? Locale { get; init; }

    public string? Timezone { get; init; }

    public JsonElement? Data { get; init; }
}

/// <summary>The body of <c>PATCH /v2/subscribers/{id}</c>: only the fields to change.</summary>
public sealed record NovuSubscriberPatch
{
    public string? Email { get; init; }

    public string? Phone { get; init; }

    public string? FirstName { get; init; }

    public string? LastName { get; init; }

    public string? Avatar { get; init; }

    public string? Locale { get; init; }

    public string? Timezone { get; init; }

    public JsonElement? Data { get; init; }
}

/// <summary>A subscriber as Novu answers it.</summary>
public sealed record NovuSubscriberResponse
{
    [JsonPropertyName("_id")]
    public string? Id { get; init; }

    public string SubscriberId { get; init; } = string.Empty;

    public string? Email { get; init; }

    public string? Phone { get; init; }

    public string? FirstName { get; init; }

    public string? LastName { get; init; }

    public string? Avatar { get; init; }

    public string? Locale { get; init; }

    public string? Timezone { get; init; }

    public JsonElement? Data { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>One trigger answer: <c>{acknowledged, status, transactionId, error?}</c>.</summary>
internal sealed record TriggerResponse
{
    public bool Acknowledged { get; init; }

    public string? Status { get; init; }

    public string? TransactionId { get; init; }

    public JsonElement? Error { get; init; }
}

internal sealed record BulkTriggerRequest(IReadOnlyList<TriggerRequest> Events);

/// <summary>
/// A <c>to</c> (or <c>actor</c>) entry: a subscriberId string, a subscriber object, or a topic
/// <c>{type:"Topic", topicKey}</c>.
/// </summary>
[JsonConverter(typeof(NovuRecipientJsonConverter))]
public sealed record NovuRecipient
{
    private NovuRecipient()
    {
    }

    public string? SubscriberId { get; private init; }

    public NovuSubscriber? Subscriber { get; private init; }

    public string? TopicKey { get; private init; }

    public static NovuRecipient Id(string subscriberId) =>
        new() { SubscriberId = subscriberId };

    public static NovuRecipient Of(NovuSubscriber subscriber) =>
        new() { Subscriber = subscriber, SubscriberId = subscriber.SubscriberId };

    public static NovuRecipient Topic(string topicKey) => new() { TopicKey = topicKey };

    public static implicit operator NovuRecipient(string subscriberId) => Id(subscriberId);

    public static implicit operator NovuRecipient(NovuSubscriber subscriber) => Of(subscriber);
}

internal sealed class NovuRecipientJsonConverter : JsonConverter<NovuRecipient>
{
    public override NovuRecipient Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return NovuRecipient.Id(reader.GetString()!);
        }

        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.TryGetProperty("topicKey", out var topicKey))
        {
            return NovuRecipient.Topic(topicKey.GetString() ?? string.Empty);
        }

        return NovuRecipient.Of(root.Deserialize<NovuSubscriber>(options)!);
    }

    public override void Write(Utf8JsonWriter writer, NovuRecipient value, JsonSerializerOptions options)
    {
        if (value.TopicKey is not null)
        {
            writer.WriteStartObject();
            writer.WriteString("type", "Topic");
            writer.WriteString("topicKey", value.TopicKey);
            writer.WriteEndObject();
        }
        else if (value.Subscriber is not null)
        {
            JsonSerializer.Serialize(writer, value.Subscriber, options);
        }
        else
        {
            writer.WriteStringValue(value.SubscriberId);
        }
    }
}

internal static class NovuJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
