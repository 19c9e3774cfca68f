-- Novu workflow sync: XNovu owns the Novu side of every workflow it delivers. One row per workflow kept in
-- the shared Novu environment: an enterprise's own workflow, or (enterprise_id NULL) a static workflow,
-- which every enterprise shares under one identifier. A write to a workflow marks its row PENDING and
-- NOTIFYs xnovu_novu_sync in the writer's transaction, so the write never waits for Novu; the dispatcher
-- performs the sync, retries with backoff, and reconciles everything periodically.

CREATE TABLE notify.novu_workflow_sync (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id    uuid REFERENCES notify.enterprise (id),
    workflow_key     text NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'synced', 'failed')),
    novu_workflow_id text,
    -- Bumped by every write to the workflow: a sync that read an older generation does not record success.
    generation       bigint NOT NULL DEFAULT 1,
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    synced_at        timestamptz,
    error            text,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (enterprise_id, workflow_key)
);
CREATE INDEX ix_novu_workflow_sync_due ON notify.novu_workflow_sync (next_attempt_at) WHERE status <> 'synced';

-- An enterprise reads its own rows and the static ones; only the functions below write.
ALTER TABLE notify.novu_workflow_sync ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify.novu_workflow_sync FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON notify.novu_workflow_sync FOR SELECT
    USING (enterprise_id IS NULL OR enterprise_id = notify.current_enterprise_id());
GRANT SELECT ON notify.novu_workflow_sync TO xnovu_app;

-- One row: when the last reconciliation started, so one replica reconciles per period.
CREATE TABLE notify.novu_reconcile_state (
    id                 boolean PRIMARY KEY DEFAULT true CHECK (id),
    last_reconciled_at timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO notify.novu_reconcile_state DEFAULT VALUES;

CREATE FUNCTION notify.mark_novu_sync_pending() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
BEGIN
    INSERT INTO notify.novu_workflow_sync AS s (enterprise_id, workflow_key)
    VALUES (NEW.enterprise_id, NEW.workflow_key)
    ON CONFLICT (enterprise_id, workflow_key) DO UPDATE
        SET status = CASE WHEN s.status = 'synced' THEN 'pending' ELSE s.status END,
            generation = s.generation + 1, attempts = 0, next_attempt_at = now(), updated_at = now();
    PERFORM pg_notify('xnovu_novu_sync', NEW.enterprise_id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_workflow_novu_sync
    AFTER INSERT OR UPDATE ON notify.ent_notification_workflow
    FOR EACH ROW EXECUTE FUNCTION notify.mark_novu_sync_pending();

-- Workflows written before this migration get their rows now; the reconciler syncs them at start.
INSERT INTO notify.novu_workflow_sync (enterprise_id, workflow_key)
SELECT enterprise_id, workflow_key FROM notify.ent_notification_workflow
ON CONFLICT DO NOTHING;

-- The static workflows the dispatcher ships: it registers them at start (they have no table of their own).
CREATE FUNCTION notify.register_static_novu_workflows(p_keys text[])
    RETURNS integer
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    WITH inserted AS (
        INSERT INTO notify.novu_workflow_sync (enterprise_id, workflow_key)
        SELECT NULL, k FROM unnest(p_keys) AS k
        ON CONFLICT DO NOTHING
        RETURNING 1)
    SELECT count(*)::integer FROM inserted
$$;

-- Claims up to p_limit due syncs for p_lease_seconds: a crashed replica's claim comes due again.
CREATE FUNCTION notify.claim_novu_syncs(p_limit integer, p_lease_seconds integer)
    RETURNS TABLE (enterprise_id uuid, workflow_key text, generation bigint, attempts integer)
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    WITH due AS (
        SELECT s.id FROM notify.novu_workflow_sync s
        WHERE s.status <> 'synced' AND s.next_attempt_at <= now()
        ORDER BY s.next_attempt_at
        LIMIT p_limit
        FOR UPDATE SKIP LOCKED)
    UPDATE notify.novu_workflow_sync s
    SET next_attempt_at = now() + make_interval(secs => p_lease_seconds), attempts = s.attempts + 1
    FROM due WHERE s.id = due.id
    RETURNING s.enterprise_id, s.workflow_key, s.generation, s.attempts
$$;

-- Records one sync's outcome. Success counts only for the generation the sync read; a failure keeps the
-- row due again at p_retry_at.
CREATE FUNCTION notify.record_novu_sync(
    p_enterprise_id uuid, p_workflow_key text, p_generation bigint, p_succeeded boolean,
    p_novu_workflow_id text, p_error text, p_retry_at timestamptz)
    RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    UPDATE notify.novu_workflow_sync s
    SET status = CASE WHEN p_succeeded AND s.generation = p_generation THEN 'synced'
                      WHEN p_succeeded THEN 'pending' ELSE 'failed' END,
        novu_workflow_id = coalesce(p_novu_workflow_id, s.novu_workflow_id),
        synced_at = CASE WHEN p_succeeded THEN now() ELSE s.synced_at END,
        error = CASE WHEN p_succeeded THEN NULL ELSE p_error END,
        attempts = CASE WHEN p_succeeded THEN 0 ELSE s.attempts END,
        next_attempt_at = CASE WHEN p_succeeded AND s.generation <> p_generation THEN now()
                               WHEN p_succeeded THEN s.next_attempt_at ELSE p_retry_at END,
        updated_at = now()
    WHERE s.enterprise_id IS NOT DISTINCT FROM p_enterprise_id AND s.workflow_key = p_workflow_key
$$;

-- The reconciler's turn: true for one caller per period.
CREATE FUNCTION notify.begin_novu_reconcile(p_period_seconds double precision)
    RETURNS boolean
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    WITH turn AS (
        UPDATE notify.novu_reconcile_state SET last_reconciled_at = now()
        WHERE last_reconciled_at <= now() - make_interval(secs => p_period_seconds * 0.9)
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM turn)
$$;

-- Every synced workflow, for the reconciler: keys only.
CREATE FUNCTION notify.synced_novu_workflows()
    RETURNS TABLE (enterprise_id uuid, workflow_key text, generation bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    SELECT s.enterprise_id, s.workflow_key, s.generation FROM notify.novu_workflow_sync s
    WHERE s.status = 'synced' ORDER BY s.id
$$;

-- The admin's "sync everything now": every row due at once.
CREATE FUNCTION notify.request_novu_sync_all()
    RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
DECLARE
    v_count integer;
BEGIN
    UPDATE notify.novu_workflow_sync
    SET status = CASE WHEN status = 'synced' THEN 'pending' ELSE status END,
        generation = generation + 1, attempts = 0, next_attempt_at = now(), updated_at = now();
    GET DIAGNOSTICS v_count = ROW_COUNT;
    PERFORM pg_notify('xnovu_novu_sync', '');
    RETURN v_count;
END
$$;

REVOKE ALL ON FUNCTION notify.mark_novu_sync_pending(), notify.register_static_novu_workflows(text[]),
    notify.claim_novu_syncs(integer, integer),
    notify.record_novu_sync(uuid, text, bigint, boolean, text, text, timestamptz),
    notify.begin_novu_reconcile(double precision), notify.synced_novu_workflows(),
    notify.request_novu_sync_all() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.register_static_novu_workflows(text[]), notify.claim_novu_syncs(integer, integer),
    notify.record_novu_sync(uuid, text, bigint, boolean, text, text, timestamptz),
    notify.begin_novu_reconcile(double precision), notify.synced_novu_workflows(),
    notify.request_novu_sync_all() TO xnovu_app;
