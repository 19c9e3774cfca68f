-- History: 0014_novu_workflow_sync. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.mark_novu_sync_pending()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
BEGIN
    INSERT INTO notify.novu_workflow_sync AS s (enterprise_id, workflow_key)
    VALUES (NEW.enterprise_id, NEW.workflow_key)
    ON CONFLICT (enterprise_id, workflow_key) DO UPDATE
        SET status = CASE WHEN s.status = 'synced' THEN 'pending' ELSE s.status END,
            generation = s.generation + 1, attempts = 0, next_attempt_at = now(), updated_at = now();
    PERFORM pg_notify('xnovu_novu_sync', NEW.enterprise_id::text);
    RETURN NULL;
END
$function$;
REVOKE ALL ON FUNCTION notify.mark_novu_sync_pending() FROM PUBLIC;
