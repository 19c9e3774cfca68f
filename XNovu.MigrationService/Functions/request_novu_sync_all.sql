-- The admin's "sync everything now": every row due at once.
-- (reasons first written in 0014_novu_workflow_sync)
-- History: 0014_novu_workflow_sync. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.request_novu_sync_all()
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
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
$function$;
REVOKE ALL ON FUNCTION notify.request_novu_sync_all() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.request_novu_sync_all() TO xnovu_app;
