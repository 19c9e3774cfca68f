-- xnovu:requires 0071_history_rows
-- Applies one verified delivery-status webhook from a Novu environment (issue 28). p_environment is the
-- enterprise whose own environment sent it, null for the shared one; p_enterprise and p_transaction_id are what
-- the message's transactionId names (NovuNames.TransactionId, read back by the receiver).
-- Outcomes: applied; duplicate (this webhook-id was seen from this environment, or this event of this message
-- was already recorded, by webhook or by the poll); unmatched (no such delivery, or one the environment does not
-- serve: an enterprise's own Novu speaks only for that enterprise, the shared one only for enterprises without
-- their own, so a tenant holding its environment's signing secret cannot touch another tenant's deliveries).
-- The outcome kept is the highest-ranked event (delivery_outcome_rank), so order of arrival does not matter.
-- The tenant's own webhooks (notification.sent, delivered, failed, read) are queued in the same transaction.
-- (reasons first written in 0033_delivery_status)
-- History: 0033_delivery_status; the lookup by key and day range since issue 32 (the range's rule in delivery_id_range, 0071_history_rows). Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.apply_novu_webhook(p_environment uuid, p_webhook_id text, p_enterprise uuid, p_transaction_id text, p_event text, p_occurred_at timestamp with time zone, p_message_id text, p_channel text, p_provider_id text, p_error_id text, p_error_text text, p_source text)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
DECLARE
    v_delivery record;
    v_notification bigint;
    v_range int8range;
    v_found boolean := false;
    v_rank integer := notify.delivery_outcome_rank(p_event);
BEGIN
    IF p_webhook_id IS NOT NULL THEN
        INSERT INTO notify.novu_webhook_receipt (environment, webhook_id)
        VALUES (coalesce(p_environment::text, 'shared'), p_webhook_id)
        ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN
            RETURN 'duplicate';
        END IF;
    END IF;

    IF p_enterprise IS NULL OR p_transaction_id IS NULL
       OR (p_environment IS NOT NULL AND p_environment <> p_enterprise)
       OR (p_environment IS NULL AND EXISTS (SELECT 1 FROM notify.enterprise_novu o WHERE o.enterprise_id = p_enterprise)) THEN
        RETURN 'unmatched';
    END IF;

    -- A delivery's transaction id is its notification's, with -<ordinal> when the notification has several
    -- recipients: both candidates are looked up in the notification's unique (enterprise_id, transaction_id), which
    -- lives in notify.notification_transaction since the history is partitioned by day (issue 32). Looking them up
    -- in the partitioned notifications probed every day partition's index, and the deliveries by notification id
    -- every delivery partition: 219 ms per webhook with 36 days of a million notifications each, which took the
    -- trigger rate down with it. Now: the key, then the notification by id and its deliveries in the id range
    -- delivery_id_range gives (the notification's second, or below the cutover, or anywhere before the switch).
    -- Passed as values, the bounds prune at executor start: one partition each.
    FOR v_notification IN
        SELECT t.notification_id FROM notify.notification_transaction t
        WHERE t.enterprise_id = p_enterprise
          AND t.transaction_id IN (p_transaction_id, regexp_replace(p_transaction_id, '-[0-9]+$', ''))
    LOOP
        v_range := notify.delivery_id_range(v_notification);
        SELECT d.id, d.notification_id, d.subscriber_id, d.transaction_id, n.workflow_key
        INTO v_delivery
        FROM notify.ent_notification n
        JOIN notify.ent_notification_delivery d ON d.notification_id = n.id
        WHERE n.id = v_notification
          AND d.id >= lower(v_range) AND d.id < upper(v_range)
          AND d.transaction_id = p_transaction_id
        LIMIT 1;
        v_found := FOUND;
        EXIT WHEN v_found;
    END LOOP;
    IF NOT v_found THEN
        RETURN 'unmatched';
    END IF;

    INSERT INTO notify.ent_delivery_event
        (enterprise_id, delivery_id, event, occurred_at, novu_message_id, channel, provider_id, error_id, error_text, source, webhook_id)
    VALUES (p_enterprise, v_delivery.id, p_event, p_occurred_at, coalesce(p_message_id, ''), p_channel, p_provider_id,
            p_error_id, left(p_error_text, 2000), p_source, p_webhook_id)
    ON CONFLICT (delivery_id, novu_message_id, event) DO NOTHING;
    IF NOT FOUND THEN
        RETURN 'duplicate';
    END IF;

    IF v_rank > 0 THEN
        UPDATE notify.ent_notification_delivery d
        SET outcome = p_event, outcome_at = p_occurred_at
        WHERE d.id = v_delivery.id AND notify.delivery_outcome_rank(coalesce(d.outcome, '')) < v_rank;
    END IF;

    PERFORM notify.enqueue_webhook(p_enterprise, 'notification.' || p_event, jsonb_build_object(
        'notificationId', v_delivery.notification_id, 'deliveryId', v_delivery.id,
        'transactionId', v_delivery.transaction_id, 'workflowId', v_delivery.workflow_key,
        'subscriberId', v_delivery.subscriber_id, 'channel', p_channel, 'occurredAt', p_occurred_at,
        'providerId', p_provider_id, 'error', CASE WHEN p_error_id IS NULL AND p_error_text IS NULL THEN NULL
                                                   ELSE jsonb_build_object('id', p_error_id, 'text', left(p_error_text, 2000)) END));
    RETURN 'applied';
END
$function$;
REVOKE ALL ON FUNCTION notify.apply_novu_webhook(uuid,text,uuid,text,text,timestamp with time zone,text,text,text,text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.apply_novu_webhook(uuid,text,uuid,text,text,timestamp with time zone,text,text,text,text,text,text) TO xnovu_api, xnovu_dispatcher;
