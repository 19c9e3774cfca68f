using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using XNovu.NovuEmulator.Shared;

namespace XNovu.NovuEmulator.Auth;

public static class ApiKeyAuthentication
{
    private const string Scheme = "ApiKey ";

    /// <summary>Novu's guard: only <c>Authorization: ApiKey &lt;secret key&gt;</c> gets in.</summary>
    public static IApplicationBuilder UseNovuApiKey(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.Path.StartsWithSegments("/v1/inbox"))
        {
            // The Inbox's routes are the subscriber's, authorised by an Inbox session token, never the secret key.
            await next(context);
            return;
        }

        var options = context.RequestServices.GetRequiredService<IOptions<NovuEmulatorOptions>>().Value;
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith(Scheme, StringComparison.Ordinal))
        {
            await NovuApi.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "API Key not found");
            return;
        }

        var presented = Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim());
        if (!CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(options.SecretKey)))
        {
            await NovuApi.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "API Key not found");
            return;
        }

        await next(context);
    });

    /// <summary>The presented key, which scopes idempotency records. Call after <see cref="UseNovuApiKey"/>.</summary>
    public static string ApiKey(this HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith(Scheme, StringComparison.Ordinal) ? header[Scheme.Length..].Trim() : string.Empty;
    }
}
