-- xnovu:requires 0033_delivery_status
-- workflow.sync_failed for the enterprise's webhooks, in the transaction that records the failed sync to Novu
-- (a trigger on novu_workflow_sync, so record_novu_sync itself is unchanged). Static workflows (no enterprise)
-- are the operator's concern and tell no tenant.
-- (reasons first written in 0033_delivery_status)
-- History: 0033_delivery_status. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.webhook_sync_failed()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
BEGIN
    IF NEW.enterprise_id IS NOT NULL THEN
        PERFORM notify.enqueue_webhook(NEW.enterprise_id, 'workflow.sync_failed', jsonb_build_object(
            'workflowId', NEW.workflow_key, 'attempts', NEW.attempts, 'error', left(NEW.error, 2000)));
    END IF;
    RETURN NULL;
END
$function$;
REVOKE ALL ON FUNCTION notify.webhook_sync_failed() FROM PUBLIC;
