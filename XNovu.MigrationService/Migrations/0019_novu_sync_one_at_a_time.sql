-- One sync of a workflow at a time. A write to a workflow makes its sync row due at once, even while another
-- replica is still pushing the previous generation to Novu; the two pushes then raced, and the older one could
-- land last (a workflow published and then deactivated again in Novu, seen as trigger_not_active). A claim now
-- holds the row until its outcome is recorded or its lease ends; a generation that moved meanwhile is made due
-- again by record_novu_sync, so the newest definition is always pushed last.
ALTER TABLE notify.novu_workflow_sync ADD COLUMN claimed_until timestamptz;

CREATE OR REPLACE FUNCTION notify.claim_novu_syncs(p_limit integer, p_lease_seconds integer)
    RETURNS TABLE (enterprise_id uuid, workflow_key text, generation bigint, attempts integer)
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    WITH due AS (
        SELECT s.id FROM notify.novu_workflow_sync s
        WHERE s.status <> 'synced' AND s.next_attempt_at <= now()
          AND (s.claimed_until IS NULL OR s.claimed_until <= now())
        ORDER BY s.next_attempt_at
        LIMIT p_limit
        FOR UPDATE SKIP LOCKED)
    UPDATE notify.novu_workflow_sync s
    SET next_attempt_at = now() + make_interval(secs => p_lease_seconds),
        claimed_until = now() + make_interval(secs => p_lease_seconds),
        attempts = s.attempts + 1
    FROM due WHERE s.id = due.id
    RETURNING s.enterprise_id, s.workflow_key, s.generation, s.attempts
$$;

CREATE OR REPLACE FUNCTION notify.record_novu_sync(
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
        next_attempt_at = CASE WHEN s.generation <> p_generation THEN now()
                               WHEN p_succeeded THEN s.next_attempt_at ELSE p_retry_at END,
        claimed_until = NULL,
        updated_at = now()
    WHERE s.enterprise_id IS NOT DISTINCT FROM p_enterprise_id AND s.workflow_key = p_workflow_key
$$;
