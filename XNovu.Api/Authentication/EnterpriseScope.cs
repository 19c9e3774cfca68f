using System.Text.Json;
using Microsoft.AspNetCore.Authorization;

namespace XNovu.Api.Authentication;

/// <summary>
/// An enterprise key acts only inside its enterprise: a request that names another enterprise, as
/// <c>enterpriseId</c> in the query or at the top of its JSON body, is refused (403) before any handler runs.
/// </summary>
public sealed class EnterpriseScopeRequirement : IAuthorizationRequirement;

public sealed class EnterpriseScopeHandler : AuthorizationHandler<EnterpriseScopeRequirement, HttpContext>
{
    private const string Field = "enterpriseId";
    private const long MaxScannedBody = 1024 * 1024;

    protected override async Task HandleRequirementAsync(
        AuthorizationHandlerContext context, EnterpriseScopeRequirement requirement, HttpContext resource)
    {
        if (context.User.FindFirst(XNovuAuth.EnterpriseIdClaim)?.Value is not { } own)
        {
            return;
        }

        var named = resource.Request.Query.TryGetValue(Field, out var query) ? query.ToString() : await FromBodyAsync(resource.Request);
        if (named is null || string.Equals(named, own, StringComparison.OrdinalIgnoreCase))
        {
            context.Succeed(requirement);
        }
    }

    private static async Task<string?> FromBodyAsync(HttpRequest request)
    {
        if (!request.HasJsonContentType() || request.ContentLength is 0 or > MaxScannedBody)
        {
            return null;
        }

        // Buffered so the endpoint reads the same body afterwards; a chunked body has no length up front.
        request.EnableBuffering();
        using var copy = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            copy.Write(chunk, 0, read);
            if (copy.Length > MaxScannedBody)
            {
                break; // the endpoint's own size limit answers this one
            }
        }

        request.Body.Position = 0;
        return TopLevelString(copy.GetBuffer().AsSpan(0, (int)copy.Length));
    }

    /// <summary>The top-level <c>enterpriseId</c> of a JSON object, read without building a document.</summary>
    private static string? TopLevelString(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isField = reader.ValueTextEquals(Field);
                reader.Read();
                if (isField)
                {
                    // A non-string value names no enterprise we know: it can never match.
                    return reader.TokenType switch
                    {
                        JsonTokenType.Null => null,
                        JsonTokenType.String => reader.GetString(),
                        _ => string.Empty,
                    };
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Malformed JSON: the endpoint's own binding answers 400.
        }

        return null;
    }
}
