using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace XNovu.Api.OpenApi;

/// <summary>
/// Makes the generated schemas say what the API accepts, in shapes a client generator maps to plain types:
/// <list type="bullet">
/// <item>numbers are numbers (the web JSON defaults also read numbers from strings, which made every number
/// "integer or string" and every client property a union);</item>
/// <item>a free JSON value (<c>JsonElement</c>: payloads, <c>to</c>, schemas) is "any JSON value" inline, not a
/// union with an empty component;</item>
/// <item>a bulk trigger's events are trigger bodies;</item>
/// <item>a request property that may be null is not "required": the server validates what is needed and
/// answers 422 naming the missing field.</item>
/// </list>
/// </summary>
internal sealed class ClientFriendlySchemas : IOpenApiDocumentTransformer
{
    private const string FreeJson = "JsonElement";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var schemas = document.Components?.Schemas;
        if (schemas is null)
        {
            return Task.CompletedTask;
        }

        foreach (var (name, schema) in schemas)
        {
            if (schema is not OpenApiSchema concrete)
            {
                continue;
            }

            if (name.EndsWith("Request", StringComparison.Ordinal) && concrete.Required is { } required && concrete.Properties is { } properties)
            {
                foreach (var optional in required.Where(p => properties.TryGetValue(p, out var property) && MayBeNull(property)).ToList())
                {
                    required.Remove(optional);
                }
            }

            Simplify(concrete);
        }

        if (schemas.TryGetValue("BulkTriggerRequest", out var bulk) && bulk.Properties?["events"] is OpenApiSchema events)
        {
            events.Items = new OpenApiSchemaReference("TriggerRequest", document);
            events.Description = "Up to 1,000 trigger bodies; each is accepted or refused on its own.";
        }

        foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()))
        {
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            {
                if (parameter.Schema is OpenApiSchema parameterSchema)
                {
                    Simplify(parameterSchema);
                }
            }
        }

        schemas.Remove(FreeJson);
        return Task.CompletedTask;
    }

    private static bool MayBeNull(IOpenApiSchema schema) =>
        (schema.Type?.HasFlag(JsonSchemaType.Null) ?? false)
        || (schema.OneOf?.Any(s => s.Type == JsonSchemaType.Null) ?? false)
        || IsFreeJson(schema);

    private static bool IsFreeJson(IOpenApiSchema schema) =>
        schema is OpenApiSchemaReference { Reference.Id: FreeJson }
        || (schema.OneOf is { Count: 2 } oneOf && oneOf.Any(s => s.Type == JsonSchemaType.Null)
            && oneOf.Any(s => s is OpenApiSchemaReference { Reference.Id: FreeJson }));

    private static void Simplify(OpenApiSchema schema)
    {
        if (schema.Type is { } type && type.HasFlag(JsonSchemaType.String)
            && (type.HasFlag(JsonSchemaType.Integer) || type.HasFlag(JsonSchemaType.Number)))
        {
            schema.Type = type & ~JsonSchemaType.String;
        }

        if (schema.Type is { } numeric && (numeric.HasFlag(JsonSchemaType.Integer) || numeric.HasFlag(JsonSchemaType.Number)))
        {
            schema.Pattern = null;
        }

        if (schema.Properties is { } properties)
        {
            foreach (var key in properties.Keys.ToList())
            {
                if (IsFreeJson(properties[key]))
                {
                    properties[key] = new OpenApiSchema { Description = "Any JSON value." };
                }
                else if (properties[key] is OpenApiSchema property)
                {
                    Simplify(property);
                }
            }
        }

        if (schema.Items is { } items && IsFreeJson(items))
        {
            schema.Items = new OpenApiSchema { Description = "Any JSON value." };
        }
        else if (schema.Items is OpenApiSchema itemSchema)
        {
            Simplify(itemSchema);
        }

        if (schema.AdditionalProperties is OpenApiSchema additional)
        {
            Simplify(additional);
        }
    }
}
