-- xnovu:requires 0078_delivery_floor
-- Deactivating or reactivating wakes every rule engine (to drop or resume the enterprise's timed rules) and
-- every dispatcher (held deliveries are due again at once), whoever changed the row. Reactivating also lowers the
-- claim's floor to the bottom (issue 32): the raise leaves held deliveries out (raise_delivery_floor), so the claim
-- reads every day until the next raise counts them. Only the services (members of xnovu_app) and the owner update
-- enterprises, and they may call lower_delivery_floor.
-- (reasons first written in 0011_offboarding)
-- History: 0011_offboarding. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.notify_enterprise_state_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    PERFORM pg_notify('xnovu_rules', NEW.id::text);
    IF NOT NEW.deactivated THEN
        PERFORM notify.lower_delivery_floor(-9223372036854775808);
        PERFORM pg_notify('xnovu_dispatch', '');
    END IF;
    RETURN NULL;
END
$function$;
-- Executable by PUBLIC (the default): a trigger function, or one every login may call.
