using System.Text.Json;
using Json.Schema;

namespace XNovu.Api.Workflows;

/// <summary>
/// Decides whether a document is a usable JSON Schema: it must satisfy the draft 2020-12 meta-schema and
/// build (which catches what the meta-schema cannot express, such as a negative <c>minLength</c>).
/// </summary>
internal static class JsonSchemaCheck
{
    private static readonly EvaluationOptions MetaOptions = new() { OutputFormat = OutputFormat.Flag };

    /// <summary>Null when <paramref name="schema"/> is valid; otherwise why it is not.</summary>
    public static string? Explain(JsonElement schema)
    {
        if (schema.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
        {
            return "must be a JSON Schema: an object or a boolean.";
        }

        try
        {
            // A registry per check: a schema's own $id must not collide with an earlier request's.
            JsonSchema.Build(schema, new BuildOptions { SchemaRegistry = new SchemaRegistry() });
        }
        catch (Exception ex) when (ex is JsonSchemaException or ArgumentException or JsonException or InvalidOperationException)
        {
            return $"is not a valid JSON Schema: {ex.Message}";
        }

        return MetaSchemas.Draft202012.Evaluate(schema, MetaOptions).IsValid
            ? null
            : "is not a valid JSON Schema (draft 2020-12).";
    }
}
