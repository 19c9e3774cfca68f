-- A replica's heartbeat; also forgets replicas silent for a day.
-- (reasons first written in 0007_rule_engine)
-- History: 0007_rule_engine. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.rule_engine_heartbeat(p_worker text, p_started_at timestamp with time zone, p_last_reload_at timestamp with time zone, p_rules_scheduled integer, p_ttl_seconds integer)
 RETURNS void
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    DELETE FROM notify.rule_engine_instance WHERE expires_at < now() - interval '1 day';
    INSERT INTO notify.rule_engine_instance AS i
        (worker_id, started_at, heartbeat_at, expires_at, last_reload_at, rules_scheduled)
    VALUES (p_worker, p_started_at, now(), now() + make_interval(secs => p_ttl_seconds), p_last_reload_at, p_rules_scheduled)
    ON CONFLICT (worker_id) DO UPDATE
        SET heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at,
            last_reload_at = excluded.last_reload_at, rules_scheduled = excluded.rules_scheduled;
$function$;
REVOKE ALL ON FUNCTION notify.rule_engine_heartbeat(text,timestamp with time zone,timestamp with time zone,integer,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.rule_engine_heartbeat(text,timestamp with time zone,timestamp with time zone,integer,integer) TO xnovu_dispatcher;
