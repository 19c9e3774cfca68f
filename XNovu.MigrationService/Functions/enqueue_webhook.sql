-- xnovu:requires 0033_delivery_status
-- Writes one outbox row per enabled endpoint of the enterprise subscribed to p_type, in the caller's transaction:
-- the event leaves only if the change it reports commits. An enterprise without such an endpoint gets no row.
-- The payload is Standard Webhooks' {type, timestamp, data}; callers keep data small (ids and statuses, never a
-- notification's payload), so it stays far below the 20 KB the spec advises.
-- (reasons first written in 0033_delivery_status)
-- History: 0033_delivery_status. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.enqueue_webhook(p_enterprise uuid, p_type text, p_data jsonb)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
DECLARE
    v_count integer;
BEGIN
    INSERT INTO notify.ent_webhook_message (enterprise_id, endpoint_id, event_type, payload)
    SELECT e.enterprise_id, e.id, p_type, jsonb_build_object('type', p_type, 'timestamp', now(), 'data', p_data)
    FROM notify.ent_webhook_endpoint e
    WHERE e.enterprise_id = p_enterprise AND e.disabled_at IS NULL AND p_type = ANY (e.event_types);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    IF v_count > 0 THEN
        PERFORM pg_notify('xnovu_webhooks', '');
    END IF;
    RETURN v_count;
END
$function$;
REVOKE ALL ON FUNCTION notify.enqueue_webhook(uuid,text,jsonb) FROM PUBLIC;
