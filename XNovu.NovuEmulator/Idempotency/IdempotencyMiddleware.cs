using System.Security.Cryptography;
using XNovu.NovuEmulator.Auth;
using XNovu.NovuEmulator.Shared;

namespace XNovu.NovuEmulator.Idempotency;

/// <summary>
/// Novu's <c>Idempotency-Key</c> on POST: a replay answers the first answer (status and body) with
/// <c>Idempotency-Replay: true</c> and reaches no handler, so no event is recorded twice. The same key
/// with another body is 422, a key still in progress 409 with <c>Retry-After: 1</c>, a key over 255
/// characters 400. Answers of 500 and above are not kept, so a retry after our own failure runs again.
/// </summary>
public static class IdempotencyMiddleware
{
    public const string KeyHeader = "Idempotency-Key";
    public const string ReplayHeader = "Idempotency-Replay";
    public const int MaxKeyLength = 255;
    private const string ReplayItem = "NovuEmulator.IdempotencyReplay";

    public static bool WasReplayed(this HttpContext context) => context.Items.ContainsKey(ReplayItem);

    public static IApplicationBuilder UseNovuIdempotency(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var key = context.Request.Headers[KeyHeader].ToString();
        if (!HttpMethods.IsPost(context.Request.Method) || string.IsNullOrEmpty(key))
        {
            await next(context);
            return;
        }

        if (key.Length > MaxKeyLength)
        {
            await NovuApi.WriteErrorAsync(context, StatusCodes.Status400BadRequest,
                $"idempotencyKey \"{key}\" has exceeded the maximum allowed length of {MaxKeyLength} characters");
            return;
        }

        context.Request.EnableBuffering();
        var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(context.Request.Body, context.RequestAborted));
        context.Request.Body.Position = 0;

        var store = context.RequestServices.GetRequiredService<IdempotencyStore>();
        var apiKey = context.Request.ApiKey();
        var claim = store.Begin(apiKey, key, hash);
        context.Response.Headers[KeyHeader] = key;
        switch (claim.Kind)
        {
            case IdempotencyStore.ClaimKind.InProgress:
                context.Response.Headers.RetryAfter = "1";
                await NovuApi.WriteErrorAsync(context, StatusCodes.Status409Conflict,
                    $"Request with key \"{key}\" is currently being processed. Please retry after 1 second");
                return;
            case IdempotencyStore.ClaimKind.DifferentBody:
                await NovuApi.WriteErrorAsync(context, StatusCodes.Status422UnprocessableEntity,
                    $"Request with key \"{key}\" is being reused for a different body");
                return;
            case IdempotencyStore.ClaimKind.Replay:
                var answer = claim.Answer!;
                context.Items[ReplayItem] = true;
                context.Response.StatusCode = answer.StatusCode;
                context.Response.ContentType = answer.ContentType;
                context.Response.Headers[ReplayHeader] = "true";
                await context.Response.Body.WriteAsync(answer.Body, context.RequestAborted);
                return;
        }

        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        var completed = false;
        try
        {
            await next(context);
            completed = context.Response.StatusCode < StatusCodes.Status500InternalServerError;
        }
        finally
        {
            context.Response.Body = original;
            if (completed)
            {
                store.Complete(apiKey, key, new IdempotencyStore.StoredAnswer(context.Response.StatusCode, context.Response.ContentType, buffer.ToArray()));
            }
            else
            {
                store.Abandon(apiKey, key);
            }
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    });
}
