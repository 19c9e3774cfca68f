using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
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
    internal const string DispatchChannel = "xnovu_dispatch";

    private static readonly string[] Statuses = ["PENDING", "PROCESSING", "SENT", "FAILED", "RETRACTED"];

    /// <summary>Done with: nothing left to cancel.</summary>
    private static readonly string[] Final = ["SENT", "FAILED", "RETRACTED"];

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
        XNovuDatabase database,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var normalizedStatus = status?.Trim().ToUpperInvariant();
        if (normalizedStatus is not null && !Statuses.Contains(normalizedStatus, StringComparer.Ordinal))
        {
            errors.Add("status", $"must be one of {string.Join(", ", Statuses)}.");
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

        // Only the filters given become conditions, so each combination can use its index.
        var conditions = new List<string>();
        if (normalizedStatus is not null)
        {
            conditions.Add("n.notification_status = @status::notify.notification_status");
        }

        if (workflowId is not null)
        {
            conditions.Add("n.workflow_key = @workflowId");
        }

        if (from is not null)
        {
            conditions.Add("n.created_at >= @from");
        }

        if (to is not null)
        {
            conditions.Add("n.created_at < @to");
        }

        if (after is not null)
        {
            conditions.Add("(n.created_at, n.id) < (@afterCreatedAt, @afterId)");
        }

        var where = conditions.Count == 0 ? string.Empty : "WHERE " + string.Join(" AND ", conditions);
        var rows = (await database.InTenantAsync(http.User.EnterpriseId(), session => session.Connection.QueryAsync<NotificationSummaryRow>(
            $"""
            SELECT {NotificationSummaryRow.Columns}
            FROM notify.ent_notification n
            {where}
            ORDER BY n.created_at DESC, n.id DESC
            LIMIT @fetch
            """,
            new
            {
                status = normalizedStatus,
                workflowId,
                from = from?.UtcDateTime,
                to = to?.UtcDateTime,
                afterCreatedAt = after?.CreatedAt,
                afterId = after?.Id,
                fetch = take + 1,
            },
            session.Transaction), cancellationToken)).AsList();

        // One row more than the page says whether another page follows.
        var items = rows.Take(take).Select(r => r.ToSummary()).ToList();
        var next = rows.Count > take ? new NotificationCursor(items[^1].CreatedAt, items[^1].Id).Encode() : null;
        return TypedResults.Ok(new NotificationPage(items, next));
    }

    private static async Task<Results<Ok<NotificationDetail>, ProblemHttpResult>> GetAsync(
        long id, HttpContext http, XNovuDatabase database, CancellationToken cancellationToken)
    {
        var detail = await database.InTenantAsync(http.User.EnterpriseId(), async session =>
        {
            await using var grid = await session.Connection.QueryMultipleAsync(
                $"""
                {NotificationRow.Select} WHERE n.id = @id;
                {DeliveryRow.Select} WHERE notification_id = @id ORDER BY ordinal;
                """,
                new { id },
                session.Transaction);
            var row = await grid.ReadSingleOrDefaultAsync<NotificationRow>();
            var deliveries = (await grid.ReadAsync<DeliveryRow>()).Select(d => d.ToResponse()).ToList();
            return row?.ToDetail(deliveries);
        }, cancellationToken);
        return detail is null ? NotFound(id) : TypedResults.Ok(detail);
    }

    /// <summary>
    /// RETRACTED with its reason: deliveries not yet sent are retracted (a dispatcher holding one cannot
    /// record its result any more), and Novu is asked to cancel those it was already handed, including any
    /// in flight. A notification already done with (sent, failed or retracted) cannot be cancelled.
    /// </summary>
    private static async Task<Results<Ok<CancelResponse>, ProblemHttpResult>> CancelAsync(
        long id, CancelRequest? request, HttpContext http, XNovuDatabase database, INovuClient novu, CancellationToken cancellationToken)
    {
        var reason = string.IsNullOrWhiteSpace(request?.Reason) ? null : request.Reason.Trim();
        if (reason is { Length: > MaxReasonLength })
        {
            return Problems.Validation("reason", $"must be at most {MaxReasonLength} characters.");
        }

        DateTime retractedAt;
        int retracted;
        List<string> handedOver;
        await using (var session = await database.BeginTenantAsync(http.User.EnterpriseId(), cancellationToken))
        {
            var status = await LockAsync(session, id);
            if (status is null)
            {
                return NotFound(id);
            }

            if (Final.Contains(status, StringComparer.Ordinal))
            {
                return Problems.Conflict($"Notification {id} is {status} and can no longer be cancelled.");
            }

            await using (var grid = await session.Connection.QueryMultipleAsync(
                """
                SELECT transaction_id FROM notify.ent_notification_delivery
                WHERE notification_id = @id AND status IN ('SENT', 'PROCESSING') ORDER BY ordinal;
                WITH r AS (
                    UPDATE notify.ent_notification_delivery
                    SET status = 'RETRACTED', lease_expires_at = NULL, updated_at = now()
                    WHERE notification_id = @id AND status IN ('PENDING', 'PROCESSING')
                    RETURNING 1)
                SELECT count(*)::integer FROM r;
                UPDATE notify.ent_notification
                SET notification_status = 'RETRACTED', retracted_at = now(), retraction_reason = @reason, updated_at = now()
                WHERE id = @id
                RETURNING retracted_at;
                """,
                new { id, reason },
                session.Transaction))
            {
                handedOver = (await grid.ReadAsync<string>()).AsList();
                retracted = await grid.ReadSingleAsync<int>();
                retractedAt = await grid.ReadSingleAsync<DateTime>();
            }

            await session.CommitAsync(cancellationToken);
        }

        var cancellations = await Task.WhenAll(handedOver.Select(async transactionId =>
        {
            var outcome = await novu.CancelAsync(transactionId, cancellationToken);
            return new NovuCancellation(transactionId, outcome is { IsSuccess: true, Value: true }, outcome.IsSuccess ? null : outcome.Message);
        }));
        return TypedResults.Ok(new CancelResponse(id, "RETRACTED", retractedAt, reason, retracted, cancellations));
    }

    /// <summary>FAILED back to PENDING: its failed deliveries start over (attempts 0, due now) and the dispatchers wake.</summary>
    private static async Task<Results<Ok<RetryResponse>, ProblemHttpResult>> RetryAsync(
        long id, HttpContext http, XNovuDatabase database, CancellationToken cancellationToken)
    {
        await using var session = await database.BeginTenantAsync(http.User.EnterpriseId(), cancellationToken);
        var status = await LockAsync(session, id);
        if (status is null)
        {
            return NotFound(id);
        }

        if (status != "FAILED")
        {
            return Problems.Conflict($"Notification {id} is {status}; only a FAILED notification can be retried.");
        }

        var retried = await session.Connection.ExecuteScalarAsync<int>(
            $"""
            WITH d AS (
                {RestartFailedDeliveries} AND notification_id = @id
                RETURNING 1),
            n AS (
                {ReopenNotifications} WHERE id = @id AND EXISTS (SELECT 1 FROM d)
                RETURNING 1)
            SELECT count(*)::integer FROM d;
            SELECT pg_notify('{DispatchChannel}', '');
            """,
            new { id },
            session.Transaction);
        if (retried == 0)
        {
            // Nothing would ever send it: it stays FAILED rather than waiting forever as PENDING.
            return Problems.Conflict($"Notification {id} has no failed delivery to retry.");
        }

        await session.CommitAsync(cancellationToken);
        return TypedResults.Ok(new RetryResponse(id, "PENDING", retried));
    }

    /// <summary>Up to <c>limit</c> FAILED notifications, oldest first, back to PENDING; those another call holds are skipped.</summary>
    private static async Task<Results<Ok<RetryFailedResponse>, ProblemHttpResult>> RetryFailedAsync(
        RetryFailedRequest? request, HttpContext http, XNovuDatabase database, CancellationToken cancellationToken)
    {
        var limit = request?.Limit ?? DefaultRetryFailedLimit;
        if (limit is < 1 or > MaxRetryFailedLimit)
        {
            return Problems.Validation("limit", $"must be between 1 and {MaxRetryFailedLimit}.");
        }

        var counts = await database.InTenantAsync(http.User.EnterpriseId(), session => session.Connection.QuerySingleAsync<(int Notifications, int Deliveries)>(
            $"""
            WITH picked AS (
                SELECT id FROM notify.ent_notification
                WHERE notification_status = 'FAILED'
                ORDER BY created_at, id
                LIMIT @limit
                FOR UPDATE SKIP LOCKED),
            d AS (
                {RestartFailedDeliveries} AND notification_id IN (SELECT id FROM picked)
                RETURNING notification_id),
            n AS (
                {ReopenNotifications} WHERE id IN (SELECT notification_id FROM d)
                RETURNING 1)
            SELECT (SELECT count(*)::integer FROM n), (SELECT count(*)::integer FROM d);
            SELECT pg_notify('{DispatchChannel}', '');
            """,
            new { limit },
            session.Transaction), cancellationToken);
        return TypedResults.Ok(new RetryFailedResponse(counts.Notifications, counts.Deliveries));
    }

    internal const string RestartFailedDeliveries =
        """
        UPDATE notify.ent_notification_delivery
        SET status = 'PENDING', attempts = 0, next_attempt_at = now(), last_error = NULL,
            lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        WHERE status = 'FAILED'
        """;

    internal const string ReopenNotifications =
        """
        UPDATE notify.ent_notification
        SET notification_status = 'PENDING', error_details = NULL, processed_at = NULL, updated_at = now()
        """;

    /// <summary>The notification's status, locked against a concurrent cancel or retry; null when unknown here.</summary>
    private static Task<string?> LockAsync(TenantSession session, long id) =>
        session.Connection.QuerySingleOrDefaultAsync<string>(
            "SELECT notification_status::text FROM notify.ent_notification WHERE id = @id FOR UPDATE",
            new { id },
            session.Transaction);

    private static ProblemHttpResult NotFound(long id) => Problems.NotFound($"Notification {id} was not found.");
}
