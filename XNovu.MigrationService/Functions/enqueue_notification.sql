-- The same, naming the workflow by its id, as the original's rows did.
-- (reasons first written in 0012_original_compatibility)
-- History: 0012_original_compatibility. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.enqueue_notification(p_enterprise_id uuid, p_workflow_key text, p_payload jsonb DEFAULT '{}'::jsonb, p_recipients jsonb DEFAULT '[]'::jsonb, p_scheduled_for timestamp with time zone DEFAULT NULL::timestamp with time zone, p_transaction_id text DEFAULT NULL::text, p_overrides jsonb DEFAULT NULL::jsonb, p_tags text[] DEFAULT NULL::text[])
 RETURNS TABLE(notification_id bigint, transaction_id text)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
#variable_conflict use_column
DECLARE
    v_workflow record;
    v_id bigint;
    v_transaction text;
BEGIN
    IF p_enterprise_id IS NULL OR NOT EXISTS (SELECT 1 FROM notify.enterprise e WHERE e.id = p_enterprise_id AND NOT e.deactivated) THEN
        RAISE EXCEPTION 'enterprise % does not exist or is deactivated', p_enterprise_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF p_workflow_key IS NULL OR length(p_workflow_key) NOT BETWEEN 1 AND 200 THEN
        RAISE EXCEPTION 'a workflow key of 1 to 200 characters is required' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF jsonb_typeof(coalesce(p_payload, '{}')) <> 'object' THEN
        RAISE EXCEPTION 'payload must be a JSON object' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF jsonb_typeof(coalesce(p_recipients, '[]')) <> 'array' OR jsonb_array_length(coalesce(p_recipients, '[]')) > 100
       OR EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(p_recipients, '[]')) r
                  WHERE NOT (jsonb_typeof(r) = 'string' AND length(r #>> '{}') BETWEEN 1 AND 200)
                    AND NOT (jsonb_typeof(r) = 'object' AND jsonb_typeof(r -> 'subscriberId') = 'string'
                             AND length(r ->> 'subscriberId') BETWEEN 1 AND 200)) THEN
        RAISE EXCEPTION 'recipients must be an array of at most 100 subscriber ids or {subscriberId, ...} objects'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_overrides IS NOT NULL AND jsonb_typeof(p_overrides) <> 'object' THEN
        RAISE EXCEPTION 'overrides must be a JSON object' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_transaction_id IS NOT NULL AND length(p_transaction_id) NOT BETWEEN 1 AND 200 THEN
        RAISE EXCEPTION 'transaction id must be 1 to 200 characters' USING ERRCODE = 'invalid_parameter_value';
    END IF;

    SELECT w.id, w.version, w.publish_status, w.deactivated, w.notification_category_id INTO v_workflow
    FROM notify.ent_notification_workflow w
    WHERE w.enterprise_id = p_enterprise_id AND w.workflow_key = p_workflow_key;
    IF FOUND AND (v_workflow.deactivated OR v_workflow.publish_status <> 'PUBLISH') THEN
        RAISE EXCEPTION 'workflow ''%'' is not published or is deactivated', p_workflow_key USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    -- Not found: a static workflow has no row; the dispatcher fails the notification if the key names none.

    -- A given transaction id is claimed first (unique across the history's day partitions, issue 32).
    v_id := notify.new_notification_id();
    IF p_transaction_id IS NOT NULL THEN
        INSERT INTO notify.notification_transaction AS k (enterprise_id, transaction_id, notification_id)
        VALUES (p_enterprise_id, p_transaction_id, v_id)
        ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'transaction id ''%'' is already used by enterprise %', p_transaction_id, p_enterprise_id
                USING ERRCODE = 'unique_violation';
        END IF;
    END IF;

    INSERT INTO notify.ent_notification
        (id, enterprise_id, workflow_key, notification_workflow_id, workflow_version, notification_status, payload,
         recipients, overrides, tags, transaction_id, scheduled_for, notification_category_id, created_by)
    OVERRIDING SYSTEM VALUE
    VALUES (v_id, p_enterprise_id, p_workflow_key, v_workflow.id, v_workflow.version, 'PENDING', coalesce(p_payload, '{}'),
            coalesce(p_recipients, '[]'), p_overrides, p_tags, p_transaction_id, p_scheduled_for,
            v_workflow.notification_category_id, session_user);

    -- The delivery trigger fills a missing transaction id after the insert, so it is read back.
    SELECT n.transaction_id INTO v_transaction FROM notify.ent_notification n WHERE n.id = v_id;
    RETURN QUERY SELECT v_id, v_transaction;
END
$function$;
REVOKE ALL ON FUNCTION notify.enqueue_notification(uuid,text,jsonb,jsonb,timestamp with time zone,text,jsonb,text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.enqueue_notification(uuid,text,jsonb,jsonb,timestamp with time zone,text,jsonb,text[]) TO xnovu_writer, xnovu_app;

CREATE OR REPLACE FUNCTION notify.enqueue_notification(p_enterprise_id uuid, p_workflow_id bigint, p_payload jsonb DEFAULT '{}'::jsonb, p_recipients jsonb DEFAULT '[]'::jsonb, p_scheduled_for timestamp with time zone DEFAULT NULL::timestamp with time zone, p_transaction_id text DEFAULT NULL::text, p_overrides jsonb DEFAULT NULL::jsonb, p_tags text[] DEFAULT NULL::text[])
 RETURNS TABLE(notification_id bigint, transaction_id text)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
DECLARE
    v_key text;
BEGIN
    SELECT w.workflow_key INTO v_key
    FROM notify.ent_notification_workflow w
    WHERE w.enterprise_id = p_enterprise_id AND w.id = p_workflow_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'workflow id % is not a workflow of enterprise %', p_workflow_id, p_enterprise_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN QUERY SELECT * FROM notify.enqueue_notification(
        p_enterprise_id, v_key, p_payload, p_recipients, p_scheduled_for, p_transaction_id, p_overrides, p_tags);
END
$function$;
REVOKE ALL ON FUNCTION notify.enqueue_notification(uuid,bigint,jsonb,jsonb,timestamp with time zone,text,jsonb,text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.enqueue_notification(uuid,bigint,jsonb,jsonb,timestamp with time zone,text,jsonb,text[]) TO xnovu_writer, xnovu_app;
