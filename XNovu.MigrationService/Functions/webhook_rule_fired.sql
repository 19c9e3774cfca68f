-- xnovu:requires 0033_delivery_status
-- rule.fired for the enterprise's webhooks, in the transaction of fire_rule_tick that links the tick to the
-- notification it created (a trigger on rule_tick, so fire_rule_tick itself is unchanged).
-- (reasons first written in 0033_delivery_status)
-- History: 0033_delivery_status. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.webhook_rule_fired()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
BEGIN
    PERFORM notify.enqueue_webhook(NEW.enterprise_id, 'rule.fired', jsonb_build_object(
        'ruleId', NEW.rule_id, 'tickAt', NEW.tick_at, 'notificationId', NEW.notification_id));
    RETURN NULL;
END
$function$;
REVOKE ALL ON FUNCTION notify.webhook_rule_fired() FROM PUBLIC;
