using System.Text.Json.Nodes;
using XNovu.NovuEmulator.Shared;

namespace XNovu.NovuEmulator.Workflows;

/// <summary>
/// Novu's workflow preference block, <c>{"all":{"enabled","readOnly"},"channels":{"email":{"enabled"},…}}</c>:
/// its defaults (everything on, nothing read-only), the checks a request's <c>preferences.user</c> and
/// <c>preferences.workflow</c> pass, and how a channel's setting is read from it.
/// </summary>
public static class WorkflowPreferences
{
    /// <summary>Novu's channel keys in a preference (snake_case).</summary>
    public static readonly string[] Channels = ["in_app", "email", "sms", "chat", "push"];

    public static JsonObject Default() => new()
    {
        ["all"] = new JsonObject { ["enabled"] = true, ["readOnly"] = false },
        ["channels"] = new JsonObject(Channels.Select(c =>
            KeyValuePair.Create(c, (JsonNode?)new JsonObject { ["enabled"] = true }))),
    };

    /// <summary>
    /// Reads one block at <paramref name="field"/>; null when absent or JSON null. A block states <c>all</c> and
    /// <c>channels</c> (both required, as Novu's DTO says); a missing flag inside them takes its default.
    /// </summary>
    public static JsonObject? Read(JsonNode? node, string field, List<FieldError> errors)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject block)
        {
            errors.Add(new FieldError(field, $"{field} must be an object", node.DeepClone()));
            return null;
        }

        var start = errors.Count;
        var result = Default();
        if (block["all"] is not JsonObject all)
        {
            errors.Add(new FieldError($"{field}.all", $"{field}.all must be an object", block["all"]?.DeepClone()));
        }
        else
        {
            CopyFlag(all, "enabled", result["all"]!.AsObject(), $"{field}.all", errors);
            CopyFlag(all, "readOnly", result["all"]!.AsObject(), $"{field}.all", errors);
        }

        if (block["channels"] is not JsonObject channels)
        {
            errors.Add(new FieldError($"{field}.channels", $"{field}.channels must be an object", block["channels"]?.DeepClone()));
        }
        else
        {
            foreach (var (channel, value) in channels)
            {
                if (!Channels.Contains(channel, StringComparer.Ordinal))
                {
                    errors.Add(new FieldError($"{field}.channels.{channel}",
                        $"channel must be one of the following values: {string.Join(", ", Channels)}"));
                }
                else if (value is not JsonObject setting)
                {
                    errors.Add(new FieldError($"{field}.channels.{channel}", "each channel preference must be an object", value?.DeepClone()));
                }
                else
                {
                    CopyFlag(setting, "enabled", result["channels"]![channel]!.AsObject(), $"{field}.channels.{channel}", errors);
                }
            }
        }

        return errors.Count > start ? null : result;
    }

    public static bool IsReadOnly(JsonObject preferences) =>
        preferences["all"]?["readOnly"] is JsonValue value && value.TryGetValue<bool>(out var readOnly) && readOnly;

    /// <summary>A channel the block does not state is enabled, as in Novu.</summary>
    public static bool ChannelEnabled(JsonObject preferences, string channel) =>
        preferences["channels"]?[channel]?["enabled"] is not JsonValue value || !value.TryGetValue<bool>(out var enabled) || enabled;

    public static bool AllEnabled(JsonObject preferences) =>
        preferences["all"]?["enabled"] is not JsonValue value || !value.TryGetValue<bool>(out var enabled) || enabled;

    private static void CopyFlag(JsonObject from, string name, JsonObject to, string field, List<FieldError> errors)
    {
        if (from[name] is not JsonNode node)
        {
            return;
        }

        if (node is JsonValue value && value.TryGetValue<bool>(out var flag))
        {
            to[name] = flag;
        }
        else
        {
            errors.Add(new FieldError($"{field}.{name}", $"{name} must be a boolean value", node.DeepClone()));
        }
    }
}
