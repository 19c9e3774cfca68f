using System.Globalization;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Http;
using XNovu.Core.Persistence;

namespace XNovu.Api.Notifications;

/// <summary>The filters of one page of the notification list; only those given become conditions.</summary>
internal sealed record NotificationFilter(string? Status, string? WorkflowKey, DateTimeOffset? From, DateTimeOffset? To, NotificationCursor? After, int Fetch);

/// <summary>What a cancel changed: the deliveries Novu was already handed, how many it retracted, and when.</summary>
internal sealed record Retraction(IReadOnlyList<string> HandedOver, int Retracted, DateTime RetractedAt);

/// <summary>
/// The SQL of an enterprise's notifications and their deliveries. Each call is one tenant transaction, so
/// row-level security makes another enterprise's notification unknown here. The list and the detail read from
/// <paramref name="reads"/>, a standby when one is configured (its lag documented in docs/operations.md); a cancel
/// or a retry reads and writes the primary.
/// <para>
/// One concern, the notification rows' SQL, kept in one file over 300 lines: most of its length is the statements
/// and the reasons for their shapes at history scale (the retention rule as a CASE, the deliveries' id range), which
/// belong beside the SQL they explain.
/// </para>
/// </summary>
internal sealed class NotificationStore(XNovuDatabase database, XNovuReadDatabase reads, TimeProvider time)
{
    private const string NotificationSelect =
        """
        SELECT n.id, n.workflow_key AS WorkflowKey, n.notification_status::text AS Status, n.payload::text AS Payload,
               n.recipients::text AS Recipients, n.overrides::text AS Overrides, to_jsonb(n.tags)::text AS Tags,
               n.transaction_id AS TransactionId,
               c.code AS CategoryCode, p.code AS PriorityCode, n.scheduled_for AS ScheduledFor, n.processed_at AS ProcessedAt,
               n.retracted_at AS RetractedAt, n.retraction_reason AS RetractionReason, n.error_details::text AS ErrorDetails,
               n.created_at AS CreatedAt, n.updated_at AS UpdatedAt
        FROM notify.ent_notification n
        LEFT JOIN notify.typ_notification_category c ON c.id = n.notification_category_id
        LEFT JOIN notify.typ_notification_priority p ON p.id = n.notification_priority_id
        """;

    /// <summary>
    /// Issue 32: a finished notification made before its enterprise's own retention is past it: hidden here until the
    /// dispatchers' retention pass deletes it (within <c>XNovu:Retention:Interval</c>), by the delete's own rule
    /// (<c>notify.history_kept_since</c>, read once per statement). Unfinished work stays visible and cancellable
    /// whatever its age, as retention never deletes it. A filter on the rows the list's indexes find; the cancel and
    /// the retry do not find a hidden notification either.
    /// Written as a CASE, not as the OR it means, so that the planner never reads it as an access path. As an OR, its
    /// arms match the day's partial index of unfinished rows and the expansion index: planned on statistics taken
    /// while the day had few unfinished rows, the list's first step became a BitmapOr of those indexes and the
    /// enterprise's, then a sort, and read every unfinished row of the day, whoever's (run 22 of history-at-scale:
    /// 75,860 rows, 60 to 325 ms a statement against 0.3 ms, the list's median 38 ms against 6.7). A backlog of one
    /// tenant slowed every tenant's list. As a CASE it is a filter on the rows the enterprise's index finds in order.
    /// </summary>
    private const string WithinRetention =
        "(CASE WHEN n.notification_status NOT IN ('SENT', 'FAILED', 'RETRACTED') OR n.expansion_pending THEN true "
        + "ELSE n.created_at >= (SELECT notify.history_kept_since(notify.current_enterprise_id())) END)";

    /// <summary>
    /// Issue 32: the deliveries of notification <c>@id</c> lie in the id range <c>notify.delivery_id_range</c> gives (its
    /// day partition; below the cutover for the history before the partitioning). Said beside
    /// <c>notification_id = @id</c>, it lets PostgreSQL prune to that one partition when the statement starts, where
    /// the notification id alone probes every day's index. <paramref name="column"/> is a delivery id: a delivery's,
    /// or an event's <c>delivery_id</c> (events are partitioned by it).
    /// </summary>
    private static string InDeliveryRange(string column) =>
        $"{column} >= lower(notify.delivery_id_range(@id)) AND {column} < upper(notify.delivery_id_range(@id))";

    private const string DeliverySelect =
        """
        SELECT d.id, d.enterprise_id AS EnterpriseId, d.ordinal, d.subscriber_id AS SubscriberId, d.status::text AS Status, d.attempts,
               d.transaction_id AS TransactionId,
               d.novu_status AS NovuStatus, d.last_error::text AS LastError, d.sent_at AS SentAt, d.next_attempt_at AS NextAttemptAt,
               d.updated_at AS UpdatedAt, d.outcome AS Outcome, d.outcome_at AS OutcomeAt, d.rendering::text AS Rendering,
               d.skipped_channels::text AS SkippedChannels
        FROM notify.ent_notification_delivery d
        """;

    /// <summary>What Novu reported of the notification's deliveries (issue 28), oldest first.</summary>
    private const string DeliveryEventSelect =
        """
        SELECT e.delivery_id AS DeliveryId, e.event AS Event, e.occurred_at AS OccurredAt, e.channel AS Channel,
               e.provider_id AS ProviderId, e.error_id AS ErrorId, e.error_text AS ErrorText, e.source AS Source
        FROM notify.ent_delivery_event e
        JOIN notify.ent_notification_delivery d ON d.id = e.delivery_id
        """;

    /// <summary>
    /// A page of the list, newest first (<c>created_at DESC, id DESC</c>), read day by day (<see cref="NotificationListWalk"/>):
    /// one short statement per step in the same transaction, each planned for its own days only, until the page is full.
    /// </summary>
    public async Task<IReadOnlyList<NotificationSummaryRow>> ListAsync(Guid enterpriseId, NotificationFilter filter, CancellationToken cancellationToken)
    {
        // Only the filters given become conditions, so each combination can use its index.
        var conditions = new List<string> { WithinRetention };
        if (filter.Status is not null)
        {
            // Issue 32: a literal, not a parameter. Under row-level security the status cannot be an index condition
            // (enum equality is not leakproof); the index of each enterprise's rows not SENT serves it instead, which
            // the planner chooses only by proving its predicate from a constant, and a text parameter cast to the
            // enum is none (the cast is stable, not folded when planning). The value is one of the statuses: the
            // endpoint refused any other, and it is checked again here before it is written into the statement.
            if (!NotificationStatuses.All.Contains(filter.Status, StringComparer.Ordinal))
            {
                throw new ArgumentException($"'{filter.Status}' is not a notification status.", nameof(filter));
            }

            conditions.Add($"n.notification_status = '{filter.Status}'");
        }

        if (filter.WorkflowKey is not null)
        {
            conditions.Add("n.workflow_key = @workflowKey");
        }

        if (filter.From is not null)
        {
            conditions.Add("n.created_at >= @from");
        }

        if (filter.To is not null)
        {
            conditions.Add("n.created_at < @to");
        }

        return await reads.InTenantAsync(enterpriseId, async session =>
        {
            var rows = new List<NotificationSummaryRow>(filter.Fetch);
            foreach (var step in NotificationListWalk.Steps(filter.After?.Id, filter.To, time.GetUtcNow()))
            {
                // The step's bounds and the page size are written into the statement, not passed: a statement's text
                // then stays the same for an hour (the first step) or a day (the others), so the connection prepares
                // it (auto-prepare) and PostgreSQL keeps one plan for it, pruned to the step's days when it was made,
                // instead of planning every call. As parameters, the plan for all values names every day partition,
                // and PostgreSQL planned each call afresh (1.1 ms a statement under load at 36 million rows).
                var where = new List<string>(conditions);
                if (step.From is { } stepFrom)
                {
                    where.Add($"n.id >= {stepFrom.ToString(CultureInfo.InvariantCulture)}");
                }

                if (step.Below is { } stepBelow)
                {
                    where.Add($"n.id < {stepBelow.ToString(CultureInfo.InvariantCulture)}");
                }

                if (step.AfterCursor)
                {
                    // The row comparison (created_at, id) < (...) spelled out: its operator is not leakproof, so under
                    // row-level security it could only filter; created_at <= ... is an index condition.
                    where.Add("n.created_at <= @afterCreatedAt AND (n.created_at < @afterCreatedAt OR n.id < @afterId)");
                }

                // Each step asks for a whole page (one text per page size) and only what the page still needs is kept.
                var found = await session.Connection.QueryAsync<NotificationSummaryRow>(
                    $"""
                    SELECT {NotificationSummaryRow.Columns}
                    FROM notify.ent_notification n
                    WHERE {string.Join(" AND ", where)}
                    ORDER BY n.created_at DESC, n.id DESC
                    LIMIT {filter.Fetch.ToString(CultureInfo.InvariantCulture)}
                    """,
                    new
                    {
                        workflowKey = filter.WorkflowKey,
                        from = filter.From?.UtcDateTime,
                        to = filter.To?.UtcDateTime,
                        afterCreatedAt = filter.After?.CreatedAt,
                        afterId = filter.After?.Id,
                    },
                    session.Transaction);
                rows.AddRange(found.Take(filter.Fetch - rows.Count));
                if (rows.Count >= filter.Fetch)
                {
                    break;
                }
            }

            return (IReadOnlyList<NotificationSummaryRow>)rows;
        }, cancellationToken);
    }

    /// <summary>The notification with its deliveries in order, as the reads see it (maybe a standby, a moment behind); null when unknown to this enterprise.</summary>
    public Task<NotificationDetail?> FindAsync(Guid enterpriseId, long id, CancellationToken cancellationToken) =>
        FindAsync(reads.Database, enterpriseId, id, cancellationToken);

    /// <summary>The same as the primary has it now: for a decision that writes (a re-send).</summary>
    public Task<NotificationDetail?> FindOnPrimaryAsync(Guid enterpriseId, long id, CancellationToken cancellationToken) =>
        FindAsync(database, enterpriseId, id, cancellationToken);

    private static Task<NotificationDetail?> FindAsync(XNovuDatabase from, Guid enterpriseId, long id, CancellationToken cancellationToken) =>
        from.InTenantAsync(enterpriseId, async session =>
        {
            await using var grid = await session.Connection.QueryMultipleAsync(
                $"""
                {NotificationSelect} WHERE n.id = @id AND {WithinRetention};
                {DeliverySelect} WHERE d.notification_id = @id AND {InDeliveryRange("d.id")} ORDER BY d.ordinal;
                {DeliveryEventSelect} WHERE d.notification_id = @id AND {InDeliveryRange("d.id")} AND {InDeliveryRange("e.delivery_id")}
                ORDER BY e.occurred_at, e.id;
                """,
                new { id },
                session.Transaction);
            var row = await grid.ReadSingleOrDefaultAsync<NotificationRow>();
            var deliveryRows = (await grid.ReadAsync<DeliveryRow>()).AsList();
            var events = (await grid.ReadAsync<DeliveryEventRow>()).ToLookup(e => e.DeliveryId);
            var deliveries = deliveryRows.Select(d => d.ToResponse(events[d.Id])).ToList();
            return row?.ToDetail(deliveries);
        }, cancellationToken);

    /// <summary>
    /// RETRACTED with its reason, and its deliveries not yet sent with it; a null retraction and no problem
    /// when the notification is unknown here.
    /// </summary>
    public async Task<(Retraction? Retraction, ProblemHttpResult? Problem)> RetractAsync(
        Guid enterpriseId, long id, string? reason, CancellationToken cancellationToken)
    {
        await using var session = await database.BeginTenantAsync(enterpriseId, cancellationToken);
        var status = await LockAsync(session, id);
        if (status is null)
        {
            return (null, null);
        }

        if (NotificationStatuses.Final.Contains(status, StringComparer.Ordinal))
        {
            return (null, Problems.Conflict($"Notification {id} is {status} and can no longer be cancelled."));
        }

        Retraction retraction;
        await using (var grid = await session.Connection.QueryMultipleAsync(
            $"""
            SELECT d.transaction_id FROM notify.ent_notification_delivery d
            WHERE d.notification_id = @id AND {InDeliveryRange("d.id")} AND d.status IN ('SENT', 'PROCESSING') ORDER BY d.ordinal;
            WITH r AS (
                UPDATE notify.ent_notification_delivery d
                SET status = 'RETRACTED', lease_expires_at = NULL, updated_at = now()
                WHERE d.notification_id = @id AND {InDeliveryRange("d.id")} AND d.status IN ('PENDING', 'PROCESSING')
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
            var handedOver = (await grid.ReadAsync<string>()).AsList();
            var retracted = await grid.ReadSingleAsync<int>();
            retraction = new Retraction(handedOver, retracted, await grid.ReadSingleAsync<DateTime>());
        }

        await session.CommitAsync(cancellationToken);
        return (retraction, null);
    }

    /// <summary>
    /// FAILED back to PENDING with its failed deliveries restarted, and the dispatchers woken: the number of
    /// deliveries restarted, or a problem. A null count and no problem when the notification is unknown here.
    /// </summary>
    /// <param name="latestVersions">
    /// Render with the templates' live versions and the subscriber's locale as they are now, instead of those of the
    /// first render (issue 30): the deliveries forget how they were rendered.
    /// </param>
    public async Task<(int? Retried, ProblemHttpResult? Problem)> RetryAsync(Guid enterpriseId, long id, CancellationToken cancellationToken, bool latestVersions = false)
    {
        await using var session = await database.BeginTenantAsync(enterpriseId, cancellationToken);
        var status = await LockAsync(session, id);
        if (status is null)
        {
            return (null, null);
        }

        if (status != NotificationStatuses.Failed)
        {
            return (null, Problems.Conflict($"Notification {id} is {status}; only a FAILED notification can be retried."));
        }

        if (latestVersions)
        {
            await session.Connection.ExecuteAsync(
                $"UPDATE notify.ent_notification_delivery d SET rendering = NULL WHERE d.notification_id = @id AND {InDeliveryRange("d.id")} AND d.status = 'FAILED'",
                new { id }, session.Transaction);
        }

        // The same statement as retry-failed and the operator's retry (0009_retry_failed_once.sql).
        var retried = (await session.Connection.QuerySingleAsync<(int Notifications, int Deliveries)>(
            "SELECT notifications, deliveries FROM notify.restart_failed(1, @id)", new { id }, session.Transaction)).Deliveries;
        if (retried == 0)
        {
            // Nothing would ever send it: it stays FAILED rather than waiting forever as PENDING.
            return (null, Problems.Conflict($"Notification {id} has no failed delivery to retry."));
        }

        await session.CommitAsync(cancellationToken);
        return (retried, null);
    }

    /// <summary>Up to <paramref name="limit"/> FAILED notifications, oldest first, back to PENDING; those another call holds are skipped.</summary>
    public Task<(int Notifications, int Deliveries)> RetryFailedAsync(Guid enterpriseId, int limit, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleAsync<(int Notifications, int Deliveries)>(
            "SELECT notifications, deliveries FROM notify.restart_failed(@limit)", new { limit }, session.Transaction), cancellationToken);

    /// <summary>The notification's status, locked against a concurrent cancel or retry; null when unknown here.</summary>
    private static Task<string?> LockAsync(TenantSession session, long id) =>
        session.Connection.QuerySingleOrDefaultAsync<string>(
            $"SELECT n.notification_status::text FROM notify.ent_notification n WHERE n.id = @id AND {WithinRetention} FOR UPDATE",
            new { id },
            session.Transaction);
}
