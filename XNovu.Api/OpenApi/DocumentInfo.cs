using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace XNovu.Api.OpenApi;

/// <summary>
/// The document's info block (with the first-trigger walk-through), its two Bearer schemes and the one problem
/// schema that every error answer references. Servers are left out so that the checked-in document does not
/// depend on where it was generated; Scalar then calls the origin it is served from.
/// </summary>
internal sealed class DocumentInfo : IOpenApiDocumentTransformer
{
    public const string Version = "1.0.0";

    private const string Walkthrough = """
        XNovu stores every notification durably, renders it from Liquid templates and delivers it through Novu.

        ## Authenticate
        Every route takes a Bearer key in `Authorization: Bearer <key>`:
        - **AdminKey**, the operator's key (`XNovu:AdminKey`), for `/api/admin/...`: enterprises, their API keys, rate limits, operations.
        - **EnterpriseKey**, an enterprise's API key, for everything else; it only ever sees its own enterprise's data.

        ## Your first trigger
        1. The admin creates an enterprise, `POST /api/admin/enterprises` with `{"name":"Acme"}`, then a key for it,
           `POST /api/admin/enterprises/{id}/api-keys` with `{"name":"backend"}` (the key is shown once).
        2. With that key, trigger a shipped workflow: `POST /api/trigger` with
           `{"workflowId":"default-email","to":{"subscriberId":"ann","email":"ann@example.com"},"payload":{"subject":"Hi","body":"Your order shipped"}}`
           and an `Idempotency-Key` header, so that a retry cannot send it twice. The answer, 202, holds the `notificationId`.
        3. Follow it with `GET /api/notifications/{notificationId}`: PENDING, PROCESSING, then SENT (or FAILED with the error).

        ## Errors
        Every error is an RFC 9457 problem (`application/problem+json`) with a stable `type` under
        `https://xnovu.dev/problems/`: `malformed-request` (400), `unauthorized` (401), `forbidden` (403), `not-found` (404),
        `conflict` (409), `payload-too-large` (413), `novu-event-too-large` (413, a trigger whose rendered Novu event would
        be over Novu's 512 KB, naming the channel), `validation` (422, with `errors` per field), `rate-limited` (429) and
        `unavailable` (503). 429 and 503 carry `Retry-After`.

        A .NET client, `XNovu.Client`, is generated from this document.
        """;

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo { Title = "XNovu API", Version = Version, Description = Walkthrough };
        document.Servers = [];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [ProblemResponses.AdminScheme] = Bearer("The operator's admin key (`XNovu:AdminKey`), for the `/api/admin` routes."),
            [ProblemResponses.EnterpriseScheme] = Bearer("An enterprise API key, made by the admin with `POST /api/admin/enterprises/{id}/api-keys`."),
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ProblemResponses.ProblemSchema] = ProblemSchema();
        return Task.CompletedTask;
    }

    private static OpenApiSecurityScheme Bearer(string description) => new()
    {
        Type = SecuritySchemeType.Http,
        Scheme = "bearer",
        Description = description,
    };

    private static OpenApiSchema ProblemSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "An RFC 9457 problem. Branch on `type`, which is stable; `title` and `detail` are prose.",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Stable URI of the kind of problem, under https://xnovu.dev/problems/." },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "Field name to its messages (400 and 422).",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        },
    };
}
