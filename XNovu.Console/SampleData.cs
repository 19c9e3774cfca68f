using System.Text.Json;
using System.Text.Json.Nodes;

namespace XNovu.Console;

/// <summary>
/// Sample JSON for previews, made from what an author already wrote: a template's <c>variablesDescription</c>
/// or its workflow's <c>payloadSchema</c>. A sample is a starting point the author edits, not a validation.
/// </summary>
public static class SampleData
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Subscriber { get; } = new JsonObject
    {
        ["subscriberId"] = "sample-subscriber",
        ["firstName"] = "Ada",
        ["lastName"] = "Lovelace",
        ["email"] = "ada@example.com",
        ["phone"] = "+15555550100",
    }.ToJsonString(Indented);

    /// <summary>
    /// Three sample events for a digest preview: the workflow's sample payload three times, told apart by their
    /// top-level text fields (suffixed <c>#1</c>, <c>#2</c>, <c>#3</c>), or by a <c>name</c> (Sample event 1, 2, 3)
    /// when the payload has no text field.
    /// </summary>
    public static IReadOnlyList<JsonObject> DigestEvents(JsonNode? payloadSchema = null) =>
        Enumerable.Range(1, 3).Select(i =>
        {
            var sample = payloadSchema is JsonObject schema ? FromSchema(schema, "value") as JsonObject ?? [] : [];
            var texts = sample.Where(p => p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String).Select(p => p.Key).ToList();
            foreach (var name in texts)
            {
                sample[name] = $"{(string?)sample[name]} #{i}";
            }

            if (texts.Count == 0)
            {
                sample["name"] = $"Sample event {i}";
            }

            return sample;
        }).ToList();

    /// <summary>The sample payload: from the variables' descriptions, else from the payload schema, else empty.</summary>
    public static string Payload(JsonNode? variablesDescription, JsonNode? payloadSchema)
    {
        var sample = variablesDescription is JsonObject { Count: > 0 } variables
            ? FromVariables(variables)
            : payloadSchema is JsonObject schema ? FromSchema(schema, "value") as JsonObject ?? [] : [];
        return sample.ToJsonString(Indented);
    }

    private static JsonObject FromVariables(JsonObject variables)
    {
        var sample = new JsonObject();
        foreach (var (name, description) in variables)
        {
            sample[name] = description switch
            {
                JsonObject described when described["example"] is { } example => example.DeepClone(),
                JsonObject nested => FromVariables(nested),
                JsonValue value when value.GetValueKind() == JsonValueKind.String => $"<{value.GetValue<string>()}>",
                _ => description?.DeepClone(),
            };
        }

        return sample;
    }

    private static JsonNode? FromSchema(JsonObject schema, string name)
    {
        if (schema["example"] is { } example)
        {
            return example.DeepClone();
        }

        if (schema["default"] is { } fallback)
        {
            return fallback.DeepClone();
        }

        if (schema["enum"] is JsonArray { Count: > 0 } choices)
        {
            return choices[0]?.DeepClone();
        }

        var type = schema["type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : null;
        if (type == "object" || schema["properties"] is JsonObject)
        {
            var sample = new JsonObject();
            if (schema["properties"] is JsonObject properties)
            {
                foreach (var (property, propertySchema) in properties)
                {
                    sample[property] = propertySchema is JsonObject inner ? FromSchema(inner, property) : null;
                }
            }

            return sample;
        }

        return type switch
        {
            "integer" or "number" => 1,
            "boolean" => true,
            "array" => new JsonArray(),
            "null" => null,
            _ => schema["description"] is JsonValue d && d.GetValueKind() == JsonValueKind.String ? $"<{d.GetValue<string>()}>" : $"<{name}>",
        };
    }

    /// <summary>Parses an author's JSON, or says where it breaks, with a 1-based line and column.</summary>
    public static JsonNode? Parse(string text, string what, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException ex)
        {
            var line = (ex.LineNumber ?? 0) + 1;
            var column = (ex.BytePositionInLine ?? 0) + 1;
            error = $"{what} does not parse at line {line}, column {column}.";
            return null;
        }
    }

    public static string Format(JsonNode? node) => node is null ? string.Empty : node.ToJsonString(Indented);
}
