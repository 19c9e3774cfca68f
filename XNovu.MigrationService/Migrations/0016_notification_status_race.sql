-- A notification's status is a roll-up of its deliveries. Two dispatcher batches that complete different
-- deliveries of one notification at the same time each computed the roll-up from a snapshot that could not
-- see the other's uncommitted rows, so both wrote PROCESSING and the notification stayed PROCESSING after
-- every delivery was SENT (seen with a 2,000-member topic split across two replicas' batches).
-- The roll-up now locks the notifications first, in id order, and only then aggregates in a new statement:
-- a volatile plpgsql function takes a fresh snapshot per statement, so the second transaction, having
-- waited for the first's lock, sees the first's committed deliveries. A topic notification still expanding
-- stays PROCESSING even when every delivery created so far is done.
CREATE OR REPLACE FUNCTION notify.refresh_notification_status(p_notification_ids bigint[])
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
BEGIN
    PERFORM 1 FROM notify.ent_notification n
    WHERE n.id = ANY (p_notification_ids)
    ORDER BY n.id
    FOR NO KEY UPDATE;

    WITH agg AS (
        SELECT d.notification_id,
               count(*) FILTER (WHERE d.status IN ('PENDING', 'PROCESSING')) AS open,
               count(*) FILTER (WHERE d.status = 'FAILED') AS failed,
               (array_agg(d.last_error ORDER BY d.updated_at DESC) FILTER (WHERE d.status = 'FAILED'))[1] AS last_error
        FROM notify.ent_notification_delivery d
        WHERE d.notification_id = ANY (p_notification_ids)
        GROUP BY d.notification_id
    )
    UPDATE notify.ent_notification n
    SET notification_status = CASE
            WHEN agg.open > 0 OR n.expansion_pending THEN 'PROCESSING'
            WHEN agg.failed > 0 THEN 'FAILED'
            ELSE 'SENT' END::notify.notification_status,
        processed_at = CASE WHEN agg.open = 0 AND NOT n.expansion_pending THEN now() ELSE n.processed_at END,
        error_details = CASE WHEN agg.open = 0 AND NOT n.expansion_pending AND agg.failed > 0 THEN agg.last_error ELSE NULL END,
        updated_at = now()
    FROM agg
    WHERE n.id = agg.notification_id AND n.notification_status NOT IN ('RETRACTED');
END
$$;

-- A delivery an operator restarts begins again with a clean record, its unfinished claims (the poison count of
-- 0010_dispatch_reliability.sql) included: otherwise one more takeover after the retry would fail it as poison
-- at once, although the cause may have been fixed.
CREATE OR REPLACE FUNCTION notify.restart_failed(p_limit integer, p_notification_id bigint DEFAULT NULL)
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
        SET status = 'PENDING', attempts = 0, unfinished_claims = 0, next_attempt_at = now(), last_error = NULL,
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
