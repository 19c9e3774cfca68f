-- The rule engine: CRON and SCHEDULE rules fired by the dispatchers, EVENT rules fired by the API, and the
-- retention of old notifications.
--
-- Exactly once: every replica computes the same ticks and calls notify.fire_rule_tick for each; the primary
-- key of rule_tick lets one of them in and turns the others into no-ops, in the same transaction that inserts
-- the notification. The transaction id 'rule-{ruleId}-{tickUnixSeconds}' is unique per enterprise too, so the
-- notification cannot be doubled even if a tick's row were gone.

-- One row per fired tick: the key that makes a tick fire once.
CREATE TABLE notify.rule_tick (
    rule_id          bigint NOT NULL REFERENCES notify.ent_notification_rule (id) ON DELETE CASCADE,
    tick_at          timestamptz NOT NULL,
    enterprise_id    uuid NOT NULL REFERENCES notify.enterprise (id),
    -- No foreign key: retention deletes old notifications, and their ticks stay fired.
    notification_id  bigint,
    fired_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (rule_id, tick_at)
);
CREATE INDEX ix_rule_tick_tick_at ON notify.rule_tick (tick_at);

-- Per rule, what the engine did last. last_tick_at is the watermark that catch-up starts from.
CREATE TABLE notify.rule_state (
    rule_id              bigint PRIMARY KEY REFERENCES notify.ent_notification_rule (id) ON DELETE CASCADE,
    enterprise_id        uuid NOT NULL REFERENCES notify.enterprise (id),
    last_tick_at         timestamptz,
    last_run_at          timestamptz,
    -- fired | skipped
    last_outcome         text,
    last_notification_id bigint,
    last_transaction_id  text,
    fired_count          bigint NOT NULL DEFAULT 0
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['rule_tick', 'rule_state']
    LOOP
        EXECUTE format('ALTER TABLE notify.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE notify.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON notify.%I USING (enterprise_id = notify.current_enterprise_id()) '
            'WITH CHECK (enterprise_id = notify.current_enterprise_id())', t);
        -- Read-only for the services: only the functions below write them.
        EXECUTE format('GRANT SELECT ON notify.%I TO xnovu_app', t);
    END LOOP;
END
$$;

-- The running rule engines, one row per dispatcher replica, refreshed by a heartbeat. Not tenant data:
-- reached only through the functions below.
CREATE TABLE notify.rule_engine_instance (
    worker_id       text PRIMARY KEY,
    started_at      timestamptz NOT NULL,
    heartbeat_at    timestamptz NOT NULL,
    -- The instance counts as running until then; it sets it from its own heartbeat interval.
    expires_at      timestamptz NOT NULL,
    last_reload_at  timestamptz,
    rules_scheduled integer NOT NULL DEFAULT 0
);

-- Any change to a rule wakes the engines, which reload within milliseconds.
CREATE FUNCTION notify.notify_rule_changed() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('xnovu_rules', coalesce(NEW.enterprise_id, OLD.enterprise_id)::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_rule_changed
    AFTER INSERT OR UPDATE OR DELETE ON notify.ent_notification_rule
    FOR EACH ROW EXECUTE FUNCTION notify.notify_rule_changed();

-- The timed rules that may fire now, across enterprises: only what scheduling needs, no payloads.
CREATE FUNCTION notify.schedulable_rules()
    RETURNS TABLE (rule_id bigint, enterprise_id uuid, trigger_type text, trigger_config jsonb,
                   updated_at timestamptz, last_tick_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    SELECT r.id, r.enterprise_id, r.trigger_type::text, r.trigger_config, r.updated_at, s.last_tick_at
    FROM notify.ent_notification_rule r
    LEFT JOIN notify.rule_state s ON s.rule_id = r.id
    WHERE r.trigger_type IN ('CRON', 'SCHEDULE')
      AND r.publish_status = 'PUBLISH'
      AND NOT r.deactivated
      AND coalesce((r.trigger_config ->> 'enabled')::boolean, true)
    ORDER BY r.id
$$;

-- Fires one tick of one rule, once. p_rule_updated_at is the version of the rule the caller planned with:
-- a caller that has not seen the rule's latest change is told 'stale' and fires nothing.
-- Outcomes: fired (this call created the notification), duplicate (another call did), paused (the rule is
-- no longer published, active and enabled), stale.
CREATE FUNCTION notify.fire_rule_tick(p_rule_id bigint, p_tick_at timestamptz, p_rule_updated_at timestamptz)
    RETURNS TABLE (outcome text, notification_id bigint, transaction_id text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
#variable_conflict use_column
DECLARE
    v_rule record;
    v_transaction text := 'rule-' || p_rule_id || '-' || floor(extract(epoch FROM p_tick_at))::bigint;
    v_notification bigint;
BEGIN
    -- FOR SHARE: a concurrent deactivation waits for this tick, or this tick sees it.
    SELECT r.enterprise_id, r.updated_at, r.rule_payload, w.id AS workflow_id, w.workflow_key, w.version,
           w.notification_category_id,
           r.trigger_type IN ('CRON', 'SCHEDULE') AND r.publish_status = 'PUBLISH' AND NOT r.deactivated
               AND coalesce((r.trigger_config ->> 'enabled')::boolean, true) AS fireable
    INTO v_rule
    FROM notify.ent_notification_rule r
    JOIN notify.ent_notification_workflow w ON w.id = r.notification_workflow_id
    WHERE r.id = p_rule_id
    FOR SHARE OF r;

    IF NOT FOUND OR NOT v_rule.fireable THEN
        RETURN QUERY SELECT 'paused'::text, NULL::bigint, NULL::text;
        RETURN;
    END IF;

    IF v_rule.updated_at <> p_rule_updated_at THEN
        RETURN QUERY SELECT 'stale'::text, NULL::bigint, NULL::text;
        RETURN;
    END IF;

    INSERT INTO notify.rule_tick (rule_id, tick_at, enterprise_id)
    VALUES (p_rule_id, p_tick_at, v_rule.enterprise_id)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'duplicate'::text, t.notification_id, v_transaction
                     FROM notify.rule_tick t WHERE t.rule_id = p_rule_id AND t.tick_at = p_tick_at;
        RETURN;
    END IF;

    -- The deliveries follow from the insert trigger of 0005, which also wakes the dispatchers.
    INSERT INTO notify.ent_notification
        (enterprise_id, workflow_key, notification_workflow_id, workflow_version, notification_rule_id,
         notification_status, payload, recipients, overrides, transaction_id, notification_category_id)
    VALUES (v_rule.enterprise_id, v_rule.workflow_key, v_rule.workflow_id, v_rule.version, p_rule_id,
            'PENDING',
            CASE WHEN jsonb_typeof(v_rule.rule_payload -> 'payload') = 'object' THEN v_rule.rule_payload -> 'payload' ELSE '{}' END,
            CASE WHEN jsonb_typeof(v_rule.rule_payload -> 'recipients') = 'array' THEN v_rule.rule_payload -> 'recipients' ELSE '[]' END,
            CASE WHEN jsonb_typeof(v_rule.rule_payload -> 'overrides') = 'object' THEN v_rule.rule_payload -> 'overrides' END,
            v_transaction, v_rule.notification_category_id)
    ON CONFLICT (enterprise_id, transaction_id) WHERE transaction_id IS NOT NULL DO NOTHING
    RETURNING id INTO v_notification;

    UPDATE notify.rule_tick t SET notification_id = v_notification
    WHERE t.rule_id = p_rule_id AND t.tick_at = p_tick_at;

    INSERT INTO notify.rule_state AS s
        (rule_id, enterprise_id, last_tick_at, last_run_at, last_outcome, last_notification_id, last_transaction_id, fired_count)
    VALUES (p_rule_id, v_rule.enterprise_id, p_tick_at, now(), 'fired', v_notification, v_transaction, 1)
    ON CONFLICT (rule_id) DO UPDATE
        SET last_tick_at = greatest(s.last_tick_at, excluded.last_tick_at),
            last_run_at = excluded.last_run_at,
            last_outcome = excluded.last_outcome,
            last_notification_id = excluded.last_notification_id,
            last_transaction_id = excluded.last_transaction_id,
            fired_count = s.fired_count + 1;

    RETURN QUERY SELECT 'fired'::text, v_notification, v_transaction;
END
$$;

-- Records that the ticks of a rule up to p_through were missed and skipped (misfire policy 'skip'), so
-- catch-up starts after them.
CREATE FUNCTION notify.skip_rule_ticks(p_rule_id bigint, p_through timestamptz)
    RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    INSERT INTO notify.rule_state AS s (rule_id, enterprise_id, last_tick_at, last_run_at, last_outcome)
    SELECT r.id, r.enterprise_id, p_through, now(), 'skipped'
    FROM notify.ent_notification_rule r WHERE r.id = p_rule_id
    ON CONFLICT (rule_id) DO UPDATE
        SET last_tick_at = greatest(s.last_tick_at, excluded.last_tick_at),
            last_run_at = excluded.last_run_at,
            last_outcome = excluded.last_outcome
        WHERE s.last_tick_at IS NULL OR s.last_tick_at < excluded.last_tick_at
$$;

-- A replica's heartbeat; also forgets replicas silent for a day.
CREATE FUNCTION notify.rule_engine_heartbeat(
    p_worker text, p_started_at timestamptz, p_last_reload_at timestamptz, p_rules_scheduled integer, p_ttl_seconds integer)
    RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    DELETE FROM notify.rule_engine_instance WHERE expires_at < now() - interval '1 day';
    INSERT INTO notify.rule_engine_instance AS i
        (worker_id, started_at, heartbeat_at, expires_at, last_reload_at, rules_scheduled)
    VALUES (p_worker, p_started_at, now(), now() + make_interval(secs => p_ttl_seconds), p_last_reload_at, p_rules_scheduled)
    ON CONFLICT (worker_id) DO UPDATE
        SET heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at,
            last_reload_at = excluded.last_reload_at, rules_scheduled = excluded.rules_scheduled;
$$;

-- A replica that stops cleanly says so, rather than counting as running until its heartbeat expires.
CREATE FUNCTION notify.rule_engine_stopped(p_worker text)
    RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    DELETE FROM notify.rule_engine_instance WHERE worker_id = p_worker
$$;

-- The live engines, for the status endpoint: times only, no counts of other enterprises' rules.
CREATE FUNCTION notify.rule_engine_instances()
    RETURNS TABLE (worker_id text, started_at timestamptz, heartbeat_at timestamptz, last_reload_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    SELECT worker_id, started_at, heartbeat_at, last_reload_at
    FROM notify.rule_engine_instance
    WHERE expires_at > now()
    ORDER BY worker_id
$$;

-- Retention: deletes up to p_batch finished notifications (SENT, FAILED, RETRACTED) created more than
-- p_older_than_seconds ago, and answers how many. Their deliveries go by cascade. SKIP LOCKED: a row the
-- dispatcher holds is left for the next batch, so retention never waits on dispatch nor dispatch on it.
-- Unfinished notifications are kept whatever their age: retention never drops work.
CREATE FUNCTION notify.purge_notifications(p_older_than_seconds double precision, p_batch integer)
    RETURNS integer
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    WITH victims AS (
        SELECT n.id
        FROM notify.ent_notification n
        WHERE n.created_at < now() - make_interval(secs => p_older_than_seconds)
          AND n.notification_status IN ('SENT', 'FAILED', 'RETRACTED')
        ORDER BY n.created_at
        LIMIT p_batch
        FOR UPDATE SKIP LOCKED
    ), purged AS (
        DELETE FROM notify.ent_notification n USING victims v WHERE n.id = v.id RETURNING 1
    )
    SELECT count(*)::integer FROM purged
$$;

-- Retention of the tick keys: each rule keeps its latest tick (the catch-up watermark lives in rule_state,
-- and catch-up never looks behind it, so older keys guard nothing).
CREATE FUNCTION notify.purge_rule_ticks(p_older_than_seconds double precision, p_batch integer)
    RETURNS integer
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    WITH victims AS (
        SELECT t.rule_id, t.tick_at
        FROM notify.rule_tick t
        JOIN notify.rule_state s ON s.rule_id = t.rule_id
        WHERE t.tick_at < now() - make_interval(secs => p_older_than_seconds)
          AND t.tick_at < s.last_tick_at
        ORDER BY t.tick_at
        LIMIT p_batch
        FOR UPDATE OF t SKIP LOCKED
    ), purged AS (
        DELETE FROM notify.rule_tick t USING victims v
        WHERE t.rule_id = v.rule_id AND t.tick_at = v.tick_at
        RETURNING 1
    )
    SELECT count(*)::integer FROM purged
$$;

REVOKE ALL ON FUNCTION notify.schedulable_rules(), notify.fire_rule_tick(bigint, timestamptz, timestamptz),
    notify.skip_rule_ticks(bigint, timestamptz),
    notify.rule_engine_heartbeat(text, timestamptz, timestamptz, integer, integer), notify.rule_engine_stopped(text),
    notify.rule_engine_instances(), notify.purge_notifications(double precision, integer),
    notify.purge_rule_ticks(double precision, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.schedulable_rules(), notify.fire_rule_tick(bigint, timestamptz, timestamptz),
    notify.skip_rule_ticks(bigint, timestamptz),
    notify.rule_engine_heartbeat(text, timestamptz, timestamptz, integer, integer), notify.rule_engine_stopped(text),
    notify.rule_engine_instances(), notify.purge_notifications(double precision, integer),
    notify.purge_rule_ticks(double precision, integer) TO xnovu_app;

-- EVENT rules are looked up by enterprise and event name on every POST /api/events.
CREATE INDEX ix_rule_event_name ON notify.ent_notification_rule (enterprise_id, (trigger_config ->> 'eventName'))
    WHERE trigger_type = 'EVENT' AND NOT deactivated;
-- Retention reads finished notifications oldest first.
CREATE INDEX ix_notification_retention ON notify.ent_notification (created_at)
    WHERE notification_status IN ('SENT', 'FAILED', 'RETRACTED');
