-- xnovu:requires 0048_outcome_polls_and_webhook_retention
-- Retention: deletes up to p_batch finished outbox messages (delivered or failed) created more than
-- p_older_than_seconds ago, their attempts by cascade. A pending message is kept whatever its age: retention never
-- drops a webhook still to be sent. Oldest first, through ix_webhook_message_created; SKIP LOCKED, so a message the
-- sender holds (a replay in progress) is left for the next batch and neither waits on the other.
-- History: 0048_outcome_polls_and_webhook_retention. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.purge_webhook_messages(p_older_than_seconds double precision, p_batch integer)
 RETURNS integer
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    WITH victims AS (
        SELECT m.id
        FROM notify.ent_webhook_message m
        WHERE m.created_at < now() - make_interval(secs => p_older_than_seconds)
          AND m.status IN ('delivered', 'failed')
        ORDER BY m.created_at
        LIMIT p_batch
        FOR UPDATE SKIP LOCKED
    ), purged AS (
        DELETE FROM notify.ent_webhook_message m USING victims v WHERE m.id = v.id RETURNING 1
    )
    SELECT count(*)::integer FROM purged
$function$;
REVOKE ALL ON FUNCTION notify.purge_webhook_messages(double precision,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.purge_webhook_messages(double precision,integer) TO xnovu_dispatcher;
