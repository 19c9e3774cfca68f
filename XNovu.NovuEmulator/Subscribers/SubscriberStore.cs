using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace XNovu.NovuEmulator.Subscribers;

/// <summary>A subscriber as Novu answers it (v1 and v2 alike).</summary>
public sealed record SubscriberDto
{
    [JsonPropertyName("_id")]
    public required string Id { get; init; }

    [JsonPropertyName("_organizationId")]
    public string OrganizationId { get; init; } = SubscriberStore.OrganizationId;

    [JsonPropertyName("_environmentId")]
    public string EnvironmentId { get; init; } = SubscriberStore.EnvironmentId;

    public required string SubscriberId { get; init; }

    public string? FirstName { get; init; }

    public string? LastName { get; init; }

    public string? Email { get; init; }

    public string? Phone { get; init; }

    public string? Avatar { get; init; }

    public string? Locale { get; init; }

    public string? Timezone { get; init; }

    public JsonNode? Data { get; init; }

    public bool Deleted { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}

public sealed class SubscriberStore(TimeProvider time)
{
    public const string OrganizationId = "000000000000000000000001";
    public const string EnvironmentId = "000000000000000000000002";

    /// <summary>The fields a create, update or inline <c>to</c> subscriber may set.</summary>
    public static readonly string[] Fields = ["email", "phone", "firstName", "lastName", "avatar", "locale", "timezone", "data"];

    private readonly Lock _gate = new();
    private readonly Dictionary<string, SubscriberDto> _subscribers = new(StringComparer.Ordinal);

    public SubscriberDto? Get(string subscriberId)
    {
        lock (_gate)
        {
            return _subscribers.GetValueOrDefault(subscriberId);
        }
    }

    /// <summary>Creates, or updates the fields present in <paramref name="fields"/>.</summary>
    public SubscriberDto Upsert(string subscriberId, JsonObject? fields, out bool created)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            created = !_subscribers.TryGetValue(subscriberId, out var existing);
            existing ??= new SubscriberDto { Id = NewObjectId(), SubscriberId = subscriberId, CreatedAt = now, UpdatedAt = now };
            var updated = fields is null ? existing : Apply(existing, fields) with { UpdatedAt = now };
            _subscribers[subscriberId] = updated;
            return updated;
        }
    }

    /// <summary>Updates an existing subscriber; null when there is none.</summary>
    public SubscriberDto? Update(string subscriberId, JsonObject fields)
    {
        lock (_gate)
        {
            if (!_subscribers.TryGetValue(subscriberId, out var existing))
            {
                return null;
            }

            var updated = Apply(existing, fields) with { UpdatedAt = time.GetUtcNow() };
            _subscribers[subscriberId] = updated;
            return updated;
        }
    }

    public bool Delete(string subscriberId)
    {
        lock (_gate)
        {
            return _subscribers.Remove(subscriberId);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _subscribers.Clear();
        }
    }

    private static SubscriberDto Apply(SubscriberDto subscriber, JsonObject fields)
    {
        string? Text(string name, string? current) => fields.ContainsKey(name) ? fields[name]?.ToString() : current;

        return subscriber with
        {
            Email = Text("email", subscriber.Email),
            Phone = Text("phone", subscriber.Phone),
            FirstName = Text("firstName", subscriber.FirstName),
            LastName = Text("lastName", subscriber.LastName),
            Avatar = Text("avatar", subscriber.Avatar),
            Locale = Text("locale", subscriber.Locale),
            Timezone = Text("timezone", subscriber.Timezone),
            Data = fields.ContainsKey("data") ? fields["data"]?.DeepClone() : subscriber.Data,
        };
    }

    /// <summary>Novu's ids are MongoDB ObjectIds: 24 hex characters.</summary>
    private static string NewObjectId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}
