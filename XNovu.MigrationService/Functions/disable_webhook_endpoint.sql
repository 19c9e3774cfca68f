-- xnovu:requires 0033_delivery_status
-- Disables an endpoint (410 Gone, or failing for too long): its messages still waiting are failed with the
-- reason (a replay sends them again once it is enabled), and the enterprise is told through its other enabled
-- endpoints (endpoint.disabled, whatever event types they chose) and the console, which shows disabled_reason.
-- (reasons first written in 0033_delivery_status)
-- History: 0033_delivery_status. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.disable_webhook_endpoint(p_endpoint uuid, p_reason text)
 RETURNS boolean
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
DECLARE
    v_endpoint record;
BEGIN
    UPDATE notify.ent_webhook_endpoint e
    SET disabled_at = now(), disabled_reason = p_reason, updated_at = now()
    WHERE e.id = p_endpoint AND e.disabled_at IS NULL
    RETURNING e.id, e.enterprise_id, e.url INTO v_endpoint;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE notify.ent_webhook_message m
    SET status = 'failed', lease_owner = NULL
    WHERE m.endpoint_id = p_endpoint AND m.status = 'pending';

    INSERT INTO notify.ent_webhook_message (enterprise_id, endpoint_id, event_type, payload)
    SELECT e.enterprise_id, e.id, 'endpoint.disabled', jsonb_build_object('type', 'endpoint.disabled', 'timestamp', now(),
               'data', jsonb_build_object('endpointId', v_endpoint.id, 'url', v_endpoint.url, 'reason', p_reason))
    FROM notify.ent_webhook_endpoint e
    WHERE e.enterprise_id = v_endpoint.enterprise_id AND e.id <> p_endpoint AND e.disabled_at IS NULL;
    PERFORM pg_notify('xnovu_webhooks', '');
    RETURN true;
END
$function$;
REVOKE ALL ON FUNCTION notify.disable_webhook_endpoint(uuid,text) FROM PUBLIC;
