-- Claims up to p_limit due syncs for p_lease_seconds: a crashed replica's claim comes due again.
-- (reasons first written in 0014_novu_workflow_sync)
-- History: 0014_novu_workflow_sync, 0019_novu_sync_one_at_a_time. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.claim_novu_syncs(p_limit integer, p_lease_seconds integer)
 RETURNS TABLE(enterprise_id uuid, workflow_key text, generation bigint, attempts integer)
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
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
$function$;
REVOKE ALL ON FUNCTION notify.claim_novu_syncs(integer,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.claim_novu_syncs(integer,integer) TO xnovu_app;
