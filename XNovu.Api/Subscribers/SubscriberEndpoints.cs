using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;

namespace XNovu.Api.Subscribers;

/// <summary>
/// An enterprise's subscriber directory: the profiles templates see as <c>{{ subscriber.* }}</c> when a trigger
/// names a subscriber by id. Every change is committed first, then told to Novu; the answer's
/// <c>XNovu-Novu-Sync</c> header says how that went. Row-level security makes another enterprise's
/// subscriber unknown (404).
/// </summary>
public static class SubscriberEndpoints
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public const int MaxBulkSubscribers = 500;
    public const string NovuSyncHeader = "XNovu-Novu-Sync";

    private const string Prefix = "/api/subscribers";

    public static RouteGroupBuilder MapSubscriberEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Prefix).WithTags("Subscribers").RequireAuthorization(XNovuAuth.EnterprisePolicy);

        group.MapGet("/", ListAsync);
        group.MapPost("/", (SubscriberBody body, HttpContext http, SubscriberStore store, SubscriberNovuSync novu, CancellationToken ct) =>
            UpsertAsync(body, null, replace: false, http, store, novu, ct));
        group.MapPost("/bulk", BulkAsync);
        group.MapGet("/{subscriberId}", GetAsync);
        group.MapPut("/{subscriberId}", (string subscriberId, SubscriberBody body, HttpContext http, SubscriberStore store, SubscriberNovuSync novu, CancellationToken ct) =>
            UpsertAsync(body, subscriberId, replace: true, http, store, novu, ct));
        group.MapPatch("/{subscriberId}", PatchAsync);
        group.MapDelete("/{subscriberId}", DeleteAsync);
        group.MapGet("/{subscriberId}/export", ExportAsync);
        group.MapPost("/{subscriberId}/erase", EraseAsync);
        return group;
    }

    private static async Task<Results<Ok<SubscriberPage>, ProblemHttpResult>> ListAsync(
        string? search, int? limit, string? cursor, HttpContext http, SubscriberStore store, CancellationToken cancellationToken)
    {
        var take = limit ?? DefaultPageSize;
        if (take is < 1 or > MaxPageSize)
        {
            return Problems.Validation("limit", $"must be between 1 and {MaxPageSize}.");
        }

        if (search is { } text && (text.Contains('\0', StringComparison.Ordinal) || text.Length > SubscriberValidation.MaxTextLength))
        {
            return Problems.Malformed("The search is malformed.", new Dictionary<string, string[]> { ["search"] = ["must be at most 1000 characters, without NUL."] });
        }

        string? after = null;
        if (cursor is not null)
        {
            if (!KeyCursor.TryDecode(cursor, out var decoded))
            {
                return Problems.Malformed("The cursor is not one this API gave out.", new Dictionary<string, string[]> { ["cursor"] = ["is invalid."] });
            }

            after = decoded.After;
        }

        var rows = await store.ListAsync(http.User.EnterpriseId(), string.IsNullOrWhiteSpace(search) ? null : search.Trim(), after, take + 1, cancellationToken);
        // One row more than the page says whether another page follows.
        var items = rows.Take(take).ToList();
        var next = rows.Count > take ? new KeyCursor(items[^1].SubscriberId).Encode() : null;
        return TypedResults.Ok(new SubscriberPage(items, next));
    }

    private static async Task<Results<Created<SubscriberResponse>, Ok<SubscriberResponse>, ProblemHttpResult>> UpsertAsync(
        SubscriberBody body, string? routeId, bool replace, HttpContext http, SubscriberStore store, SubscriberNovuSync novu, CancellationToken cancellationToken)
    {
        var malformed = new ValidationErrors();
        var invalid = new ValidationErrors();
        if (routeId is not null)
        {
            if (body.SubscriberId is not null && body.SubscriberId != routeId)
            {
                invalid.Add("subscriberId", "must match the subscriber id of the URL, or be omitted.");
            }

            body = body with { SubscriberId = routeId };
        }

        SubscriberValidation.Check(body, "", requireId: true, malformed, invalid);
        if (SubscriberValidation.Problem(malformed, invalid) is { } problem)
        {
            return problem;
        }

        var enterpriseId = http.User.EnterpriseId();
        var (created, _, stored) = await store.UpsertAsync(enterpriseId, [body], replace, cancellationToken);
        http.Response.Headers[NovuSyncHeader] = await novu.UpsertAsync(enterpriseId, stored, cancellationToken);
        var subscriber = stored[0];
        return created > 0
            ? TypedResults.Created($"{Prefix}/{Uri.EscapeDataString(subscriber.SubscriberId)}", subscriber)
            : TypedResults.Ok(subscriber);
    }

    private static async Task<Results<Ok<BulkSubscribersResponse>, ProblemHttpResult>> BulkAsync(
        BulkSubscribersRequest request, HttpContext http, SubscriberStore store, SubscriberNovuSync novu, CancellationToken cancellationToken)
    {
        if (request.Subscribers is not { Count: > 0 and <= MaxBulkSubscribers } subscribers)
        {
            return Problems.Validation("subscribers", $"must hold 1 to {MaxBulkSubscribers} subscribers.");
        }

        var malformed = new ValidationErrors();
        var invalid = new ValidationErrors();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < subscribers.Count; i++)
        {
            if (subscribers[i] is null)
            {
                malformed.Add($"subscribers[{i}]", "must be a subscriber object.");
                continue;
            }

            SubscriberValidation.Check(subscribers[i], $"subscribers[{i}].", requireId: true, malformed, invalid);
            if (subscribers[i].SubscriberId is { } id && !seen.Add(id))
            {
                invalid.Add($"subscribers[{i}].subscriberId", $"'{id}' is given twice in this call.");
            }
        }

        if (SubscriberValidation.Problem(malformed, invalid) is { } problem)
        {
            return problem;
        }

        var enterpriseId = http.User.EnterpriseId();
        var (created, updated, stored) = await store.UpsertAsync(enterpriseId, subscribers, replace: false, cancellationToken);
        http.Response.Headers[NovuSyncHeader] = await novu.UpsertAsync(enterpriseId, stored, cancellationToken);
        return TypedResults.Ok(new BulkSubscribersResponse(created, updated));
    }

    private static async Task<Results<Ok<SubscriberResponse>, ProblemHttpResult>> GetAsync(
        string subscriberId, HttpContext http, SubscriberStore store, CancellationToken cancellationToken) =>
        await store.FindAsync(http.User.EnterpriseId(), subscriberId, cancellationToken) is { } subscriber
            ? TypedResults.Ok(subscriber)
            : NotFound(subscriberId);

    private static async Task<Results<Ok<SubscriberResponse>, ProblemHttpResult>> PatchAsync(
        string subscriberId, SubscriberBody body, HttpContext http, SubscriberStore store, SubscriberNovuSync novu, CancellationToken cancellationToken)
    {
        var malformed = new ValidationErrors();
        var invalid = new ValidationErrors();
        if (body.SubscriberId is not null && body.SubscriberId != subscriberId)
        {
            invalid.Add("subscriberId", "cannot be changed; omit it.");
        }

        SubscriberValidation.Check(body with { SubscriberId = null }, "", requireId: false, malformed, invalid);
        if (SubscriberValidation.Problem(malformed, invalid) is { } problem)
        {
            return problem;
        }

        var enterpriseId = http.User.EnterpriseId();
        var subscriber = await store.PatchAsync(enterpriseId, subscriberId, body, cancellationToken);
        if (subscriber is null)
        {
            return NotFound(subscriberId);
        }

        http.Response.Headers[NovuSyncHeader] = await novu.UpsertAsync(enterpriseId, [subscriber], cancellationToken);
        return TypedResults.Ok(subscriber);
    }

    /// <summary>Removes the profile (and its topic memberships) here and the subscriber in Novu. Past deliveries keep their content; erase scrubs them.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string subscriberId, HttpContext http, SubscriberStore store, SubscriberNovuSync novu, CancellationToken cancellationToken)
    {
        var enterpriseId = http.User.EnterpriseId();
        if (!await store.DeleteAsync(enterpriseId, subscriberId, cancellationToken))
        {
            return NotFound(subscriberId);
        }

        http.Response.Headers[NovuSyncHeader] = await novu.DeleteAsync(enterpriseId, subscriberId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<SubscriberExport>, ProblemHttpResult>> ExportAsync(
        string subscriberId, HttpContext http, SubscriberStore store, CancellationToken cancellationToken) =>
        await store.ExportAsync(http.User.EnterpriseId(), subscriberId, cancellationToken) is { } export
            ? TypedResults.Ok(export)
            : NotFound(subscriberId);

    /// <summary>
    /// The right to erasure: the profile, its memberships, the subscriber in Novu, and the personal fields of
    /// its past deliveries (each keeps only the subscriber id and an <c>erased</c> mark).
    /// </summary>
    private static async Task<Results<Ok<SubscriberErasure>, ProblemHttpResult>> EraseAsync(
        string subscriberId, HttpContext http, SubscriberStore store, SubscriberNovuSync novu, CancellationToken cancellationToken)
    {
        var enterpriseId = http.User.EnterpriseId();
        if (await store.EraseAsync(enterpriseId, subscriberId, cancellationToken) is not { } erased)
        {
            return NotFound(subscriberId);
        }

        var novuResult = await novu.DeleteAsync(enterpriseId, subscriberId, cancellationToken);
        http.Response.Headers[NovuSyncHeader] = novuResult;
        return TypedResults.Ok(new SubscriberErasure(subscriberId, erased.Deliveries, erased.Notifications, novuResult));
    }

    private static ProblemHttpResult NotFound(string subscriberId) =>
        Problems.NotFound($"Subscriber '{subscriberId}' does not exist.");
}
