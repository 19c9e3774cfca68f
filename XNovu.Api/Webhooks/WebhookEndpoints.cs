using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Core.Webhooks;

namespace XNovu.Api.Webhooks;

/// <summary>Bound from <c>XNovu:Webhooks</c> in the API.</summary>
public sealed class WebhookApiOptions
{
    public const string SectionName = "XNovu:Webhooks";

    /// <summary>After a rotation the old secret keeps signing (beside the new one) for this long.</summary>
    public TimeSpan SecretOverlap { get; set; } = TimeSpan.FromHours(24);

    public int MaxEndpointsPerEnterprise { get; set; } = 20;
}

/// <summary>
/// An enterprise's webhooks (issue 28): <c>/api/webhooks/endpoints</c> to register, list, change, rotate the secret
/// of and delete endpoints; <c>.../messages</c> and <c>.../attempts</c> to see what was sent and how each attempt
/// went; <c>.../messages/{id}/replay</c> and <c>.../replay</c> (a time range) to send again. What is sent, when,
/// and how it is signed: the dispatcher's WebhookSender. The admin may let an enterprise call private addresses
/// (<c>PUT /api/admin/enterprises/{id}/webhooks</c>).
/// </summary>
public static class WebhookEndpoints
{
    private const string Prefix = "/api/webhooks/endpoints";
    public const string SecretPurpose = "XNovu.Webhooks.EndpointSecret";

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Prefix).WithTags("Webhooks").RequireAuthorization(XNovuAuth.EnterprisePolicy);
        group.MapPost("/", CreateAsync);
        group.MapGet("/", async (HttpContext http, WebhookStore store, CancellationToken ct) =>
            TypedResults.Ok((await store.ListAsync(http.User.EnterpriseId(), ct)).Select(r => r.ToResponse()).ToList()));
        group.MapGet("/{id:guid}", async Task<Results<Ok<WebhookEndpointResponse>, ProblemHttpResult>> (Guid id, HttpContext http, WebhookStore store, CancellationToken ct) =>
            await store.GetAsync(http.User.EnterpriseId(), id, ct) is { } row ? TypedResults.Ok(row.ToResponse()) : NotFound(id));
        group.MapPatch("/{id:guid}", UpdateAsync);
        group.MapDelete("/{id:guid}", async Task<Results<NoContent, ProblemHttpResult>> (Guid id, HttpContext http, WebhookStore store, CancellationToken ct) =>
            await store.DeleteAsync(http.User.EnterpriseId(), id, ct) ? TypedResults.NoContent() : NotFound(id));
        group.MapGet("/{id:guid}/secret", async Task<Results<Ok<WebhookSecretResponse>, ProblemHttpResult>> (
            Guid id, HttpContext http, WebhookStore store, IDataProtectionProvider protection, CancellationToken ct) =>
            await store.GetAsync(http.User.EnterpriseId(), id, ct) is { } row
                ? TypedResults.Ok(new WebhookSecretResponse(protection.CreateProtector(SecretPurpose).Unprotect(row.Secret), row.PreviousSecretExpiresAt))
                : NotFound(id));
        group.MapPost("/{id:guid}/rotate-secret", RotateAsync);
        group.MapGet("/{id:guid}/messages", async Task<Results<Ok<List<WebhookMessageResponse>>, ProblemHttpResult>> (
            Guid id, string? status, int? limit, HttpContext http, WebhookStore store, CancellationToken ct) =>
        {
            if (status is not (null or "pending" or "delivered" or "failed"))
            {
                return Problems.Malformed("status is pending, delivered or failed.");
            }

            return await store.GetAsync(http.User.EnterpriseId(), id, ct) is null
                ? NotFound(id)
                : TypedResults.Ok((await store.MessagesAsync(http.User.EnterpriseId(), id, status, Math.Clamp(limit ?? 50, 1, 500), ct)).Select(m => m.ToResponse()).ToList());
        });
        group.MapGet("/{id:guid}/attempts", async Task<Results<Ok<IReadOnlyList<WebhookAttemptResponse>>, ProblemHttpResult>> (
            Guid id, int? limit, HttpContext http, WebhookStore store, CancellationToken ct) =>
            await store.GetAsync(http.User.EnterpriseId(), id, ct) is null
                ? NotFound(id)
                : TypedResults.Ok(await store.AttemptsAsync(http.User.EnterpriseId(), id, Math.Clamp(limit ?? 50, 1, 500), ct)));
        group.MapPost("/{id:guid}/messages/{messageId:long}/replay", (Guid id, long messageId, HttpContext http, WebhookStore store, CancellationToken ct) =>
            ReplayAsync(http, store, id, messageId, null, null, false, ct));
        group.MapPost("/{id:guid}/replay", (Guid id, WebhookReplayRequest request, HttpContext http, WebhookStore store, CancellationToken ct) =>
            request.Since is { } since && request.Until is { } until && until <= since
                ? Task.FromResult<Results<Ok<WebhookReplayResponse>, ProblemHttpResult>>(Problems.Validation("until", "must be after since."))
                : ReplayAsync(http, store, id, null, request.Since, request.Until, request.OnlyFailed ?? true, ct));

        var admin = routes.MapGroup("/api/admin/enterprises/{id:guid}/webhooks")
            .WithTags("Admin: enterprises")
            .RequireAuthorization(XNovuAuth.AdminPolicy);
        admin.MapPut("/", async Task<Results<Ok<WebhookPolicyResponse>, ProblemHttpResult>> (Guid id, WebhookPolicyRequest request, WebhookStore store, CancellationToken ct) =>
        {
            if (request.AllowPrivateAddresses is not { } allow)
            {
                return Problems.Validation("allowPrivateAddresses", "is required.");
            }

            return await store.SetAllowPrivateAsync(id, allow, ct) is null
                ? Problems.NotFound($"Enterprise {id} was not found.")
                : TypedResults.Ok(new WebhookPolicyResponse(id, allow));
        });
        return routes;
    }

    private static async Task<Results<Created<WebhookEndpointResponse>, ProblemHttpResult>> CreateAsync(
        WebhookEndpointRequest request, HttpContext http, WebhookStore store, IDataProtectionProvider protection,
        IOptions<WebhookApiOptions> options, CancellationToken cancellationToken)
    {
        var enterpriseId = http.User.EnterpriseId();
        var errors = new ValidationErrors();
        var url = WebhookValidation.Url(request.Url, await store.AllowsPrivateAsync(enterpriseId, cancellationToken), errors);
        var eventTypes = WebhookValidation.EventTypes(request.EventTypes, errors);
        WebhookValidation.Description(request.Description, errors);
        if (errors.Any || url is null || eventTypes is null)
        {
            return errors.ToProblem();
        }

        if (await store.CountAsync(enterpriseId, cancellationToken) >= options.Value.MaxEndpointsPerEnterprise)
        {
            return Problems.Conflict($"An enterprise has at most {options.Value.MaxEndpointsPerEnterprise} webhook endpoints.");
        }

        var secret = StandardWebhook.NewSecret();
        var row = await store.CreateAsync(enterpriseId, url, request.Description, eventTypes,
            protection.CreateProtector(SecretPurpose).Protect(secret), cancellationToken);
        return TypedResults.Created($"{Prefix}/{row.Id}", row.ToResponse(secret));
    }

    private static async Task<Results<Ok<WebhookEndpointResponse>, ProblemHttpResult>> UpdateAsync(
        Guid id, WebhookEndpointRequest request, HttpContext http, WebhookStore store, CancellationToken cancellationToken)
    {
        var enterpriseId = http.User.EnterpriseId();
        var errors = new ValidationErrors();
        var url = request.Url is null ? null : WebhookValidation.Url(request.Url, await store.AllowsPrivateAsync(enterpriseId, cancellationToken), errors);
        var eventTypes = request.EventTypes is null ? null : WebhookValidation.EventTypes(request.EventTypes, errors);
        WebhookValidation.Description(request.Description, errors);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        return await store.UpdateAsync(enterpriseId, id, url, request.Description, eventTypes, request.Enabled, cancellationToken) is { } row
            ? TypedResults.Ok(row.ToResponse())
            : NotFound(id);
    }

    private static async Task<Results<Ok<WebhookEndpointResponse>, ProblemHttpResult>> RotateAsync(
        Guid id, HttpContext http, WebhookStore store, IDataProtectionProvider protection, IOptions<WebhookApiOptions> options,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var secret = StandardWebhook.NewSecret();
        return await store.RotateAsync(http.User.EnterpriseId(), id, protection.CreateProtector(SecretPurpose).Protect(secret),
            time.GetUtcNow() + options.Value.SecretOverlap, cancellationToken) is { } row
            ? TypedResults.Ok(row.ToResponse(secret))
            : NotFound(id);
    }

    private static async Task<Results<Ok<WebhookReplayResponse>, ProblemHttpResult>> ReplayAsync(
        HttpContext http, WebhookStore store, Guid id, long? messageId, DateTimeOffset? since, DateTimeOffset? until, bool onlyFailed,
        CancellationToken cancellationToken)
    {
        var enterpriseId = http.User.EnterpriseId();
        var endpoint = await store.GetAsync(enterpriseId, id, cancellationToken);
        if (endpoint is null)
        {
            return NotFound(id);
        }

        if (endpoint.DisabledAt is not null)
        {
            return Problems.Conflict($"Webhook endpoint {id} is disabled ({endpoint.DisabledReason}); enable it before replaying.");
        }

        var replayed = await store.ReplayAsync(enterpriseId, id, messageId, since, until, onlyFailed, cancellationToken);
        return messageId is not null && replayed == 0
            ? Problems.NotFound($"Webhook endpoint {id} has no message {messageId} to replay (unknown, or still waiting to be sent).")
            : TypedResults.Ok(new WebhookReplayResponse(replayed));
    }

    private static ProblemHttpResult NotFound(Guid id) => Problems.NotFound($"Webhook endpoint {id} was not found.");
}
