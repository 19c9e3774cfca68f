-- Every synced workflow, for the reconciler: keys only.
-- (reasons first written in 0014_novu_workflow_sync)
-- History: 0014_novu_workflow_sync. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.synced_novu_workflows()
 RETURNS TABLE(enterprise_id uuid, workflow_key text, generation bigint)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    SELECT s.enterprise_id, s.workflow_key, s.generation FROM notify.novu_workflow_sync s
    WHERE s.status = 'synced' ORDER BY s.id
$function$;
REVOKE ALL ON FUNCTION notify.synced_novu_workflows() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.synced_novu_workflows() TO xnovu_app;
