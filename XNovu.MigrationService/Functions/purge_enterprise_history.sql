-- xnovu:requires 0071_history_rows
-- An enterprise's own retention (issue 32): deletes up to p_batch of its finished notifications (SENT, FAILED,
-- RETRACTED, no topic still expanding) made before history_kept_since, with their deliveries, delivery events and
-- transaction keys (no cascade between day partitions: delete_history_rows, the chain every row-by-row history
-- delete shares), and answers how many. Days are dropped whole only past the
-- deployment's retention (drop_history_day); inside the younger days an enterprise's rows go by this delete, found
-- by its (enterprise, created_at) index in each day, a short statement per batch. SKIP LOCKED: a row the
-- dispatch holds is left for the next batch. Unfinished notifications stay whatever their age, as in
-- purge_notifications: retention never drops work.
-- SECURITY DEFINER: the dispatchers' retention pass calls it for each enterprise of enterprises_with_retention.

CREATE OR REPLACE FUNCTION notify.purge_enterprise_history(p_enterprise uuid, p_batch integer)
 RETURNS integer
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    SELECT notify.delete_history_rows(ARRAY(
        SELECT n.id
        FROM notify.ent_notification n
        WHERE n.enterprise_id = p_enterprise
          AND n.notification_status IN ('SENT', 'FAILED', 'RETRACTED')
          AND n.created_at < notify.history_kept_since(p_enterprise)
          AND NOT n.expansion_pending
        LIMIT p_batch
        FOR UPDATE SKIP LOCKED))
$function$;
REVOKE ALL ON FUNCTION notify.purge_enterprise_history(uuid,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.purge_enterprise_history(uuid,integer) TO xnovu_dispatcher;
