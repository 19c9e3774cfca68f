-- In the writer's transaction: the enterprise's workflows sync to the environment it now uses, its paused
-- deliveries are due now, and every process drops its cached client for the enterprise.
-- (reasons first written in 0018_byo_novu)
-- History: 0018_byo_novu. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.enterprise_novu_changed()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
DECLARE
    v_enterprise uuid := coalesce(NEW.enterprise_id, OLD.enterprise_id);
BEGIN
    UPDATE notify.novu_workflow_sync
    SET status = CASE WHEN status = 'synced' THEN 'pending' ELSE status END,
        generation = generation + 1, attempts = 0, next_attempt_at = now(), updated_at = now()
    WHERE enterprise_id = v_enterprise;

    UPDATE notify.ent_notification_delivery
    SET next_attempt_at = now(), updated_at = now()
    WHERE enterprise_id = v_enterprise AND status = 'PENDING' AND novu_paused;

    PERFORM pg_notify('xnovu_novu_environment', v_enterprise::text);
    PERFORM pg_notify('xnovu_novu_sync', '');
    PERFORM pg_notify('xnovu_dispatch', '');
    RETURN NULL;
END
$function$;
REVOKE ALL ON FUNCTION notify.enterprise_novu_changed() FROM PUBLIC;
