-- xnovu:requires 0078_delivery_floor
-- A delivery an operator restarts begins again with a clean record, its unfinished claims (the poison count of
-- 0010_dispatch_reliability.sql) included: otherwise one more takeover after the retry would fail it as poison
-- at once, although the cause may have been fixed.
-- (reasons first written in 0016_notification_status_race)
-- Issue 32: the deliveries it reopens may be on days below the claim's floor (delivery_floor); it lowers the floor to
-- the lowest of them in the same transaction (lower_delivery_floor), so the next claim names their day.
-- History: 0009_retry_failed_once, 0016_notification_status_race. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.restart_failed(p_limit integer, p_notification_id bigint DEFAULT NULL::bigint)
 RETURNS TABLE(notifications integer, deliveries integer)
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'notify'
AS $function$
DECLARE
    v_lowest bigint;
BEGIN
    WITH picked AS (
        SELECT n.id FROM notify.ent_notification n
        WHERE n.notification_status = 'FAILED' AND (p_notification_id IS NULL OR n.id = p_notification_id)
        ORDER BY n.created_at, n.id
        LIMIT p_limit
        FOR UPDATE SKIP LOCKED
    ), d AS (
        UPDATE notify.ent_notification_delivery x
        SET status = 'PENDING', attempts = 0, unfinished_claims = 0, next_attempt_at = now(), last_error = NULL,
            lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        WHERE x.status = 'FAILED' AND x.notification_id IN (SELECT picked.id FROM picked)
        RETURNING x.id, x.notification_id
    ), r AS (
        UPDATE notify.ent_notification y
        SET notification_status = 'PENDING', error_details = NULL, processed_at = NULL, updated_at = now()
        WHERE y.id IN (SELECT d.notification_id FROM d)
        RETURNING 1
    )
    SELECT (SELECT count(*)::integer FROM r), (SELECT count(*)::integer FROM d), (SELECT min(d.id) FROM d)
    INTO notifications, deliveries, v_lowest;

    IF v_lowest IS NOT NULL THEN
        PERFORM notify.lower_delivery_floor(v_lowest);
    END IF;
    PERFORM pg_notify('xnovu_dispatch', '');
    RETURN NEXT;
END
$function$;
REVOKE ALL ON FUNCTION notify.restart_failed(integer,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.restart_failed(integer,bigint) TO xnovu_app;
