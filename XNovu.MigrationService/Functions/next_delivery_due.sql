-- xnovu:requires 0080_claim_floor
-- When the next delivery falls due (a pending one's attempt, or a lease's end), for a dispatcher with nothing to claim.
-- Issue 32: read like the claim, between the floor (delivery_floor) and an hour from now, with custom plans, so it
-- names only the days where an open delivery can be (a generic plan is locked whole before it is pruned: 375 relation
-- locks per call at 53 day partitions); the deactivated enterprises, whose deliveries are held, as a constant list
-- (claim_deliveries says why).
-- (reasons first written in 0023_generic_dispatch_plans)
-- History: 0005_deliveries_and_dispatch, 0011_offboarding, 0023_generic_dispatch_plans. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.next_delivery_due()
 RETURNS timestamp with time zone
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
 SET plan_cache_mode TO 'force_custom_plan'
 SET enable_seqscan TO 'off'
 SET enable_bitmapscan TO 'off'
AS $function$
DECLARE
    v_floor bigint;
    v_ceiling bigint := notify.history_id_floor(now() + interval '1 hour');
    v_held uuid[];
BEGIN
    v_floor := notify.claim_floor();
    v_held := ARRAY(SELECT e.id FROM notify.enterprise e WHERE e.deactivated);
    RETURN (
        SELECT min(t) FROM (
            SELECT min(d.next_attempt_at) AS t FROM notify.ent_notification_delivery d
            WHERE d.status = 'PENDING' AND d.id >= v_floor AND d.id < v_ceiling AND d.enterprise_id <> ALL (v_held)
            UNION ALL
            SELECT min(d.lease_expires_at) FROM notify.ent_notification_delivery d
            WHERE d.status = 'PROCESSING' AND d.id >= v_floor AND d.id < v_ceiling
        ) s);
END
$function$;
REVOKE ALL ON FUNCTION notify.next_delivery_due() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.next_delivery_due() TO xnovu_dispatcher;
