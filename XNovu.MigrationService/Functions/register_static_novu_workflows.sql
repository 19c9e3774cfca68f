-- The static workflows the dispatcher ships: it registers them at start (they have no table of their own).
-- (reasons first written in 0014_novu_workflow_sync)
-- History: 0014_novu_workflow_sync. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.register_static_novu_workflows(p_keys text[])
 RETURNS integer
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    WITH inserted AS (
        INSERT INTO notify.novu_workflow_sync (enterprise_id, workflow_key)
        SELECT NULL, k FROM unnest(p_keys) AS k
        ON CONFLICT DO NOTHING
        RETURNING 1)
    SELECT count(*)::integer FROM inserted
$function$;
REVOKE ALL ON FUNCTION notify.register_static_novu_workflows(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.register_static_novu_workflows(text[]) TO xnovu_app;
