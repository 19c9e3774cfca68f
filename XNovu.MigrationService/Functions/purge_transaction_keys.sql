-- Retention by the day (issue 32): deletes up to p_batch transaction keys (notify.notification_transaction) whose
-- notifications are gone with a dropped day, those with ids below p_below that no notification holds any more, and
-- answers how many. Keys are narrow rows found by their notification's id range, so this costs little beside the
-- history it follows; a key whose notification is still there (a day kept for unfinished work) stays.
-- SECURITY DEFINER: it reads and deletes across enterprises, as retention does.

CREATE OR REPLACE FUNCTION notify.purge_transaction_keys(p_below bigint, p_batch integer)
 RETURNS integer
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    WITH victims AS (
        SELECT t.enterprise_id, t.transaction_id
        FROM notify.notification_transaction t
        WHERE t.notification_id < p_below
          AND NOT EXISTS (SELECT 1 FROM notify.ent_notification n WHERE n.id = t.notification_id)
        ORDER BY t.notification_id
        LIMIT p_batch
        FOR UPDATE SKIP LOCKED
    ), purged AS (
        DELETE FROM notify.notification_transaction t USING victims v
        WHERE t.enterprise_id = v.enterprise_id AND t.transaction_id = v.transaction_id
        RETURNING 1
    )
    SELECT count(*)::integer FROM purged
$function$;
REVOKE ALL ON FUNCTION notify.purge_transaction_keys(bigint,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.purge_transaction_keys(bigint,integer) TO xnovu_dispatcher;
