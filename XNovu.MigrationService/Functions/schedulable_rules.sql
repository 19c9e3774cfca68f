-- A deactivated enterprise's timed rules pause: the engines do not plan them (and are woken to reload).
-- (reasons first written in 0011_offboarding)
-- History: 0007_rule_engine, 0011_offboarding. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.schedulable_rules()
 RETURNS TABLE(rule_id bigint, enterprise_id uuid, trigger_type text, trigger_config jsonb, updated_at timestamp with time zone, last_tick_at timestamp with time zone)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    SELECT r.id, r.enterprise_id, r.trigger_type::text, r.trigger_config, r.updated_at, s.last_tick_at
    FROM notify.ent_notification_rule r
    JOIN notify.enterprise e ON e.id = r.enterprise_id AND NOT e.deactivated
    LEFT JOIN notify.rule_state s ON s.rule_id = r.id
    WHERE r.trigger_type IN ('CRON', 'SCHEDULE')
      AND r.publish_status = 'PUBLISH'
      AND NOT r.deactivated
      AND coalesce((r.trigger_config ->> 'enabled')::boolean, true)
    ORDER BY r.id
$function$;
REVOKE ALL ON FUNCTION notify.schedulable_rules() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.schedulable_rules() TO xnovu_dispatcher;
