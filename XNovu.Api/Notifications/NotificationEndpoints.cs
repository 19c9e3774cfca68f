using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Core.Novu;
using XNovu.Core.Persistence;
using XNovu.NovuClient;

namespace XNovu.Api.Notifications;

/// <summary>
/// An enterprise's notifications: listed newest first with a cursor, read with their deliveries,
/// cancelled (RETRACTED) and sent again after failure. Row-level security makes another enterprise's
/// notification unknown (404).
/// </summary>
public static class NotificationEndpoints
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public const int DefaultRetryFailedLimit = 100;
    public const int MaxRetryFailedLimit = 1000;
    public const int MaxReasonLength = 1000;

    private const string Prefix = "/api/notifications";

    public static RouteGroupBuilder MapNotificationEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Prefix).WithTags("Notifications").RequireAuthorization(XNovuAuth.EnterprisePolicy);

        group.MapGet("/", ListAsync);
        group.MapGet("/{id:long}", GetAsync);
        group.MapPost("/{id:long}/cancel", CancelAsync);
        group.MapPost("/{id:long}/retry", RetryAsync);
        group.MapPost("/retry-failed", RetryFailedAsync);
        return group;
    }

    /// <param name="from">Created at or after (inclusive).</param>
    /// <param name="to">Created before (exclusive).</param>
    private static async Task<Results<Ok<NotificationPage>, ProblemHttpResult>> ListAsync(
        string? status,
        string? workflowId,
        DateTimeOffset? from,
        DateTimeOffset? to,
        int? limit,
        string? cursor,
        HttpContext http,
        NotificationStore store,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var normalizedStatus = status?.Trim().ToUpperInvariant();
        if (normalizedStatus is not null && !NotificationStatuses.All.Contains(normalizedStatus, StringComparer.Ordinal))
        {
            errors.Add("status", $"must be one of {string.Join(", ", NotificationStatuses.All)}.");
        }

        var take = limit ?? DefaultPageSize;
        if (take is < 1 or > MaxPageSize)
        {
            errors.Add("limit", $"must be between 1 and {MaxPageSize}.");
        }

        if (from is not null && to is not null && from >= to)
        {
            errors.Add("to", "must be later than from.");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        NotificationCursor? after = null;
        if (cursor is not null)
        {
            if (!NotificationCursor.TryDecode(cursor, out var decoded))
            {
                return Problems.Malformed("The cursor is not one this API gave out.", new Dictionary<string, string[]> { ["cursor"] = ["is invalid."] });
            }

            after = decoded;
        }

        var rows = await store.ListAsync(
            http.User.EnterpriseId(), new NotificationFilter(normalizedStatus, workflowId, from, to, after, take + 1), cancellationToken);

        // One row more than the page says whether another page follows.
        var items = rows.Take(take).Select(r => r.ToSummary()).ToList();
        var next = rows.Count > take ? new NotificationCursor(items[^1].CreatedAt, items[^1].Id).Encode() : null;
        return TypedResults.Ok(new NotificationPage(items, next));
    }

    private static async Task<Results<Ok<NotificationDetail>, ProblemHttpResult>> GetAsync(
        long id, HttpContext http, NotificationStore store, CancellationToken cancellationToken)
    {
        var detail = await store.FindAsync(http.User.EnterpriseId(), id, cancellationToken);
        return detail is null ? NotFound(id) : TypedResults.Ok(detail);
    }

    /// <summary>
    /// RETRACTED with its reason: deliveries not yet sent are retracted (a dispatcher holding one cannot
    /// record its result any more), and Novu is asked to cancel those it was already handed, including any
    /// in flight. A notification already done with (sent, failed or retracted) cannot be cancelled.
    /// </summary>
    private static async Task<Results<Ok<CancelResponse>, ProblemHttpResult>> CancelAsync(
        long id, CancelRequest? request, HttpContext http, NotificationStore store, NovuEnvironments environments, CancellationToken cancellationToken)
    {
        var reason = string.IsNullOrWhiteSpace(request?.Reason) ? null : request.Reason.Trim();
        if (reason is { Length: > MaxReasonLength })
        {
            return Problems.Validation("reason", $"must be at most {MaxReasonLength} characters.");
        }

        var (retraction, problem) = await store.RetractAsync(http.User.EnterpriseId(), id, reason, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (retraction is null)
        {
            return NotFound(id);
        }

        // The Novu environment the enterprise delivers through now: its own, or the shared one.
        var novu = (await environments.ForEnterpriseAsync(http.User.EnterpriseId(), cancellationToken)).Client;
        var cancellations = await Task.WhenAll(retraction.HandedOver.Select(async transactionId =>
        {
            if (novu is null)
            {
                return new NovuCancellation(transactionId, false, "The enterprise's Novu secret key cannot be decrypted; set it again.");
            }

            // Novu knows the delivery by the enterprise's transaction id; the caller keeps seeing its own.
            var outcome = await novu.CancelAsync(NovuNames.TransactionId(http.User.EnterpriseId(), transactionId), cancellationToken);
            return new NovuCancellation(transactionId, outcome is { IsSuccess: true, Value: true }, outcome.IsSuccess ? null : outcome.Message);
        }));
        return TypedResults.Ok(new CancelResponse(id, NotificationStatuses.Retracted, retraction.RetractedAt, reason, retraction.Retracted, cancellations));
    }

    /// <summary>FAILED back to PENDING: its failed deliveries start over (attempts 0, due now) and the dispatchers wake.</summary>
    /// <param name="versions">
    /// <c>first</c> (the default): render with the versions and locale of the first render; <c>latest</c>: with the
    /// live versions (issue 30).
    /// </param>
    private static async Task<Results<Ok<RetryResponse>, ProblemHttpResult>> RetryAsync(
        long id, string? versions, HttpContext http, NotificationStore store, CancellationToken cancellationToken)
    {
        if (versions is not (null or "first" or "latest"))
        {
            return Problems.Validation("versions", "must be 'first' (the versions of the first render) or 'latest'.");
        }

        var (retried, problem) = await store.RetryAsync(http.User.EnterpriseId(), id, cancellationToken, latestVersions: versions == "latest");
        if (problem is not null)
        {
            return problem;
        }

        return retried is { } count ? TypedResults.Ok(new RetryResponse(id, NotificationStatuses.Pending, count)) : NotFound(id);
    }

    /// <summary>Up to <c>limit</c> FAILED notifications, oldest first, back to PENDING; those another call holds are skipped.</summary>
    private static async Task<Results<Ok<RetryFailedResponse>, ProblemHttpResult>> RetryFailedAsync(
        RetryFailedRequest? request, HttpContext http, NotificationStore store, CancellationToken cancellationToken)
    {
        var limit = request?.Limit ?? DefaultRetryFailedLimit;
        if (limit is < 1 or > MaxRetryFailedLimit)
        {
            return Problems.Validation("limit", $"must be between 1 and {MaxRetryFailedLimit}.");
        }

        var counts = await store.RetryFailedAsync(http.User.EnterpriseId(), limit, cancellationToken);
        return TypedResults.Ok(new RetryFailedResponse(counts.Notifications, counts.Deliveries));
    }

    private static ProblemHttpResult NotFound(long id) => Problems.NotFound($"Notification {id} was not found.");
}
