-- Issue 32, history at scale: one rule for where a notification's deliveries lie (delivery_id_range: its creation
-- second's id range, or below the cutover for the history before the partitioning, or anywhere before the switch),
-- so reads by notification id touch one day partition instead of probing every day's index; and one delete chain
-- for the row-by-row history deletes (delete_history_rows: events, deliveries, transaction keys, notifications).
-- Their reasons and live definitions: the files of the same names in Functions/.

CREATE FUNCTION notify.delivery_id_range(p_notification_id bigint, p_cutover bigint, p_switched boolean)
 RETURNS int8range
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN NOT p_switched THEN int8range(-9223372036854775808, 9223372036854775807)
                WHEN p_notification_id < p_cutover THEN int8range(-9223372036854775808, p_cutover)
                WHEN p_notification_id >> 23 = 1099511627775 THEN int8range((p_notification_id >> 23) << 23, 9223372036854775807)
                ELSE int8range((p_notification_id >> 23) << 23, ((p_notification_id >> 23) + 1) << 23) END
$$;

CREATE FUNCTION notify.delivery_id_range(p_notification_id bigint)
 RETURNS int8range
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $$
    SELECT notify.delivery_id_range(p_notification_id, s.cutover, s.switched) FROM notify.history_settings s
$$;

CREATE FUNCTION notify.delete_history_rows(p_ids bigint[])
 RETURNS integer
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'notify'
AS $$
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
$$;
REVOKE ALL ON FUNCTION notify.delete_history_rows(bigint[]) FROM PUBLIC;
