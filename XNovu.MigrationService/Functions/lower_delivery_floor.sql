-- xnovu:requires 0078_delivery_floor
-- The claim's floor (issue 32), lowered to a delivery about to be reopened, in the transaction that reopens it
-- (restart_failed): the claim then names its day. Written only when it lowers, so the row is locked only then;
-- the race with raise_delivery_floor is in that function's file. Any role that may reopen a delivery may call it.
-- History: 0078_delivery_floor. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.lower_delivery_floor(p_delivery_id bigint)
 RETURNS void
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
AS $function$
    UPDATE notify.delivery_floor SET open_from = p_delivery_id WHERE open_from > p_delivery_id;
$function$;
REVOKE ALL ON FUNCTION notify.lower_delivery_floor(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.lower_delivery_floor(bigint) TO xnovu_app;
