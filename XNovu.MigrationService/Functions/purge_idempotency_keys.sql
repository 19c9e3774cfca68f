-- Deletes idempotency keys older than p_older_than_seconds across enterprises and answers how many.
-- A key past its window is also overwritten in place when reused, so this only bounds the table.
-- (reasons first written in 0006_trigger_api)
-- History: 0006_trigger_api. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.purge_idempotency_keys(p_older_than_seconds double precision)
 RETURNS integer
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    WITH purged AS (
        DELETE FROM notify.idempotency_key
        WHERE created_at < now() - make_interval(secs => p_older_than_seconds)
        RETURNING 1)
    SELECT count(*)::integer FROM purged
$function$;
REVOKE ALL ON FUNCTION notify.purge_idempotency_keys(double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.purge_idempotency_keys(double precision) TO xnovu_api;
