-- Issue 32: the claim answers each delivery's first rendering (issue 30), so the dispatcher no longer reads it again
-- by id under row-level security, where the planner could serve it from the enterprise's index (6.3 s per read of
-- 50 deliveries at 36 million rows). A function's result columns cannot be changed in place: it is dropped and made
-- again in this one transaction, so no caller finds it missing. A dispatcher of the release before reads the columns
-- it names and ignores the new one. Its reasons and live definition: Functions/claim_deliveries.sql.

DROP FUNCTION notify.claim_deliveries(text, integer, integer, integer);

CREATE FUNCTION notify.claim_deliveries(p_worker text, p_batch integer, p_lease_seconds integer, p_max_unfinished_claims integer)
 RETURNS TABLE(delivery_id bigint, enterprise_id uuid, notification_id bigint, subscriber_id text, recipient jsonb, transaction_id text, attempts integer, workflow_key text, payload jsonb, overrides jsonb, channels notify.notification_channel_type[], tags text[], trace_parent text, rendering jsonb)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
 SET plan_cache_mode TO 'force_generic_plan'
 SET enable_seqscan TO 'off'
 SET enable_bitmapscan TO 'off'
AS $$
DECLARE
    v_claim uuid;
    v_new_claim uuid := gen_random_uuid();
    v_takeover boolean := false;
    v_members integer;
    v_unfinished integer;
    v_only bigint;
    v_poisoned bigint[];
    v_ids bigint[];
    v_low bigint;
    v_high bigint;
    v_cutover bigint;
    v_switched boolean;
    v_notifications int8range;
    v_notification_low bigint;
    v_notification_high bigint;
BEGIN
    SELECT d.claim_id INTO v_claim
    FROM notify.ent_notification_delivery d
    WHERE d.status = 'PROCESSING' AND d.lease_expires_at < now()
    ORDER BY d.lease_expires_at
    LIMIT 1
    FOR UPDATE SKIP LOCKED;

    IF v_claim IS NOT NULL THEN
        v_takeover := true;
        SELECT count(*), max(d.unfinished_claims), min(d.id) INTO v_members, v_unfinished, v_only
        FROM notify.ent_notification_delivery d
        WHERE d.claim_id = v_claim AND d.status = 'PROCESSING' AND d.lease_expires_at < now();
        IF NOT (v_unfinished >= 1 AND v_members > 1 AND v_members < 100) THEN
            v_only := NULL;
            v_new_claim := v_claim;
        END IF;

        -- Poison: these deliveries' claims expired unfinished too often; nothing more is tried for them.
        WITH poisoned AS (
            UPDATE notify.ent_notification_delivery d
            SET status = 'FAILED',
                unfinished_claims = d.unfinished_claims + 1,
                lease_expires_at = NULL,
                last_error = jsonb_build_object(
                    'message', format('Poison delivery: claimed %s times and never completed (its dispatcher crashed or hung each time); not tried again.',
                                      d.unfinished_claims + 1),
                    'httpStatus', NULL, 'novuStatus', NULL, 'attempts', d.attempts, 'lastAttemptAt', now()),
                updated_at = now()
            WHERE d.claim_id = v_claim AND d.status = 'PROCESSING' AND d.lease_expires_at < now()
              AND d.unfinished_claims + 1 >= p_max_unfinished_claims
              AND (v_only IS NULL OR d.id = v_only)
            RETURNING d.notification_id
        )
        SELECT array_agg(DISTINCT p.notification_id) INTO v_poisoned FROM poisoned p;

        IF v_poisoned IS NOT NULL THEN
            PERFORM notify.refresh_notification_status(v_poisoned);
        END IF;
    END IF;

    -- The deliveries are picked and locked first, so that the statement that claims them and reads their
    -- notifications knows the batch's id span when its plan starts (issue 32): a join on id alone probes every day
    -- partition's primary key for every row.
    WITH taken_over AS (
        SELECT d.id
        FROM notify.ent_notification_delivery d
        WHERE v_takeover AND d.claim_id = v_claim AND d.status = 'PROCESSING' AND d.lease_expires_at < now()
          AND (v_only IS NULL OR d.id = v_only)
        FOR UPDATE SKIP LOCKED
    ), due AS (
        SELECT d.id
        FROM notify.ent_notification_delivery d
        WHERE NOT v_takeover AND d.status = 'PENDING' AND d.next_attempt_at <= now()
          AND NOT EXISTS (SELECT 1 FROM notify.enterprise e WHERE e.id = d.enterprise_id AND e.deactivated)
        ORDER BY d.next_attempt_at, d.id
        LIMIT p_batch
        FOR UPDATE SKIP LOCKED
    )
    SELECT array_agg(p.id ORDER BY p.id) INTO v_ids
    FROM (SELECT t.id FROM taken_over t UNION ALL SELECT u.id FROM due u) AS p;

    IF v_ids IS NULL THEN
        RETURN;
    END IF;

    v_low := v_ids[1];
    v_high := v_ids[cardinality(v_ids)];
    SELECT s.cutover, s.switched INTO v_cutover, v_switched FROM notify.history_settings s;
    v_notifications := notify.notification_id_span(v_low, v_high, v_cutover, v_switched);
    v_notification_low := lower(v_notifications);
    v_notification_high := upper(v_notifications);

    RETURN QUERY
    WITH claimed AS (
        UPDATE notify.ent_notification_delivery d
        SET status = 'PROCESSING',
            lease_owner = p_worker,
            lease_expires_at = now() + make_interval(secs => p_lease_seconds),
            claim_id = v_new_claim,
            attempts = d.attempts + 1,
            unfinished_claims = d.unfinished_claims + CASE WHEN v_takeover THEN 1 ELSE 0 END,
            updated_at = now()
        WHERE d.id = ANY (v_ids) AND d.id >= v_low AND d.id <= v_high
        RETURNING d.*
    ), started AS (
        UPDATE notify.ent_notification n
        SET notification_status = 'PROCESSING', updated_at = now()
        FROM (SELECT DISTINCT c.notification_id FROM claimed c) AS s
        WHERE n.id = s.notification_id AND n.id >= v_notification_low AND n.id < v_notification_high
          AND n.notification_status::text = 'PENDING'
        RETURNING n.id
    )
    SELECT c.id, c.enterprise_id, c.notification_id, c.subscriber_id, c.recipient, c.transaction_id, c.attempts,
           n.workflow_key, n.payload, n.overrides, n.channels, n.tags, n.trace_parent, c.rendering
    FROM claimed c
    JOIN notify.ent_notification n
      ON n.id = c.notification_id AND n.id >= v_notification_low AND n.id < v_notification_high
    ORDER BY c.id;
END
$$;
REVOKE ALL ON FUNCTION notify.claim_deliveries(text,integer,integer,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.claim_deliveries(text,integer,integer,integer) TO xnovu_dispatcher;
