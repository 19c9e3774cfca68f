-- What /api/health needs to say whether anything is being delivered: live replicas, their loops, and how
-- long the oldest due delivery has waited (a due PENDING one, or one whose lease expired unfinished).
-- (reasons first written in 0010_dispatch_reliability)
-- History: 0010_dispatch_reliability. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.dispatcher_status()
 RETURNS TABLE(live_replicas integer, loops_configured integer, loops_running integer, oldest_due_age_seconds double precision)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    SELECT (SELECT count(*)::integer FROM notify.dispatcher_instance WHERE expires_at > now()),
           (SELECT coalesce(sum(i.loops_configured), 0)::integer FROM notify.dispatcher_instance i WHERE i.expires_at > now()),
           (SELECT coalesce(sum(i.loops_running), 0)::integer FROM notify.dispatcher_instance i WHERE i.expires_at > now()),
           coalesce(extract(epoch FROM now() - least(
               (SELECT min(d.next_attempt_at) FROM notify.ent_notification_delivery d WHERE d.status = 'PENDING' AND d.next_attempt_at <= now()),
               (SELECT min(d.lease_expires_at) FROM notify.ent_notification_delivery d WHERE d.status = 'PROCESSING' AND d.lease_expires_at <= now()))), 0)::double precision
$function$;
REVOKE ALL ON FUNCTION notify.dispatcher_status() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.dispatcher_status() TO xnovu_app;
