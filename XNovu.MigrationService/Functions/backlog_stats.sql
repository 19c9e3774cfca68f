-- The backlog: deliveries waiting to be sent, those already due, and how long the oldest due one has waited.
-- A delivery scheduled for later is pending but not late, so only due ones age. Served by ix_delivery_due.
-- (reasons first written in 0008_operations)
-- History: 0008_operations. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.backlog_stats()
 RETURNS TABLE(pending bigint, due bigint, oldest_pending_age_seconds double precision)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    SELECT count(*),
           count(*) FILTER (WHERE next_attempt_at <= now()),
           coalesce(extract(epoch FROM now() - min(next_attempt_at) FILTER (WHERE next_attempt_at <= now())), 0)::double precision
    FROM notify.ent_notification_delivery
    WHERE status = 'PENDING'
$function$;
REVOKE ALL ON FUNCTION notify.backlog_stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.backlog_stats() TO xnovu_api;
