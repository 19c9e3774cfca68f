-- A replica that stops cleanly says so, rather than counting as running until its heartbeat expires.
-- (reasons first written in 0007_rule_engine)
-- History: 0007_rule_engine. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.rule_engine_stopped(p_worker text)
 RETURNS void
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    DELETE FROM notify.rule_engine_instance WHERE worker_id = p_worker
$function$;
REVOKE ALL ON FUNCTION notify.rule_engine_stopped(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.rule_engine_stopped(text) TO xnovu_dispatcher;
