-- "Send the failed ones again", written once. notify.restart_failed runs as its caller (SECURITY INVOKER), so
-- in an enterprise's session row-level security limits it to that enterprise's notifications (the API's
-- retry and retry-failed routes), while the operator's retry_failed_notifications (SECURITY DEFINER, row
-- security off) restarts every enterprise's through the same statement.
-- A FAILED notification goes back to PENDING only when it had a failed delivery to restart: nothing would
-- ever send it otherwise. The dispatchers are woken at commit.
CREATE FUNCTION notify.restart_failed(p_limit integer, p_notification_id bigint DEFAULT NULL)
    RETURNS TABLE (notifications integer, deliveries integer)
    LANGUAGE plpgsql SECURITY INVOKER
    SET search_path = pg_catalog, notify
AS $$
BEGIN
    RETURN QUERY
    WITH picked AS (
        SELECT n.id FROM notify.ent_notification n
        WHERE n.notification_status = 'FAILED' AND (p_notification_id IS NULL OR n.id = p_notification_id)
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

REVOKE ALL ON FUNCTION notify.restart_failed(integer, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.restart_failed(integer, bigint) TO xnovu_app;

CREATE OR REPLACE FUNCTION notify.retry_failed_notifications(p_limit integer)
    RETURNS TABLE (notifications integer, deliveries integer)
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    SELECT * FROM notify.restart_failed(p_limit);
$$;
