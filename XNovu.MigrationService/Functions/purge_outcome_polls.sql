-- xnovu:requires 0048_outcome_polls_and_webhook_retention
-- Retention: forgets up to p_batch poll rows last due more than p_older_than_seconds ago. A row whose delivery got
-- its outcome, or left the poll's window, is never claimed again, so its next_poll_at only ages; a row still in use
-- is always due soon. SKIP LOCKED, as every purge: it never waits on a claim.
-- History: 0048_outcome_polls_and_webhook_retention. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.purge_outcome_polls(p_older_than_seconds double precision, p_batch integer)
 RETURNS integer
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    WITH victims AS (
        SELECT p.delivery_id
        FROM notify.ent_delivery_outcome_poll p
        WHERE p.next_poll_at < now() - make_interval(secs => p_older_than_seconds)
        LIMIT p_batch
        FOR UPDATE SKIP LOCKED
    ), purged AS (
        DELETE FROM notify.ent_delivery_outcome_poll p USING victims v WHERE p.delivery_id = v.delivery_id RETURNING 1
    )
    SELECT count(*)::integer FROM purged
$function$;
REVOKE ALL ON FUNCTION notify.purge_outcome_polls(double precision,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.purge_outcome_polls(double precision,integer) TO xnovu_dispatcher;
