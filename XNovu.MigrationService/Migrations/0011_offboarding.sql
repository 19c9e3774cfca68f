-- Offboarding a tenant (issue 11): the admin renames, deactivates, reactivates and deletes enterprises.
-- While an enterprise is deactivated its keys are refused (in the API), its timed rules are not scheduled and
-- its pending deliveries are held: the claim skips them, so they are neither sent nor failed, and they go out
-- once it is reactivated. Deleting marks the enterprise and a background job removes its rows in short batches.
-- Also the admin's per-enterprise floor for CRON rules (sub-minute schedules only where allowed).

ALTER TABLE notify.enterprise
    ADD COLUMN deleted_at timestamptz,
    -- Null: the deployment's XNovu:RuleLimits:MinimumCronInterval applies.
    ADD COLUMN min_cron_interval_seconds integer CHECK (min_cron_interval_seconds >= 1);

-- The claim (0005, and any later version: dispatch reliability adds an overload) holds the deliveries of
-- deactivated enterprises. Each version's due-delivery condition is extended in place rather than the function
-- copied here, so this hold survives whichever version is current; a version without that condition stops
-- this migration loudly instead of being left unpatched. A taken-over claim (a crashed replica's, possibly
-- already accepted by Novu) is still re-sent whole, so its Idempotency-Key replays.
-- (Plain quotes, not named dollar quotes, which DbUp would read as its own variables.)
DO $$
DECLARE
    v_function regprocedure;
    v_definition text;
    v_due constant text := 'd.status = ''PENDING'' AND d.next_attempt_at <= now()';
    v_held constant text := ' AND NOT EXISTS (SELECT 1 FROM notify.enterprise e WHERE e.id = d.enterprise_id AND e.deactivated)';
BEGIN
    FOR v_function IN
        SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'notify' AND p.proname = 'claim_deliveries'
    LOOP
        v_definition := pg_get_functiondef(v_function);
        IF position(v_due IN v_definition) = 0 THEN
            RAISE EXCEPTION '% has no due-delivery condition to hold deactivated enterprises in', v_function;
        END IF;
        -- CREATE OR REPLACE keeps the owner and the grants.
        EXECUTE replace(v_definition, v_due, v_due || v_held);
    END LOOP;
END
$$;

-- A deactivated enterprise's deliveries are not due: an idle dispatcher must not wake for them in a loop.
CREATE OR REPLACE FUNCTION notify.next_delivery_due()
    RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    SELECT min(t) FROM (
        SELECT min(d.next_attempt_at) AS t FROM notify.ent_notification_delivery d
        WHERE d.status = 'PENDING'
          AND NOT EXISTS (SELECT 1 FROM notify.enterprise e WHERE e.id = d.enterprise_id AND e.deactivated)
        UNION ALL
        SELECT min(lease_expires_at) FROM notify.ent_notification_delivery WHERE status = 'PROCESSING'
    ) s
$$;

-- A deactivated enterprise's timed rules pause: the engines do not plan them (and are woken to reload).
CREATE OR REPLACE FUNCTION notify.schedulable_rules()
    RETURNS TABLE (rule_id bigint, enterprise_id uuid, trigger_type text, trigger_config jsonb,
                   updated_at timestamptz, last_tick_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    SELECT r.id, r.enterprise_id, r.trigger_type::text, r.trigger_config, r.updated_at, s.last_tick_at
    FROM notify.ent_notification_rule r
    JOIN notify.enterprise e ON e.id = r.enterprise_id AND NOT e.deactivated
    LEFT JOIN notify.rule_state s ON s.rule_id = r.id
    WHERE r.trigger_type IN ('CRON', 'SCHEDULE')
      AND r.publish_status = 'PUBLISH'
      AND NOT r.deactivated
      AND coalesce((r.trigger_config ->> 'enabled')::boolean, true)
    ORDER BY r.id
$$;

-- Enterprises being deleted are gone for the admin already.
CREATE OR REPLACE FUNCTION notify.list_enterprises()
    RETURNS TABLE (id uuid, name text, description text, deactivated boolean, created_at timestamptz, updated_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    SELECT id, name, description, deactivated, created_at, updated_at FROM notify.enterprise
    WHERE deleted_at IS NULL
    ORDER BY created_at, id
$$;

-- The enterprises whose deletion is under way, oldest first, for the purge job.
CREATE FUNCTION notify.enterprises_being_deleted()
    RETURNS TABLE (id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    SELECT id FROM notify.enterprise WHERE deleted_at IS NOT NULL ORDER BY deleted_at, id
$$;

-- Deletes one batch (at most p_batch rows of one table) of an enterprise being deleted, children before
-- parents, and answers how many rows went; when none is left, the enterprise row itself, answering 0. Each call
-- is one short statement under SKIP LOCKED, so it never waits on, nor holds up, another tenant's work. Tables
-- added later with an enterprise_id are emptied first (they can only be children); -1 means the rows left are
-- locked right now: call again later.
CREATE FUNCTION notify.purge_enterprise(p_enterprise uuid, p_batch integer)
    RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
DECLARE
    v_parents_last text[] := ARRAY[
        'ent_notification_delivery', 'idempotency_key', 'rule_tick', 'rule_state', 'ent_notification',
        'ent_notification_rule', 'ent_notification_workflow', 'ent_notification_template',
        'typ_notification_priority', 'typ_notification_category', 'enterprise_rate_limit', 'enterprise_api_key'];
    v_table text;
    v_deleted integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM notify.enterprise WHERE id = p_enterprise AND deleted_at IS NOT NULL) THEN
        RETURN 0;
    END IF;

    FOR v_table IN
        SELECT c.relname::text
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'notify'
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'enterprise_id' AND NOT a.attisdropped
        WHERE c.relkind IN ('r', 'p') AND c.relname <> 'enterprise' AND NOT c.relispartition
        ORDER BY coalesce(array_position(v_parents_last, c.relname::text), 0), c.relname
    LOOP
        EXECUTE format(
            'DELETE FROM notify.%I WHERE ctid = ANY (ARRAY('
            'SELECT ctid FROM notify.%I WHERE enterprise_id = $1 LIMIT $2 FOR UPDATE SKIP LOCKED))',
            v_table, v_table)
        USING p_enterprise, p_batch;
        GET DIAGNOSTICS v_deleted = ROW_COUNT;
        IF v_deleted > 0 THEN
            RETURN v_deleted;
        END IF;
    END LOOP;

    BEGIN
        DELETE FROM notify.enterprise WHERE id = p_enterprise;
    EXCEPTION WHEN foreign_key_violation THEN
        RETURN -1;
    END;
    RETURN 0;
END
$$;

REVOKE ALL ON FUNCTION notify.enterprises_being_deleted(), notify.purge_enterprise(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.enterprises_being_deleted(), notify.purge_enterprise(uuid, integer) TO xnovu_app;

-- Deactivating or reactivating wakes every rule engine (to drop or resume the enterprise's timed rules) and
-- every dispatcher (held deliveries are due again at once), whoever changed the row.
CREATE FUNCTION notify.notify_enterprise_state_changed() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('xnovu_rules', NEW.id::text);
    IF NOT NEW.deactivated THEN
        PERFORM pg_notify('xnovu_dispatch', '');
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_enterprise_state_changed
    AFTER UPDATE OF deactivated ON notify.enterprise
    FOR EACH ROW WHEN (OLD.deactivated IS DISTINCT FROM NEW.deactivated)
    EXECUTE FUNCTION notify.notify_enterprise_state_changed();
