-- Delivery that nothing stops: poison deliveries end FAILED instead of circling through lease takeovers,
-- and every dispatcher replica says, through a heartbeat, that it runs and how many claim loops it runs.

-- How many claims of this delivery expired without a completion (its replica crashed, or hung, while holding
-- it). Counted when the lease is taken over; at the limit the delivery is FAILED as poison.
ALTER TABLE notify.ent_notification_delivery ADD COLUMN unfinished_claims integer NOT NULL DEFAULT 0;

-- The claim, with a poison limit. As in 0005, an expired claim is taken over whole, so that a bulk call is
-- re-sent identical (same members, same Idempotency-Key). Two additions:
-- * each taken-over delivery counts one unfinished claim; one that reaches p_max_unfinished_claims is FAILED
--   at once with that reason (and its notification follows), never sent again;
-- * a claim that has already been taken over once and expired again is split: its members are taken over
--   one at a time, so the one delivery that kills its replica is isolated and the others are sent. Only claims
--   smaller than Novu's bulk size (100) are split: the dispatcher sent those as single triggers, each keyed by
--   its own transaction id, so a member re-sent alone is still replayed by Novu rather than sent twice.
CREATE FUNCTION notify.claim_deliveries(p_worker text, p_batch integer, p_lease_seconds integer, p_max_unfinished_claims integer)
    RETURNS TABLE (
        delivery_id bigint, enterprise_id uuid, notification_id bigint, subscriber_id text, recipient jsonb,
        transaction_id text, attempts integer, workflow_key text, payload jsonb, overrides jsonb,
        channels notify.notification_channel_type[], tags text[], trace_parent text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
DECLARE
    v_claim uuid;
    v_new_claim uuid := gen_random_uuid();
    v_takeover boolean := false;
    v_members integer;
    v_unfinished integer;
    v_only bigint;
    v_poisoned bigint[];
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

    RETURN QUERY
    WITH due AS (
        SELECT d.id
        FROM notify.ent_notification_delivery d
        WHERE (v_takeover AND d.claim_id = v_claim AND d.status = 'PROCESSING' AND d.lease_expires_at < now()
               AND (v_only IS NULL OR d.id = v_only))
           OR (NOT v_takeover AND d.status = 'PENDING' AND d.next_attempt_at <= now())
        ORDER BY d.next_attempt_at, d.id
        LIMIT CASE WHEN v_takeover THEN NULL ELSE p_batch END
        FOR UPDATE SKIP LOCKED
    ), claimed AS (
        UPDATE notify.ent_notification_delivery d
        SET status = 'PROCESSING',
            lease_owner = p_worker,
            lease_expires_at = now() + make_interval(secs => p_lease_seconds),
            claim_id = v_new_claim,
            attempts = d.attempts + 1,
            unfinished_claims = d.unfinished_claims + CASE WHEN v_takeover THEN 1 ELSE 0 END,
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
$$;

-- The running dispatchers, one row per replica, refreshed by a heartbeat. Not tenant data: only the
-- SECURITY DEFINER functions below read or write it.
CREATE TABLE notify.dispatcher_instance (
    worker_id           text PRIMARY KEY,
    started_at          timestamptz NOT NULL,
    heartbeat_at        timestamptz NOT NULL,
    -- The replica counts as live until then; it sets it from its own heartbeat interval.
    expires_at          timestamptz NOT NULL,
    loops_configured    integer NOT NULL,
    loops_running       integer NOT NULL
);

-- A replica's heartbeat; also forgets replicas silent for a day.
CREATE FUNCTION notify.dispatcher_heartbeat(p_worker text, p_ttl_seconds integer, p_loops_configured integer, p_loops_running integer)
    RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, notify
AS $$
    DELETE FROM notify.dispatcher_instance WHERE expires_at < now() - interval '1 day';
    INSERT INTO notify.dispatcher_instance (worker_id, started_at, heartbeat_at, expires_at, loops_configured, loops_running)
    VALUES (p_worker, now(), now(), now() + make_interval(secs => p_ttl_seconds), p_loops_configured, p_loops_running)
    ON CONFLICT (worker_id) DO UPDATE
        SET heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at,
            loops_configured = excluded.loops_configured, loops_running = excluded.loops_running;
$$;

-- A replica that stops cleanly says so, rather than counting as live until its heartbeat expires.
CREATE FUNCTION notify.dispatcher_stopped(p_worker text)
    RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, notify
AS $$
    DELETE FROM notify.dispatcher_instance WHERE worker_id = p_worker;
$$;

-- What /api/health needs to say whether anything is being delivered: live replicas, their loops, and how
-- long the oldest due delivery has waited (a due PENDING one, or one whose lease expired unfinished).
CREATE FUNCTION notify.dispatcher_status()
    RETURNS TABLE (live_replicas integer, loops_configured integer, loops_running integer, oldest_due_age_seconds double precision)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    SELECT (SELECT count(*)::integer FROM notify.dispatcher_instance WHERE expires_at > now()),
           (SELECT coalesce(sum(i.loops_configured), 0)::integer FROM notify.dispatcher_instance i WHERE i.expires_at > now()),
           (SELECT coalesce(sum(i.loops_running), 0)::integer FROM notify.dispatcher_instance i WHERE i.expires_at > now()),
           coalesce(extract(epoch FROM now() - least(
               (SELECT min(d.next_attempt_at) FROM notify.ent_notification_delivery d WHERE d.status = 'PENDING' AND d.next_attempt_at <= now()),
               (SELECT min(d.lease_expires_at) FROM notify.ent_notification_delivery d WHERE d.status = 'PROCESSING' AND d.lease_expires_at <= now()))), 0)::double precision
$$;

REVOKE ALL ON FUNCTION notify.claim_deliveries(text, integer, integer, integer), notify.dispatcher_heartbeat(text, integer, integer, integer),
    notify.dispatcher_stopped(text), notify.dispatcher_status() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.claim_deliveries(text, integer, integer, integer), notify.dispatcher_heartbeat(text, integer, integer, integer),
    notify.dispatcher_stopped(text), notify.dispatcher_status() TO xnovu_app;
