-- PL/pgSQL rather than SQL, so that its plan is kept (0011's condition, unchanged).
-- (reasons first written in 0023_generic_dispatch_plans)
-- History: 0005_deliveries_and_dispatch, 0011_offboarding, 0023_generic_dispatch_plans. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.next_delivery_due()
 RETURNS timestamp with time zone
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
 SET plan_cache_mode TO 'force_generic_plan'
 SET enable_seqscan TO 'off'
 SET enable_bitmapscan TO 'off'
AS $function$
BEGIN
    RETURN (
        SELECT min(t) FROM (
            SELECT min(d.next_attempt_at) AS t FROM notify.ent_notification_delivery d
            WHERE d.status = 'PENDING'
              AND NOT EXISTS (SELECT 1 FROM notify.enterprise e WHERE e.id = d.enterprise_id AND e.deactivated)
            UNION ALL
            SELECT min(lease_expires_at) FROM notify.ent_notification_delivery WHERE status = 'PROCESSING'
        ) s);
END
$function$;
REVOKE ALL ON FUNCTION notify.next_delivery_due() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.next_delivery_due() TO xnovu_dispatcher;
