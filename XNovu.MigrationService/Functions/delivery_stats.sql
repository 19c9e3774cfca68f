-- Deliveries by outcome. Retried: deliveries that needed more than one attempt, whatever their outcome.
-- (reasons first written in 0008_operations)
-- History: 0008_operations. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.delivery_stats()
 RETURNS TABLE(sent bigint, failed bigint, retried bigint)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    SELECT count(*) FILTER (WHERE status = 'SENT'),
           count(*) FILTER (WHERE status = 'FAILED'),
           count(*) FILTER (WHERE attempts > 1)
    FROM notify.ent_notification_delivery
$function$;
REVOKE ALL ON FUNCTION notify.delivery_stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.delivery_stats() TO xnovu_api;
