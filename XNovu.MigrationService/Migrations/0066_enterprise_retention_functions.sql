-- Issue 32, an enterprise's own retention (0065's column): the rule (history_kept_since), the enterprises that have
-- one (enterprises_with_retention) and the batched delete inside the young day partitions (purge_enterprise_history).
-- Their reasons and live definitions: the files of the same names in Functions/.

CREATE FUNCTION notify.history_kept_since(p_enterprise uuid)
 RETURNS timestamp with time zone
 LANGUAGE sql
 STABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'notify'
AS $$
    SELECT coalesce((SELECT now() - make_interval(days => e.retention_days) FROM notify.enterprise e WHERE e.id = p_enterprise),
                    '-infinity'::timestamp with time zone)
$$;

CREATE FUNCTION notify.enterprises_with_retention()
 RETURNS TABLE(enterprise_id uuid, retention_days integer)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $$
    SELECT id, retention_days FROM notify.enterprise
    WHERE retention_days IS NOT NULL AND deleted_at IS NULL
    ORDER BY id
$$;
REVOKE ALL ON FUNCTION notify.enterprises_with_retention() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.enterprises_with_retention() TO xnovu_dispatcher;

CREATE FUNCTION notify.purge_enterprise_history(p_enterprise uuid, p_batch integer)
 RETURNS integer
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $$
    WITH victims AS (
        SELECT n.id
        FROM notify.ent_notification n
        WHERE n.enterprise_id = p_enterprise
          AND n.notification_status IN ('SENT', 'FAILED', 'RETRACTED')
          AND n.created_at < notify.history_kept_since(p_enterprise)
          AND NOT n.expansion_pending
        LIMIT p_batch
        FOR UPDATE SKIP LOCKED
    ), events AS (
        DELETE FROM notify.ent_delivery_event e USING notify.ent_notification_delivery d, victims v
        WHERE e.delivery_id = d.id AND d.notification_id = v.id
    ), deliveries AS (
        DELETE FROM notify.ent_notification_delivery d USING victims v WHERE d.notification_id = v.id
    ), keys AS (
        DELETE FROM notify.notification_transaction t USING victims v WHERE t.notification_id = v.id
    ), purged AS (
        DELETE FROM notify.ent_notification n USING victims v WHERE n.id = v.id RETURNING 1
    )
    SELECT count(*)::integer FROM purged
$$;
REVOKE ALL ON FUNCTION notify.purge_enterprise_history(uuid,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.purge_enterprise_history(uuid,integer) TO xnovu_dispatcher;
