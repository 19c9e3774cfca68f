-- Registry statistics across enterprises: counts only, no rows.
-- (reasons first written in 0003_row_level_security)
-- History: 0003_row_level_security. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.workflow_registry_stats()
 RETURNS TABLE(dynamic_workflows bigint, enterprises bigint)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    SELECT (SELECT count(*) FROM notify.ent_notification_workflow
            WHERE workflow_type = 'DYNAMIC' AND publish_status = 'PUBLISH' AND deactivated = false),
           (SELECT count(*) FROM notify.enterprise WHERE deactivated = false)
$function$;
REVOKE ALL ON FUNCTION notify.workflow_registry_stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.workflow_registry_stats() TO xnovu_app;
