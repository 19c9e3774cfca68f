-- xnovu:requires 0050_preference_novu_sync
-- Up to p_limit subscriber preferences due for Novu (XNovu.Dispatcher/Preferences), each leased for p_lease_seconds
-- (a replica that dies mid-way leaves it due again) and its attempt counted, with the choice as stored now (null:
-- none left, the subscriber was erased) and whether the key names one of the enterprise's own workflows (else a
-- static one, named in Novu without the enterprise). An enterprise being deleted is skipped.
-- History: 0050_preference_novu_sync. This file is the live definition.

CREATE OR REPLACE FUNCTION notify.claim_preference_syncs(p_limit integer, p_lease_seconds integer)
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
REVOKE ALL ON FUNCTION notify.claim_preference_syncs(integer, integer) FROM PUBLIC, xnovu_app;
GRANT EXECUTE ON FUNCTION notify.claim_preference_syncs(integer, integer) TO xnovu_dispatcher;
