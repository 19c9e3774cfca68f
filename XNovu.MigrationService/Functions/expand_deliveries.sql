-- xnovu:requires 0071_history_rows
-- Creates the next p_batch deliveries of a notification being expanded, after the highest ordinal already
-- created, and answers how many remain. Safe to call again after a crash or from two places at once: the
-- notification row is locked, and ordinals already created are never created twice. Transaction ids follow
-- create_deliveries: the notification's, suffixed by the ordinal when there is more than one recipient. Ids too
-- (issue 32): a delivery takes its notification's creation second, so it lives in its notification's day partition,
-- and the highest ordinal is read there alone (delivery_id_range).
-- (reasons first written in 0015_subscribers_and_topics)
-- History: 0015_subscribers_and_topics. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.expand_deliveries(p_notification_id bigint, p_batch integer)
 RETURNS integer
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'notify'
AS $function$
DECLARE
    v_notification notify.ent_notification%ROWTYPE;
    v_total integer;
    v_done integer;
BEGIN
    SELECT * INTO v_notification FROM notify.ent_notification
    WHERE id = p_notification_id AND expansion_pending
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    v_total := jsonb_array_length(v_notification.recipients);
    SELECT coalesce(max(ordinal), 0) INTO v_done
    FROM notify.ent_notification_delivery
    WHERE notification_id = p_notification_id
      AND id >= lower(notify.delivery_id_range(p_notification_id)) AND id < upper(notify.delivery_id_range(p_notification_id));

    INSERT INTO notify.ent_notification_delivery
        (id, enterprise_id, notification_id, ordinal, subscriber_id, recipient, transaction_id, next_attempt_at)
    OVERRIDING SYSTEM VALUE
    SELECT CASE WHEN NOT h.switched THEN nextval(h.identity)
                WHEN v_notification.id < h.cutover THEN nextval('notify.legacy_delivery_id_seq')
                ELSE (v_notification.id & ~8388607::bigint) | (nextval('notify.history_id_seq') & 8388607) END,
           v_notification.enterprise_id,
           v_notification.id,
           e.ordinal::integer,
           CASE jsonb_typeof(e.value) WHEN 'string' THEN e.value #>> '{}' ELSE e.value ->> 'subscriberId' END,
           CASE jsonb_typeof(e.value) WHEN 'string' THEN jsonb_build_object('subscriberId', e.value #>> '{}') ELSE e.value END,
           v_notification.transaction_id || CASE WHEN v_total > 1 THEN '-' || e.ordinal ELSE '' END,
           coalesce(v_notification.scheduled_for, now())
    FROM jsonb_array_elements(v_notification.recipients) WITH ORDINALITY AS e(value, ordinal)
    CROSS JOIN (SELECT s.cutover, s.switched, pg_get_serial_sequence('notify.ent_notification_delivery', 'id') AS identity
                FROM notify.history_settings s) h
    WHERE e.ordinal > v_done AND e.ordinal <= v_done + p_batch;

    IF v_done + p_batch >= v_total THEN
        UPDATE notify.ent_notification SET expansion_pending = false, updated_at = now() WHERE id = p_notification_id;
    ELSE
        UPDATE notify.ent_notification SET updated_at = now() WHERE id = p_notification_id;
    END IF;

    PERFORM pg_notify('xnovu_dispatch', '');
    RETURN greatest(v_total - v_done - p_batch, 0);
END
$function$;
REVOKE ALL ON FUNCTION notify.expand_deliveries(bigint,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.expand_deliveries(bigint,integer) TO xnovu_api;
