-- The live engines, for the status endpoint: times only, no counts of other enterprises' rules.
-- (reasons first written in 0007_rule_engine)
-- History: 0007_rule_engine. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.rule_engine_instances()
 RETURNS TABLE(worker_id text, started_at timestamp with time zone, heartbeat_at timestamp with time zone, last_reload_at timestamp with time zone)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    SELECT worker_id, started_at, heartbeat_at, last_reload_at
    FROM notify.rule_engine_instance
    WHERE expires_at > now()
    ORDER BY worker_id
$function$;
REVOKE ALL ON FUNCTION notify.rule_engine_instances() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.rule_engine_instances() TO xnovu_api;
