using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using XNovu.Api.Authentication;
using XNovu.Api.Http;

namespace XNovu.Api.OpenApi;

/// <summary>
/// Declares on each operation the key it takes and the problems it may answer, from the shape of the route
/// rather than per handler: every keyed route may answer 401 and 403, every route 503 when PostgreSQL or Redis
/// is down, a body brings 400, 413 and 422, a path parameter 404, a write 409, and the trigger routes 429.
/// </summary>
internal sealed class ProblemResponses : IOpenApiOperationTransformer
{
    public const string ProblemSchema = "Problem";
    public const string AdminScheme = XNovuAuth.AdminScheme;
    public const string EnterpriseScheme = XNovuAuth.EnterpriseScheme;

    private static readonly (int Status, string Type, string Title, string When)[] Catalogue =
    [
        (400, Problems.Types.MalformedRequest, "Malformed request", "The body is not valid JSON, a value has the wrong type, or a parameter cannot be read."),
        (401, Problems.Types.Unauthorized, "Unauthorized", "No key, or an unknown or revoked one."),
        (403, Problems.Types.Forbidden, "Forbidden", "The key may not do that (another enterprise's resource, or a deactivated enterprise)."),
        (404, Problems.Types.NotFound, "Not found", "Nothing with that id or key in the key's enterprise."),
        (409, Problems.Types.Conflict, "Conflict", "The key already exists, the resource is referenced or in the wrong state, or an Idempotency-Key was reused with another body."),
        (413, Problems.Types.PayloadTooLarge, "Payload too large", "The body is larger than this route accepts; on the trigger routes also `novu-event-too-large`, when the Novu event the trigger would make is over Novu's 512 KB (`channel`, `eventBytes`, `limitBytes` say why)."),
        (422, Problems.Types.Validation, "Validation failed", "The request is well formed but breaks a rule; `errors` names each failing field."),
        (429, Problems.Types.RateLimited, "Too many requests", "The enterprise is over its trigger rate; retry after `Retry-After` seconds."),
        (503, Problems.Types.Unavailable, "Unavailable", "A dependency (PostgreSQL, Redis, the rule engine) does not answer; retry after `Retry-After` seconds."),
    ];

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var method = description.HttpMethod ?? "GET";
        var path = OperationDocs.Key(method, description.RelativePath);
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var policy = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);
        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var hasBody = operation.RequestBody is not null;
        var hasPathParameter = description.ParameterDescriptions.Any(p => p.Source.Id == "Path");
        var hasQuery = description.ParameterDescriptions.Any(p => p.Source.Id == "Query");
        var writes = !HttpMethods.IsGet(method);

        if (!anonymous && policy is not null)
        {
            var scheme = policy == XNovuAuth.AdminPolicy ? AdminScheme : EnterpriseScheme;
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] }];
        }

        var statuses = new HashSet<int> { 503 };
        if (!anonymous && policy is not null)
        {
            statuses.UnionWith([401, 403]);
        }

        if (hasBody || hasQuery || hasPathParameter)
        {
            statuses.Add(400);
        }

        if (hasBody)
        {
            statuses.UnionWith([413, 422]);
        }

        if (hasQuery)
        {
            statuses.Add(422);
        }

        if (hasPathParameter)
        {
            statuses.Add(404);
        }

        if (writes && (hasBody || hasPathParameter))
        {
            statuses.Add(409);
        }

        if (path.StartsWith("POST api/trigger", StringComparison.Ordinal))
        {
            statuses.Add(429);
        }

        operation.Responses ??= [];
        foreach (var (status, type, title, when) in Catalogue.Where(c => statuses.Contains(c.Status)))
        {
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (operation.Responses.ContainsKey(key))
            {
                continue;
            }

            operation.Responses[key] = Response(context.Document, status, type, title, when);
        }

        return Task.CompletedTask;
    }

    private static OpenApiResponse Response(OpenApiDocument? document, int status, string type, string title, string when)
    {
        var example = new JsonObject { ["type"] = type, ["title"] = title, ["status"] = status, ["detail"] = when };
        if (status is 400 or 422)
        {
            example["errors"] = new JsonObject { ["name"] = new JsonArray("is required.") };
        }

        var response = new OpenApiResponse
        {
            Description = $"`{type}`: {when}",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document), Example = example },
            },
        };
        if (status is 429 or 503)
        {
            response.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader
                {
                    Description = "Seconds to wait before retrying.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
                },
            };
        }

        return response;
    }
}
