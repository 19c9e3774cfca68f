-- Retention of the tick keys: each rule keeps its latest tick (the catch-up watermark lives in rule_state,
-- and catch-up never looks behind it, so older keys guard nothing).
-- (reasons first written in 0007_rule_engine)
-- History: 0007_rule_engine. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.purge_rule_ticks(p_older_than_seconds double precision, p_batch integer)
 RETURNS integer
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    WITH victims AS (
        SELECT t.rule_id, t.tick_at
        FROM notify.rule_tick t
        JOIN notify.rule_state s ON s.rule_id = t.rule_id
        WHERE t.tick_at < now() - make_interval(secs => p_older_than_seconds)
          AND t.tick_at < s.last_tick_at
        ORDER BY t.tick_at
        LIMIT p_batch
        FOR UPDATE OF t SKIP LOCKED
    ), purged AS (
        DELETE FROM notify.rule_tick t USING victims v
        WHERE t.rule_id = v.rule_id AND t.tick_at = v.tick_at
        RETURNING 1
    )
    SELECT count(*)::integer FROM purged
$function$;
REVOKE ALL ON FUNCTION notify.purge_rule_ticks(double precision,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.purge_rule_ticks(double precision,integer) TO xnovu_dispatcher;
