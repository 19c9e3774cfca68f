-- Records that the ticks of a rule up to p_through were missed and skipped (misfire policy 'skip'), so
-- catch-up starts after them.
-- (reasons first written in 0007_rule_engine)
-- History: 0007_rule_engine. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.skip_rule_ticks(p_rule_id bigint, p_through timestamp with time zone)
 RETURNS void
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    INSERT INTO notify.rule_state AS s (rule_id, enterprise_id, last_tick_at, last_run_at, last_outcome)
    SELECT r.id, r.enterprise_id, p_through, now(), 'skipped'
    FROM notify.ent_notification_rule r WHERE r.id = p_rule_id
    ON CONFLICT (rule_id) DO UPDATE
        SET last_tick_at = greatest(s.last_tick_at, excluded.last_tick_at),
            last_run_at = excluded.last_run_at,
            last_outcome = excluded.last_outcome
        WHERE s.last_tick_at IS NULL OR s.last_tick_at < excluded.last_tick_at
$function$;
REVOKE ALL ON FUNCTION notify.skip_rule_ticks(bigint,timestamp with time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.skip_rule_ticks(bigint,timestamp with time zone) TO xnovu_dispatcher;
