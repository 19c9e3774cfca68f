using System.Text.Json;
using XNovu.Api.Http;
using XNovu.Core.Preferences;
using XNovu.Core.Templates;

namespace XNovu.Api.Preferences;

/// <summary>What a channel map in a request must be: an object of Novu's channel keys to booleans.</summary>
internal static class PreferenceValidation
{
    public const int MaxBulkPreferences = 100;

    /// <summary>The map, or null with the problems added to <paramref name="errors"/>.</summary>
    public static Dictionary<NotificationChannel, bool>? Channels(JsonElement? channels, string field, ValidationErrors errors, bool required = true)
    {
        if (channels is not { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } value)
        {
            if (required)
            {
                errors.Add(field, $"is required: an object of channels ({string.Join(", ", PreferenceChannels.Keys)}) to true or false.");
            }

            return required ? null : [];
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(field, "must be an object of channels to true or false.");
            return null;
        }

        var map = new Dictionary<NotificationChannel, bool>();
        var valid = true;
        foreach (var property in value.EnumerateObject())
        {
            if (!PreferenceChannels.TryParse(property.Name, out var channel))
            {
                errors.Add($"{field}.{property.Name}", $"is not a channel: use {string.Join(", ", PreferenceChannels.Keys)}.");
                valid = false;
            }
            else if (property.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                errors.Add($"{field}.{property.Name}", "must be true or false.");
                valid = false;
            }
            else
            {
                map[channel] = property.Value.GetBoolean();
            }
        }

        return valid ? map : null;
    }

    /// <summary>A Novu workflow preference block as a channel map: <c>all.enabled</c> false turns off every channel not named.</summary>
    public static Dictionary<NotificationChannel, bool>? WorkflowChannels(NovuWorkflowPreferences? preferences, ValidationErrors errors)
    {
        var map = new Dictionary<NotificationChannel, bool>();
        if (preferences?.All?.Enabled is false)
        {
            foreach (var channel in Enum.GetValues<NotificationChannel>())
            {
                map[channel] = false;
            }
        }

        var valid = true;
        foreach (var (key, value) in preferences?.Channels ?? new Dictionary<string, NovuChannelPreference>())
        {
            if (!PreferenceChannels.TryParse(key, out var channel))
            {
                errors.Add($"preferences.channels.{key}", $"is not a channel: use {string.Join(", ", PreferenceChannels.Keys)}.");
                valid = false;
            }
            else if (value?.Enabled is not { } enabled)
            {
                errors.Add($"preferences.channels.{key}.enabled", "must be true or false.");
                valid = false;
            }
            else
            {
                map[channel] = enabled;
            }
        }

        return valid ? map : null;
    }

    public static Dictionary<string, bool> ToWire(IReadOnlyDictionary<NotificationChannel, bool> channels) =>
        PreferenceChannels.Keys
            .Where(key => PreferenceChannels.TryParse(key, out var channel) && channels.ContainsKey(channel))
            .ToDictionary(key => key, key => PreferenceChannels.TryParse(key, out var channel) && channels[channel], StringComparer.Ordinal);
}
