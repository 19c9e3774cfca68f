-- A replica's heartbeat; also forgets replicas silent for a day.
-- (reasons first written in 0010_dispatch_reliability)
-- History: 0010_dispatch_reliability. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.dispatcher_heartbeat(p_worker text, p_ttl_seconds integer, p_loops_configured integer, p_loops_running integer)
 RETURNS void
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
AS $function$
    DELETE FROM notify.dispatcher_instance WHERE expires_at < now() - interval '1 day';
    INSERT INTO notify.dispatcher_instance (worker_id, started_at, heartbeat_at, expires_at, loops_configured, loops_running)
    VALUES (p_worker, now(), now(), now() + make_interval(secs => p_ttl_seconds), p_loops_configured, p_loops_running)
    ON CONFLICT (worker_id) DO UPDATE
        SET heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at,
            loops_configured = excluded.loops_configured, loops_running = excluded.loops_running;
$function$;
REVOKE ALL ON FUNCTION notify.dispatcher_heartbeat(text,integer,integer,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.dispatcher_heartbeat(text,integer,integer,integer) TO xnovu_dispatcher;
