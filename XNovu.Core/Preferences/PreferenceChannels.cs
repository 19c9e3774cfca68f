using System.Text.Json;
using XNovu.Core.Templates;

namespace XNovu.Core.Preferences;

/// <summary>
/// Channels as Novu's preferences spell them (<c>email</c>, <c>sms</c>, <c>in_app</c>, <c>push</c>, <c>chat</c>),
/// snake_case, unlike the wire names of XNovu's channels (<c>EMAIL</c>, <c>IN_APP</c>). The one place of that mapping.
/// </summary>
public static class PreferenceChannels
{
    public static readonly IReadOnlyList<string> Keys = ["email", "sms", "in_app", "push", "chat"];

    public static string ToPreferenceKey(this NotificationChannel channel) => channel switch
    {
        NotificationChannel.Email => "email",
        NotificationChannel.Sms => "sms",
        NotificationChannel.InApp => "in_app",
        NotificationChannel.Push => "push",
        NotificationChannel.Chat => "chat",
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel."),
    };

    public static bool TryParse(string? key, out NotificationChannel channel)
    {
        foreach (var candidate in Enum.GetValues<NotificationChannel>())
        {
            if (string.Equals(candidate.ToPreferenceKey(), key, StringComparison.Ordinal))
            {
                channel = candidate;
                return true;
            }
        }

        channel = default;
        return false;
    }

    /// <summary>Stored channels (<c>{"email":false}</c>) as a map; keys that are not channels or not booleans are ignored.</summary>
    public static IReadOnlyDictionary<NotificationChannel, bool> Read(string? json)
    {
        var channels = new Dictionary<NotificationChannel, bool>();
        if (string.IsNullOrEmpty(json))
        {
            return channels;
        }

        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return channels;
        }

        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (TryParse(property.Name, out var channel) && property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                channels[channel] = property.Value.GetBoolean();
            }
        }

        return channels;
    }

    /// <summary>The stored form of a map: Novu's keys, in Novu's order.</summary>
    public static string Write(IReadOnlyDictionary<NotificationChannel, bool> channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        var ordered = Keys
            .Where(key => TryParse(key, out var channel) && channels.ContainsKey(channel))
            .ToDictionary(key => key, key => TryParse(key, out var channel) && channels[channel], StringComparer.Ordinal);
        return JsonSerializer.Serialize(ordered);
    }
}
