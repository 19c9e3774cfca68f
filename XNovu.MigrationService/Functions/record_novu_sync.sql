-- Records one sync's outcome. Success counts only for the generation the sync read; a failure keeps the
-- row due again at p_retry_at.
-- (reasons first written in 0014_novu_workflow_sync)
-- History: 0014_novu_workflow_sync, 0019_novu_sync_one_at_a_time. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.record_novu_sync(p_enterprise_id uuid, p_workflow_key text, p_generation bigint, p_succeeded boolean, p_novu_workflow_id text, p_error text, p_retry_at timestamp with time zone)
 RETURNS void
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
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
$function$;
REVOKE ALL ON FUNCTION notify.record_novu_sync(uuid,text,bigint,boolean,text,text,timestamp with time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.record_novu_sync(uuid,text,bigint,boolean,text,text,timestamp with time zone) TO xnovu_app;
