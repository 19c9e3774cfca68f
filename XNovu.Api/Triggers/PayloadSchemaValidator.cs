using System.Text;
using System.Text.Json;
using Json.Pointer;
using Json.Schema;
using Microsoft.Extensions.Caching.Memory;
using XNovu.Api.Http;

namespace XNovu.Api.Triggers;

/// <summary>
/// Checks a trigger's payload against its workflow's <c>payloadSchema</c> and names every failing field
/// (<c>payload.user.email</c>), a missing required property by its own name. Built schemas are cached by
/// their text, so a changed schema is simply another entry.
/// </summary>
internal sealed class PayloadSchemaValidator(IMemoryCache cache)
{
    private const string Root = "payload";
    private static readonly TimeSpan KeepBuiltSchemaFor = TimeSpan.FromMinutes(10);
    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List };

    /// <summary>Field errors of <paramref name="payload"/>; none when it matches or there is no schema.</summary>
    public ValidationErrors Validate(string? schemaText, JsonElement payload)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(schemaText))
        {
            return errors;
        }

        var (schema, document) = cache.GetOrCreate(("payload-schema", schemaText), entry =>
        {
            entry.SlidingExpiration = KeepBuiltSchemaFor;
            var element = JsonElement.Parse(schemaText);
            // A registry per schema: a schema's own $id must not collide with another workflow's.
            return (JsonSchema.Build(element, new BuildOptions { SchemaRegistry = new SchemaRegistry() }), element);
        });

        var results = schema.Evaluate(payload, Options);
        if (results.IsValid)
        {
            return errors;
        }

        var seen = new HashSet<(string, string)>();
        void Add(string field, string message)
        {
            if (seen.Add((field, message)))
            {
                errors.Add(field, message);
            }
        }

        foreach (var node in Flatten(results).Where(n => !n.IsValid && n.Errors is { Count: > 0 }))
        {
            var field = FieldName(node.InstanceLocation.ToString());
            foreach (var (keyword, message) in node.Errors!)
            {
                if (keyword == "required" && MissingRequired(node, document, payload) is { Count: > 0 } missing)
                {
                    foreach (var property in missing)
                    {
                        Add($"{field}.{property}", "is required.");
                    }
                }
                else
                {
                    Add(field, message);
                }
            }
        }

        if (!errors.Any)
        {
            errors.Add(Root, "does not match the workflow's payloadSchema.");
        }

        return errors;
    }

    private static IEnumerable<EvaluationResults> Flatten(EvaluationResults results)
    {
        yield return results;
        foreach (var detail in results.Details ?? [])
        {
            foreach (var nested in Flatten(detail))
            {
                yield return nested;
            }
        }
    }

    /// <summary>The properties the failing subschema requires that the instance lacks.</summary>
    private static List<string> MissingRequired(EvaluationResults node, JsonElement schema, JsonElement payload)
    {
        var fragment = Uri.UnescapeDataString(node.SchemaLocation.Fragment.TrimStart('#'));
        if (!JsonPointer.TryParse(fragment, out var schemaPointer)
            || schemaPointer.Evaluate(schema) is not { ValueKind: JsonValueKind.Object } subschema
            || !subschema.TryGetProperty("required", out var required)
            || required.ValueKind != JsonValueKind.Array
            || node.InstanceLocation.Evaluate(payload) is not { ValueKind: JsonValueKind.Object } instance)
        {
            return [];
        }

        return required.EnumerateArray()
            .Where(r => r.ValueKind == JsonValueKind.String && !instance.TryGetProperty(r.GetString()!, out _))
            .Select(r => r.GetString()!)
            .ToList();
    }

    /// <summary><c>/user/emails/0</c> becomes <c>payload.user.emails[0]</c>.</summary>
    private static string FieldName(string pointer)
    {
        var name = new StringBuilder(Root);
        foreach (var segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var unescaped = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (unescaped.All(char.IsAsciiDigit))
            {
                name.Append('[').Append(unescaped).Append(']');
            }
            else
            {
                name.Append('.').Append(unescaped);
            }
        }

        return name.ToString();
    }
}
