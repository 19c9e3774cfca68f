-- xnovu:requires 0048_outcome_polls_and_webhook_retention
-- Retention: deletes up to p_batch attempt log rows made more than p_older_than_seconds ago, whatever their
-- message's state: a message retried for days keeps its recent attempts, and the log of a busy endpoint stays
-- bounded. Oldest first, through ix_webhook_attempt_attempted; SKIP LOCKED.
-- History: 0048_outcome_polls_and_webhook_retention. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.purge_webhook_attempts(p_older_than_seconds double precision, p_batch integer)
 RETURNS integer
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    WITH victims AS (
        SELECT a.id
        FROM notify.ent_webhook_attempt a
        WHERE a.attempted_at < now() - make_interval(secs => p_older_than_seconds)
        ORDER BY a.attempted_at
        LIMIT p_batch
        FOR UPDATE SKIP LOCKED
    ), purged AS (
        DELETE FROM notify.ent_webhook_attempt a USING victims v WHERE a.id = v.id RETURNING 1
    )
    SELECT count(*)::integer FROM purged
$function$;
REVOKE ALL ON FUNCTION notify.purge_webhook_attempts(double precision,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.purge_webhook_attempts(double precision,integer) TO xnovu_dispatcher;
