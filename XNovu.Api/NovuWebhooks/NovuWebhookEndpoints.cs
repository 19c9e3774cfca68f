using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Core.Webhooks;

namespace XNovu.Api.NovuWebhooks;

/// <param name="Secret">The signing secret Novu shows for the environment's webhook endpoint (<c>whsec_...</c>).</param>
public sealed record NovuWebhookSecretRequest(string? Secret);

/// <summary>
/// Delivery status from Novu (issue 28). <c>POST /novu/webhooks/shared</c> receives the shared environment's
/// webhooks, <c>POST /novu/webhooks/{enterpriseId}</c> those of an enterprise's own environment, each verified with
/// that environment's secret (Standard Webhooks, <see cref="StandardWebhook"/>): a missing, forged or altered
/// signature, or a timestamp more than the tolerance away, is 401 and changes nothing. A verified webhook is
/// applied once per <c>webhook-id</c> (a replay is answered 204 and ignored) and in any order (the outcome is the
/// furthest event). 204 for every verified webhook, even one naming no delivery of this environment, so that Novu
/// does not retry what will never match. The admin sets an enterprise environment's secret at
/// <c>PUT /api/admin/enterprises/{id}/novu/webhook-secret</c>.
/// </summary>
public static partial class NovuWebhookEndpoints
{
    public const string SecretPurpose = "XNovu.NovuWebhooks.Secret";
    public const string RefusedType = "https://xnovu.dev/problems/webhook-signature";

    public static IEndpointRouteBuilder MapNovuWebhookEndpoints(this IEndpointRouteBuilder routes)
    {
        // Novu's door, not the clients': signed by Novu, so anonymous, and out of the client's OpenAPI document.
        var receiver = routes.MapGroup("/novu/webhooks").WithTags("Novu webhooks").AllowAnonymous().ExcludeFromDescription();
        receiver.MapPost("/shared", (HttpContext http, NovuWebhookReceiver receiver, CancellationToken ct) =>
            receiver.ReceiveAsync(http, null, ct));
        receiver.MapPost("/{enterpriseId:guid}", (Guid enterpriseId, HttpContext http, NovuWebhookReceiver receiver, CancellationToken ct) =>
            receiver.ReceiveAsync(http, enterpriseId, ct));

        var admin = routes.MapGroup("/api/admin/enterprises/{id:guid}/novu/webhook-secret")
            .WithTags("Admin: enterprises")
            .RequireAuthorization(XNovuAuth.AdminPolicy);
        admin.MapPut("/", PutSecretAsync);
        admin.MapDelete("/", DeleteSecretAsync);
        return routes;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> PutSecretAsync(
        Guid id, NovuWebhookSecretRequest request, NovuWebhookStore store, IDataProtectionProvider protection, CancellationToken cancellationToken)
    {
        var secret = request.Secret?.Trim();
        if (!StandardWebhook.IsValidSecret(secret))
        {
            return Problems.Validation("secret", "must be whsec_ followed by the base64 of 24 to 64 bytes, as Novu shows it.");
        }

        return await store.SetSecretAsync(id, protection.CreateProtector(SecretPurpose).Protect(secret!), cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound($"Enterprise {id} has no Novu environment of its own (PUT /api/admin/enterprises/{id}/novu first).");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteSecretAsync(
        Guid id, NovuWebhookStore store, CancellationToken cancellationToken) =>
        await store.DeleteSecretAsync(id, cancellationToken) ? TypedResults.NoContent() : Problems.NotFound($"Enterprise {id} was not found.");
}

/// <summary>Reads, verifies and applies one webhook; see <see cref="NovuWebhookEndpoints"/>.</summary>
public sealed partial class NovuWebhookReceiver(
    NovuWebhookStore store,
    NovuWebhookBatcher batcher,
    IDataProtectionProvider protection,
    IOptions<NovuWebhookOptions> options,
    TimeProvider time,
    ILogger<NovuWebhookReceiver> logger)
{
    private readonly IDataProtector _protector = protection.CreateProtector(NovuWebhookEndpoints.SecretPurpose);

    public async Task<IResult> ReceiveAsync(HttpContext http, Guid? environment, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var secrets = environment is { } enterpriseId ? await EnterpriseSecretsAsync(enterpriseId, cancellationToken) : settings.SharedSecrets;
        if (secrets.Count == 0)
        {
            return Problems.NotFound("No webhook secret is set for this Novu environment.");
        }

        var body = await ReadBodyAsync(http.Request, settings.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return TypedResults.Problem($"A webhook body is at most {settings.MaxBodyBytes} bytes.",
                statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large", type: Problems.Types.PayloadTooLarge);
        }

        var headers = http.Request.Headers;
        var id = headers[StandardWebhook.IdHeader].ToString();
        var now = time.GetUtcNow();
        var refusal = StandardWebhook.Verify(id, headers[StandardWebhook.TimestampHeader], headers[StandardWebhook.SignatureHeader],
            body, secrets, now, settings.Tolerance);
        if (refusal != WebhookRefusal.None)
        {
            LogRefused(logger, environment?.ToString("N") ?? "shared", refusal);
            return TypedResults.Problem($"The webhook was refused: {Describe(refusal)}. Nothing was changed.",
                statusCode: StatusCodes.Status401Unauthorized, title: "Webhook refused", type: NovuWebhookEndpoints.RefusedType);
        }

        if (IsType(body, NovuPreferenceEvent.Type))
        {
            var preference = NovuPreferenceEvent.Read(body, now, out var unreadable);
            if (preference is null)
            {
                return Problems.Malformed(unreadable!);
            }

            var outcome = await http.RequestServices.GetRequiredService<Preferences.NovuPreferenceReadBack>()
                .ApplyAsync(environment, preference, cancellationToken);
            LogApplied(logger, environment?.ToString("N") ?? "shared", NovuPreferenceEvent.Type, outcome);
            return TypedResults.NoContent();
        }

        var received = NovuWebhookEvent.Read(body, now, out var problem);
        if (received is null)
        {
            return Problems.Malformed(problem!);
        }

        if (received.IsMessageEvent)
        {
            var applied = await batcher.ApplyAsync(environment, id, received, cancellationToken);
            LogApplied(logger, environment?.ToString("N") ?? "shared", received.Event, applied);
        }

        return TypedResults.NoContent();
    }

    private async Task<IReadOnlyList<string>> EnterpriseSecretsAsync(Guid enterpriseId, CancellationToken cancellationToken)
    {
        if (await store.GetSecretAsync(enterpriseId, cancellationToken) is not { } stored)
        {
            return [];
        }

        try
        {
            return [_protector.Unprotect(stored)];
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return [];
        }
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>Whether the envelope's <c>type</c> is <paramref name="type"/> (a body that is not JSON is not).</summary>
    private static bool IsType(byte[] body, string type)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && document.RootElement.TryGetProperty("type", out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String
                && value.GetString() == type;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static string Describe(WebhookRefusal refusal) => refusal switch
    {
        WebhookRefusal.MissingHeaders => "webhook-id, webhook-timestamp and webhook-signature are required",
        WebhookRefusal.BadTimestamp => "webhook-timestamp is not a Unix time in seconds",
        WebhookRefusal.TooOld => "its timestamp is too old",
        WebhookRefusal.TooNew => "its timestamp is in the future",
        _ => "no signature matches",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "A webhook for Novu environment {Environment} was refused: {Refusal}")]
    private static partial void LogRefused(ILogger logger, string environment, WebhookRefusal refusal);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A {Event} webhook from Novu environment {Environment}: {Outcome}")]
    private static partial void LogApplied(ILogger logger, string environment, string @event, string outcome);
}
