-- Subscriber preferences reach Novu (issue 29): each choice written through XNovu is queued here, in the transaction
-- that writes it, and the dispatchers push it to the enterprise's Novu environment (its own, or the shared one) with
-- backoff until Novu accepts, so Novu's Inbox shows the same choices. One row per subscriber and workflow key ('' the
-- global preference): a second change before the push only makes the row due again, and the push reads the stored
-- choice at claim time, so the latest always wins. A subscriber erased meanwhile has no choice left: its row is done.

CREATE TABLE notify.preference_novu_sync (
    enterprise_id    uuid NOT NULL,
    subscriber_id    text NOT NULL,
    workflow_key     text NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    queued_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (enterprise_id, subscriber_id, workflow_key)
);
CREATE INDEX ix_preference_novu_sync_due ON notify.preference_novu_sync (next_attempt_at);

ALTER TABLE notify.preference_novu_sync ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify.preference_novu_sync FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notify.preference_novu_sync
    USING (enterprise_id = notify.current_enterprise_id())
    WITH CHECK (enterprise_id = notify.current_enterprise_id());
-- The API queues in the enterprise's scope (an upsert); the dispatcher works the queue through the functions below.
GRANT SELECT, INSERT, UPDATE ON notify.preference_novu_sync TO xnovu_api;

-- Live definitions: Functions/claim_preference_syncs.sql and Functions/finish_preference_sync.sql.
CREATE FUNCTION notify.claim_preference_syncs(p_limit integer, p_lease_seconds integer)
    RETURNS TABLE (enterprise_id uuid, subscriber_id text, workflow_key text, channels text, own_workflow boolean, attempts integer)
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    WITH claimed AS (
        UPDATE notify.preference_novu_sync s
        SET attempts = s.attempts + 1, next_attempt_at = now() + make_interval(secs => p_lease_seconds)
        WHERE (s.enterprise_id, s.subscriber_id, s.workflow_key) IN (
            SELECT q.enterprise_id, q.subscriber_id, q.workflow_key FROM notify.preference_novu_sync q
            WHERE q.next_attempt_at <= now()
              AND NOT EXISTS (SELECT 1 FROM notify.enterprise e WHERE e.id = q.enterprise_id AND e.deleted_at IS NOT NULL)
            ORDER BY q.next_attempt_at
            LIMIT p_limit
            FOR UPDATE SKIP LOCKED)
        RETURNING s.enterprise_id, s.subscriber_id, s.workflow_key, s.attempts)
    SELECT c.enterprise_id, c.subscriber_id, c.workflow_key, p.channels::text,
           EXISTS (SELECT 1 FROM notify.ent_notification_workflow w
                   WHERE w.enterprise_id = c.enterprise_id AND w.workflow_key = c.workflow_key),
           c.attempts
    FROM claimed c
    LEFT JOIN notify.subscriber_preference p
        ON p.enterprise_id = c.enterprise_id AND p.subscriber_id = c.subscriber_id AND p.workflow_key = c.workflow_key
$$;

CREATE FUNCTION notify.finish_preference_sync(
    p_enterprise_id uuid, p_subscriber_id text, p_workflow_key text, p_attempts integer, p_error text, p_retry_at timestamptz)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
BEGIN
    IF p_error IS NULL THEN
        DELETE FROM notify.preference_novu_sync
        WHERE enterprise_id = p_enterprise_id AND subscriber_id = p_subscriber_id AND workflow_key = p_workflow_key
          AND attempts = p_attempts;
    ELSE
        UPDATE notify.preference_novu_sync SET last_error = p_error, next_attempt_at = p_retry_at
        WHERE enterprise_id = p_enterprise_id AND subscriber_id = p_subscriber_id AND workflow_key = p_workflow_key
          AND attempts = p_attempts;
    END IF;
END
$$;

REVOKE ALL ON FUNCTION notify.claim_preference_syncs(integer, integer) FROM PUBLIC, xnovu_app;
GRANT EXECUTE ON FUNCTION notify.claim_preference_syncs(integer, integer) TO xnovu_dispatcher;
REVOKE ALL ON FUNCTION notify.finish_preference_sync(uuid, text, text, integer, text, timestamptz) FROM PUBLIC, xnovu_app;
GRANT EXECUTE ON FUNCTION notify.finish_preference_sync(uuid, text, text, integer, text, timestamptz) TO xnovu_dispatcher;
