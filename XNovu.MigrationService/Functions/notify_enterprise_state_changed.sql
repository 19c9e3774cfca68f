-- Deactivating or reactivating wakes every rule engine (to drop or resume the enterprise's timed rules) and
-- every dispatcher (held deliveries are due again at once), whoever changed the row.
-- (reasons first written in 0011_offboarding)
-- History: 0011_offboarding. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.notify_enterprise_state_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    PERFORM pg_notify('xnovu_rules', NEW.id::text);
    IF NOT NEW.deactivated THEN
        PERFORM pg_notify('xnovu_dispatch', '');
    END IF;
    RETURN NULL;
END
$function$;
-- Executable by PUBLIC (the default): a trigger function, or one every login may call.
