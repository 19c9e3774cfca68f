-- The trigger API's own state: per-enterprise rate-limit overrides set by the admin, and the purge of
-- idempotency keys past their window (which must cross enterprises, so it is one narrow function).

-- An admin's override of XNovu:RateLimit:TriggersPerSecond for one enterprise. Kept here, not in Redis,
-- so that it survives a cache flush; the API caches it briefly per replica.
CREATE TABLE notify.enterprise_rate_limit (
    enterprise_id       uuid PRIMARY KEY REFERENCES notify.enterprise (id) ON DELETE CASCADE,
    triggers_per_second integer NOT NULL CHECK (triggers_per_second > 0),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE notify.enterprise_rate_limit ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify.enterprise_rate_limit FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notify.enterprise_rate_limit
    USING (enterprise_id = notify.current_enterprise_id())
    WITH CHECK (enterprise_id = notify.current_enterprise_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON notify.enterprise_rate_limit TO xnovu_app;

-- Deletes idempotency keys older than p_older_than_seconds across enterprises and answers how many.
-- A key past its window is also overwritten in place when reused, so this only bounds the table.
CREATE FUNCTION notify.purge_idempotency_keys(p_older_than_seconds double precision)
    RETURNS integer
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    WITH purged AS (
        DELETE FROM notify.idempotency_key
        WHERE created_at < now() - make_interval(secs => p_older_than_seconds)
        RETURNING 1)
    SELECT count(*)::integer FROM purged
$$;

REVOKE ALL ON FUNCTION notify.purge_idempotency_keys(double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.purge_idempotency_keys(double precision) TO xnovu_app;

-- The notifications API lists an enterprise's notifications newest first, by status or by workflow.
CREATE INDEX idx_notification_enterprise_status_created
    ON notify.ent_notification (enterprise_id, notification_status, created_at DESC, id DESC);
CREATE INDEX idx_notification_enterprise_workflow_created
    ON notify.ent_notification (enterprise_id, workflow_key, created_at DESC, id DESC);
