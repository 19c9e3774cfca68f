-- Operations: what an operator asks of the whole system (is anything stuck, how many deliveries went out,
-- send the failed ones again). Each answer crosses enterprises, so each is a SECURITY DEFINER function that
-- answers counts only; the admin key (or, for the statistics, nothing at all) is checked by the API.

-- The backlog: deliveries waiting to be sent, those already due, and how long the oldest due one has waited.
-- A delivery scheduled for later is pending but not late, so only due ones age. Served by ix_delivery_due.
CREATE FUNCTION notify.backlog_stats()
    RETURNS TABLE (pending bigint, due bigint, oldest_pending_age_seconds double precision)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    SELECT count(*),
           count(*) FILTER (WHERE next_attempt_at <= now()),
           coalesce(extract(epoch FROM now() - min(next_attempt_at) FILTER (WHERE next_attempt_at <= now())), 0)::double precision
    FROM notify.ent_notification_delivery
    WHERE status = 'PENDING'
$$;

-- Deliveries by outcome. Retried: deliveries that needed more than one attempt, whatever their outcome.
CREATE FUNCTION notify.delivery_stats()
    RETURNS TABLE (sent bigint, failed bigint, retried bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    SELECT count(*) FILTER (WHERE status = 'SENT'),
           count(*) FILTER (WHERE status = 'FAILED'),
           count(*) FILTER (WHERE attempts > 1)
    FROM notify.ent_notification_delivery
$$;

-- The operator's "retry failed": up to p_limit FAILED notifications of any enterprise, oldest first, back to
-- PENDING, as POST /api/notifications/retry-failed does within one enterprise. Rows another call holds are skipped.
CREATE FUNCTION notify.retry_failed_notifications(p_limit integer)
    RETURNS TABLE (notifications integer, deliveries integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
BEGIN
    RETURN QUERY
    WITH picked AS (
        SELECT n.id FROM notify.ent_notification n
        WHERE n.notification_status = 'FAILED'
        ORDER BY n.created_at, n.id
        LIMIT p_limit
        FOR UPDATE SKIP LOCKED
    ), d AS (
        UPDATE notify.ent_notification_delivery x
        SET status = 'PENDING', attempts = 0, next_attempt_at = now(), last_error = NULL,
            lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        WHERE x.status = 'FAILED' AND x.notification_id IN (SELECT picked.id FROM picked)
        RETURNING x.notification_id
    ), r AS (
        UPDATE notify.ent_notification y
        SET notification_status = 'PENDING', error_details = NULL, processed_at = NULL, updated_at = now()
        WHERE y.id IN (SELECT d.notification_id FROM d)
        RETURNING 1
    )
    SELECT (SELECT count(*)::integer FROM r), (SELECT count(*)::integer FROM d);

    PERFORM pg_notify('xnovu_dispatch', '');
END
$$;

REVOKE ALL ON FUNCTION notify.backlog_stats(), notify.delivery_stats(), notify.retry_failed_notifications(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.backlog_stats(), notify.delivery_stats(), notify.retry_failed_notifications(integer) TO xnovu_app;
