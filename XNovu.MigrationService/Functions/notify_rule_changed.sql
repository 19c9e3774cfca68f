-- Any change to a rule wakes the engines, which reload within milliseconds.
-- (reasons first written in 0007_rule_engine)
-- History: 0007_rule_engine. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.notify_rule_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    PERFORM pg_notify('xnovu_rules', coalesce(NEW.enterprise_id, OLD.enterprise_id)::text);
    RETURN NULL;
END
$function$;
-- Executable by PUBLIC (the default): a trigger function, or one every login may call.
