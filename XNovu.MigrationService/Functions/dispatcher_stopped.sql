-- A replica that stops cleanly says so, rather than counting as live until its heartbeat expires.
-- (reasons first written in 0010_dispatch_reliability)
-- History: 0010_dispatch_reliability. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.dispatcher_stopped(p_worker text)
 RETURNS void
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
AS $function$
    DELETE FROM notify.dispatcher_instance WHERE worker_id = p_worker;
$function$;
REVOKE ALL ON FUNCTION notify.dispatcher_stopped(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.dispatcher_stopped(text) TO xnovu_dispatcher;
