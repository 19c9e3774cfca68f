-- Rows inserted the original's way name their workflow by id only. This fills workflow_key (and the
-- version, when not given) from the workflow of the row's own enterprise, and fills the id from the key
-- when only the key is given. It reads across the caller's RLS scope (an outside writer sets none), but
-- only the workflow of NEW.enterprise_id, and answers nothing to the caller beyond the row it writes.
-- (reasons first written in 0012_original_compatibility)
-- History: 0012_original_compatibility. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.fill_notification_workflow()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
DECLARE
    v_key text;
    v_id bigint;
    v_version integer;
BEGIN
    IF NEW.notification_workflow_id IS NOT NULL THEN
        SELECT w.workflow_key, w.version INTO v_key, v_version
        FROM notify.ent_notification_workflow w
        WHERE w.id = NEW.notification_workflow_id AND w.enterprise_id = NEW.enterprise_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'notification_workflow_id % is not a workflow of enterprise %', NEW.notification_workflow_id, NEW.enterprise_id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        IF NEW.workflow_key IS NULL THEN
            NEW.workflow_key := v_key;
        ELSIF NEW.workflow_key <> v_key THEN
            RAISE EXCEPTION 'workflow_key ''%'' does not match notification_workflow_id % (''%'')', NEW.workflow_key, NEW.notification_workflow_id, v_key
                USING ERRCODE = 'check_violation';
        END IF;
        NEW.workflow_version := coalesce(NEW.workflow_version, v_version);
    ELSIF NEW.workflow_key IS NOT NULL THEN
        -- A static workflow has no row: the key alone stays valid.
        SELECT w.id, w.version INTO v_id, v_version
        FROM notify.ent_notification_workflow w
        WHERE w.workflow_key = NEW.workflow_key AND w.enterprise_id = NEW.enterprise_id;
        IF FOUND THEN
            NEW.notification_workflow_id := v_id;
            NEW.workflow_version := coalesce(NEW.workflow_version, v_version);
        END IF;
    END IF;
    RETURN NEW;
END
$function$;
REVOKE ALL ON FUNCTION notify.fill_notification_workflow() FROM PUBLIC;
