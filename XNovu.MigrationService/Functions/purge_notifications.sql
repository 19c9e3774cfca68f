-- xnovu:requires 0071_history_rows
-- Retention: deletes up to p_batch finished notifications (SENT, FAILED, RETRACTED) created more than
-- p_older_than_seconds ago, and answers how many, with their deliveries, delivery events and transaction keys
-- (no cascade between day partitions, issue 32: the chain is delete_history_rows, shared with the other deletes). Days past retention are dropped whole instead (RetentionWorker);
-- this deletes what a day that cannot be dropped yet holds (one still holding unfinished work, and the legacy one). SKIP LOCKED: a row the
-- dispatcher holds is left for the next batch, so retention never waits on dispatch nor dispatch on it.
-- Unfinished notifications are kept whatever their age: retention never drops work.
-- (reasons first written in 0007_rule_engine)
-- History: 0007_rule_engine; the delete chain in delete_history_rows since 0071_history_rows. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.purge_notifications(p_older_than_seconds double precision, p_batch integer)
 RETURNS integer
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    SELECT notify.delete_history_rows(ARRAY(
        SELECT n.id
        FROM notify.ent_notification n
        WHERE n.created_at < now() - make_interval(secs => p_older_than_seconds)
          AND n.notification_status IN ('SENT', 'FAILED', 'RETRACTED')
        ORDER BY n.created_at
        LIMIT p_batch
        FOR UPDATE SKIP LOCKED))
$function$;
REVOKE ALL ON FUNCTION notify.purge_notifications(double precision,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.purge_notifications(double precision,integer) TO xnovu_dispatcher;
