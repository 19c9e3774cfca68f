-- Dispatch throughput (issue 14).
--
-- 1. Plans that go stale. The dispatch functions run on long-lived pooled connections, and PL/pgSQL keeps a
--    generic plan for each statement after its fifth call, costed on the table sizes of that moment. Planned
--    on a nearly empty table (a fresh install, a quiet night), the status roll-up kept seq-scanning
--    notifications and deliveries as they grew: auto_explain during one benchmark run of 6,000 triggers logged
--    1,040 seq scans of ent_notification_delivery and 331 of ent_notification. A custom plan per call costs a
--    fraction of a millisecond and always sees the current sizes.
ALTER FUNCTION notify.claim_deliveries(text, integer, integer, integer) SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION notify.refresh_notification_status(bigint[]) SET plan_cache_mode = force_custom_plan;

-- 2. The completion. As in 0018, except that the notifications to roll up are those of the rows it updated,
--    taken from the update itself rather than read again; a delivery whose lease this replica lost is rolled
--    up by the replica that holds it now.
CREATE OR REPLACE FUNCTION notify.complete_deliveries(p_worker text, p_results jsonb)
    RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
    SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    v_updated integer;
    v_notifications bigint[];
BEGIN
    WITH results AS (
        SELECT (r ->> 'id')::bigint AS id,
               r ->> 'outcome' AS outcome,
               (r ->> 'retryAt')::timestamptz AS retry_at,
               r ->> 'novuStatus' AS novu_status,
               r -> 'error' AS error
        FROM jsonb_array_elements(p_results) AS r
    ), done AS (
        UPDATE notify.ent_notification_delivery d
        SET status = CASE r.outcome WHEN 'sent' THEN 'SENT' WHEN 'retry' THEN 'PENDING' WHEN 'paused' THEN 'PENDING'
                         ELSE 'FAILED' END::notify.notification_status,
            next_attempt_at = CASE WHEN r.outcome IN ('retry', 'paused') THEN coalesce(r.retry_at, now()) ELSE d.next_attempt_at END,
            attempts = CASE WHEN r.outcome = 'paused' THEN greatest(d.attempts - 1, 0) ELSE d.attempts END,
            novu_paused = (r.outcome = 'paused'),
            sent_at = CASE WHEN r.outcome = 'sent' THEN now() ELSE d.sent_at END,
            novu_status = coalesce(r.novu_status, d.novu_status),
            last_error = CASE WHEN r.outcome = 'sent' THEN d.last_error ELSE r.error END,
            lease_expires_at = NULL,
            updated_at = now()
        FROM results r
        WHERE d.id = r.id AND d.status = 'PROCESSING' AND d.lease_owner = p_worker
        RETURNING d.notification_id
    )
    SELECT count(*)::integer, array_agg(DISTINCT done.notification_id) INTO v_updated, v_notifications FROM done;

    IF v_notifications IS NOT NULL THEN
        PERFORM notify.refresh_notification_status(v_notifications);
    END IF;
    RETURN v_updated;
END
$$;
