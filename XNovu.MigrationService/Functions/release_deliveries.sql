-- A dispatcher that stops gives back at once the claims it could not finish in its drain (issue 32): their leases
-- end now, so the next claim of any replica takes them over (claim_deliveries), instead of their waiting out the
-- lease (a minute by default) after a rolling deploy. Nothing else changes: a takeover counts as an unfinished
-- claim, as when the lease expires, and a Novu call that was cut off and is sent again under its transaction id is
-- ignored by Novu. Only rows still PROCESSING under this worker's name are touched (the partial lease index serves
-- it); a completion that commits meanwhile holds the row, and the row is then no longer PROCESSING.
-- (reasons first written in 0077_release_deliveries)
-- History: 0077_release_deliveries. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.release_deliveries(p_worker text)
 RETURNS integer
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    WITH released AS (
        UPDATE notify.ent_notification_delivery d
        SET lease_expires_at = now(), updated_at = now()
        WHERE d.status = 'PROCESSING' AND d.lease_expires_at > now() AND d.lease_owner = p_worker
        RETURNING 1
    )
    SELECT count(*)::integer FROM released;
$function$;
REVOKE ALL ON FUNCTION notify.release_deliveries(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.release_deliveries(text) TO xnovu_dispatcher;
