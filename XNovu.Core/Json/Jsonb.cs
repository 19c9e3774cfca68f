using System.Text.Json;

namespace XNovu.Core.Json;

/// <summary>Moves free-form JSON fields between requests, jsonb columns and responses.</summary>
public static class Jsonb
{
    public static bool IsPresent(JsonElement? value) =>
        value is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) };

    /// <summary>The text for a <c>::jsonb</c> parameter, or null for an absent or JSON-null value.</summary>
    public static string? ToColumn(JsonElement? value) => IsPresent(value) ? value!.Value.GetRawText() : null;

    public static JsonElement? FromColumn(string? json) => json is null ? null : JsonElement.Parse(json);
}
