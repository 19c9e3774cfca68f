-- xnovu:requires 0071_history_rows
-- History (issue 32): deletes the notifications p_ids with their delivery events, deliveries and transaction keys,
-- and answers how many notifications it deleted. The one delete chain of every row-by-row history delete: the
-- global retention of a day that cannot be dropped yet (purge_notifications), an enterprise's own retention
-- (purge_enterprise_history) and the history-at-scale benchmark. Each caller picks its victims (and locks them,
-- FOR UPDATE SKIP LOCKED, so the dispatch never waits on retention) and hands their ids here.
-- Explicit, in this order, because there is no cascade between day partitions (foreign keys exist only among the
-- legacy tables: events before deliveries before notifications). The deliveries and events are found in the
-- batch's id span by notify.delivery_id_range (monotonic in the notification id, so the span is the range of the
-- lowest id's lower bound to the highest's upper): a batch of one day touches that day's partitions only, instead
-- of probing every day's index for each id. Retention picks its victims oldest first, so a batch is one day or two.
-- SECURITY INVOKER and executable by its owner only: the purge functions call it as their owner; nobody else
-- may delete history by id.

CREATE OR REPLACE FUNCTION notify.delete_history_rows(p_ids bigint[])
 RETURNS integer
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'notify'
AS $function$
DECLARE
    v_low bigint;
    v_high bigint;
    v_deleted integer;
BEGIN
    SELECT lower(notify.delivery_id_range(min(v.id))), upper(notify.delivery_id_range(max(v.id)))
    INTO v_low, v_high
    FROM unnest(p_ids) AS v(id);
    IF v_low IS NULL THEN
        RETURN 0;
    END IF;

    DELETE FROM notify.ent_delivery_event e USING notify.ent_notification_delivery d
    WHERE e.delivery_id = d.id AND d.notification_id = ANY (p_ids)
      AND d.id >= v_low AND d.id < v_high AND e.delivery_id >= v_low AND e.delivery_id < v_high;
    DELETE FROM notify.ent_notification_delivery d
    WHERE d.notification_id = ANY (p_ids) AND d.id >= v_low AND d.id < v_high;
    DELETE FROM notify.notification_transaction t WHERE t.notification_id = ANY (p_ids);
    DELETE FROM notify.ent_notification n WHERE n.id = ANY (p_ids);
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    RETURN v_deleted;
END
$function$;
REVOKE ALL ON FUNCTION notify.delete_history_rows(bigint[]) FROM PUBLIC;
