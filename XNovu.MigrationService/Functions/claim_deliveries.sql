-- xnovu:requires 0080_claim_floor
-- The claim starts its notifications through their primary key, however small the table was when planned (issue 14).
--
-- The claim's "started" step (PENDING -> PROCESSING) found its notifications with
-- "n.id IN (claimed) AND n.notification_status = 'PENDING'". Planned while the table was small (a service's first
-- claim after start-up), the planner served that condition with a full scan of
-- idx_notification_enterprise_status_created, whose second column is the status, and semi-joined the claimed
-- ids to what it found, instead of a primary-key lookup per claimed notification. A full scan grows with the
-- table: auto_explain showed it reading 508 pages to start 28 notifications, 6 of the claim's 11 ms, during a
-- single-trigger benchmark, and slower as more notifications were stored. A generic plan (0023) keeps such a
-- plan for the life of the connection, or until the next ANALYZE.
-- The status is now compared as text, which no index can serve, so the rows can be found by index only through
-- the primary key, by the claimed ids (a full scan of any index costs what the table's size says, and loses once
-- the table is not tiny); nothing else in the claim changes (0023).
-- (reasons first written in 0024_claim_starts_by_key)
-- Issue 32: the deliveries are picked and locked by one statement, then claimed, and their notifications read, by a
-- second that names the batch's id span (notification_id_span, 0072): with the history in day partitions, a join on
-- id alone probed every day's primary key for every claimed row (about 5,500 buffers and 60 ms per claim of 90
-- deliveries with 43 day partitions); bounded, PostgreSQL prunes to the batch's days when the plan starts.
-- Issue 32: the claim answers each delivery's first rendering (issue 30) with it (0073). The dispatcher had read it
-- again by id under the enterprise's row-level security, and the planner served that from the enterprise's index
-- (its estimate of the security condition, on a day partition not yet analyzed): 6.3 s per read of 50 deliveries of a
-- 10,000-delivery enterprise at 36 million rows (pg_stat_statements), the whole dispatch slowed to 300/s. The claim
-- already holds the row: one statement fewer per batch part, and no plan to go wrong.
-- Issue 32: the claim names only the days where an open delivery can be. With a generic plan (0023) PostgreSQL 15
-- locks every partition a plan names before it prunes any: 333 relation locks per claim at 47 day partitions, 2,573
-- at a year of days, nearly all through the shared lock manager, on every claim of every dispatcher, for no work
-- (docs/scaling.md). Now each statement on the deliveries is bounded by the floor (delivery_floor: no delivery
-- below it is open, raise_delivery_floor and lower_delivery_floor keep it so) and by the start of the second an
-- hour from now (a delivery takes its notification's creation second, never a later one), and the claim plans
-- each call (force_custom_plan), so those bounds and the batch's span are constants when planned and its plans are
-- pruned then: 13 relation locks per claim that finds nothing, all on the fast path, at any number of days. The
-- planning that 0023 saved is paid again, on one or two partitions instead of all of them.
-- The deactivated enterprises, whose deliveries are held, are read first into a list and excluded by it instead of
-- by an anti-join: a custom plan sized that anti-join by the enterprise table's statistics (one enterprise, not
-- deactivated: "every delivery is held") and sorted the whole due set by the primary key instead of walking the due
-- index to the batch; with the list, an empty one drops out of the plan.
-- History: 0005_deliveries_and_dispatch, 0010_dispatch_reliability, 0020_dispatch_plans, 0023_generic_dispatch_plans, 0024_claim_starts_by_key. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.claim_deliveries(p_worker text, p_batch integer, p_lease_seconds integer)
 RETURNS TABLE(delivery_id bigint, enterprise_id uuid, notification_id bigint, subscriber_id text, recipient jsonb, transaction_id text, attempts integer, workflow_key text, payload jsonb, overrides jsonb, channels notify.notification_channel_type[], tags text[], trace_parent text)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
DECLARE
    v_claim uuid;
    v_takeover boolean := false;
BEGIN
    SELECT d.claim_id INTO v_claim
    FROM notify.ent_notification_delivery d
    WHERE d.status = 'PROCESSING' AND d.lease_expires_at < now()
    ORDER BY d.lease_expires_at
    LIMIT 1
    FOR UPDATE SKIP LOCKED;

    IF v_claim IS NOT NULL THEN
        v_takeover := true;
    ELSE
        v_claim := gen_random_uuid();
    END IF;

    RETURN QUERY
    WITH due AS (
        SELECT d.id
        FROM notify.ent_notification_delivery d
        WHERE (v_takeover AND d.claim_id = v_claim AND d.status = 'PROCESSING' AND d.lease_expires_at < now())
           OR (NOT v_takeover AND d.status = 'PENDING' AND d.next_attempt_at <= now() AND NOT EXISTS (SELECT 1 FROM notify.enterprise e WHERE e.id = d.enterprise_id AND e.deactivated))
        ORDER BY d.next_attempt_at, d.id
        LIMIT CASE WHEN v_takeover THEN NULL ELSE p_batch END
        FOR UPDATE SKIP LOCKED
    ), claimed AS (
        UPDATE notify.ent_notification_delivery d
        SET status = 'PROCESSING',
            lease_owner = p_worker,
            lease_expires_at = now() + make_interval(secs => p_lease_seconds),
            claim_id = v_claim,
            attempts = d.attempts + 1,
            updated_at = now()
        FROM due
        WHERE d.id = due.id
        RETURNING d.*
    ), started AS (
        UPDATE notify.ent_notification n
        SET notification_status = 'PROCESSING', updated_at = now()
        WHERE n.id IN (SELECT c.notification_id FROM claimed c) AND n.notification_status = 'PENDING'
        RETURNING n.id
    )
    SELECT c.id, c.enterprise_id, c.notification_id, c.subscriber_id, c.recipient, c.transaction_id, c.attempts,
           n.workflow_key, n.payload, n.overrides, n.channels, n.tags, n.trace_parent
    FROM claimed c
    JOIN notify.ent_notification n ON n.id = c.notification_id
    ORDER BY c.id;
END
$function$;
REVOKE ALL ON FUNCTION notify.claim_deliveries(text,integer,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.claim_deliveries(text,integer,integer) TO xnovu_dispatcher;

CREATE OR REPLACE FUNCTION notify.claim_deliveries(p_worker text, p_batch integer, p_lease_seconds integer, p_max_unfinished_claims integer)
 RETURNS TABLE(delivery_id bigint, enterprise_id uuid, notification_id bigint, subscriber_id text, recipient jsonb, transaction_id text, attempts integer, workflow_key text, payload jsonb, overrides jsonb, channels notify.notification_channel_type[], tags text[], trace_parent text, rendering jsonb)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
 SET plan_cache_mode TO 'force_custom_plan'
 SET enable_seqscan TO 'off'
 SET enable_bitmapscan TO 'off'
AS $function$
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
    v_floor bigint;
    v_held uuid[];
    v_ceiling bigint := notify.history_id_floor(now() + interval '1 hour');
BEGIN
    v_floor := notify.claim_floor();

    SELECT d.claim_id INTO v_claim
    FROM notify.ent_notification_delivery d
    WHERE d.status = 'PROCESSING' AND d.lease_expires_at < now() AND d.id >= v_floor AND d.id < v_ceiling
    ORDER BY d.lease_expires_at
    LIMIT 1
    FOR UPDATE SKIP LOCKED;

    IF v_claim IS NOT NULL THEN
        v_takeover := true;
        SELECT count(*), max(d.unfinished_claims), min(d.id) INTO v_members, v_unfinished, v_only
        FROM notify.ent_notification_delivery d
        WHERE d.claim_id = v_claim AND d.status = 'PROCESSING' AND d.lease_expires_at < now() AND d.id >= v_floor AND d.id < v_ceiling;
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
            WHERE d.claim_id = v_claim AND d.status = 'PROCESSING' AND d.lease_expires_at < now() AND d.id >= v_floor AND d.id < v_ceiling
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
    v_held := ARRAY(SELECT e.id FROM notify.enterprise e WHERE e.deactivated);
    WITH taken_over AS (
        SELECT d.id
        FROM notify.ent_notification_delivery d
        WHERE v_takeover AND d.claim_id = v_claim AND d.status = 'PROCESSING' AND d.lease_expires_at < now()
          AND d.id >= v_floor AND d.id < v_ceiling AND (v_only IS NULL OR d.id = v_only)
        FOR UPDATE SKIP LOCKED
    ), due AS (
        SELECT d.id
        FROM notify.ent_notification_delivery d
        WHERE NOT v_takeover AND d.status = 'PENDING' AND d.next_attempt_at <= now() AND d.id >= v_floor AND d.id < v_ceiling
          AND d.enterprise_id <> ALL (v_held)
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
$function$;
REVOKE ALL ON FUNCTION notify.claim_deliveries(text,integer,integer,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.claim_deliveries(text,integer,integer,integer) TO xnovu_dispatcher;
