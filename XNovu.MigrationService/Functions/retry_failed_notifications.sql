-- The operator's "retry failed": up to p_limit FAILED notifications of any enterprise, oldest first, back to
-- PENDING, as POST /api/notifications/retry-failed does within one enterprise. Rows another call holds are skipped.
-- (reasons first written in 0008_operations)
-- History: 0008_operations, 0009_retry_failed_once. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.retry_failed_notifications(p_limit integer)
 RETURNS TABLE(notifications integer, deliveries integer)
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    SELECT * FROM notify.restart_failed(p_limit);
$function$;
REVOKE ALL ON FUNCTION notify.retry_failed_notifications(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.retry_failed_notifications(integer) TO xnovu_api;
