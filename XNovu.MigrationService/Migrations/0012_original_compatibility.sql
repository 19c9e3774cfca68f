-- Compatibility with the original XNovu (issue 16): templates that read payload keys at the Liquid root,
-- rows inserted with only a workflow id, and a narrow, documented path for outside database writers.

-- Templates. The original rendered payload keys at the root ({{ userName }}); ours render them under
-- payload. A template may ask for both (true), refuse them (false) or follow its enterprise (null).
ALTER TABLE notify.enterprise ADD COLUMN template_payload_at_root boolean NOT NULL DEFAULT false;
ALTER TABLE notify.ent_notification_template ADD COLUMN payload_at_root boolean;

-- Rows inserted the original's way name their workflow by id only. This fills workflow_key (and the
-- version, when not given) from the workflow of the row's own enterprise, and fills the id from the key
-- when only the key is given. It reads across the caller's RLS scope (an outside writer sets none), but
-- only the workflow of NEW.enterprise_id, and answers nothing to the caller beyond the row it writes.
CREATE FUNCTION notify.fill_notification_workflow() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
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
$$;

-- Named to fire before any other BEFORE INSERT trigger (triggers fire in name order).
CREATE TRIGGER trg_notification_a_fill_workflow
    BEFORE INSERT ON notify.ent_notification
    FOR EACH ROW EXECUTE FUNCTION notify.fill_notification_workflow();

-- The role an outside system uses to enqueue notifications by SQL, as the original's writers did. It
-- owns nothing, reads nothing, and may only call notify.enqueue_notification. NOLOGIN: a DBA grants it to
-- the writer's own login (GRANT xnovu_writer TO their_role) or gives it one
-- (ALTER ROLE xnovu_writer LOGIN PASSWORD '...'); see README "Writing notifications by SQL".
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'xnovu_writer') THEN
        CREATE ROLE xnovu_writer NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA notify TO xnovu_writer;

-- Enqueues one PENDING notification for one enterprise, by workflow key, and answers its id and
-- transaction id. Everything is checked before anything is written; a refusal raises an error with a
-- stable SQLSTATE (22023 invalid_parameter_value, 23503 for a workflow or enterprise that is not there,
-- 55000 object_not_in_prerequisite_state for an unpublished or deactivated one, 23505 for a reused
-- transaction id). The deliveries and the dispatcher's wake-up follow from the insert trigger of 0005.
CREATE FUNCTION notify.enqueue_notification(
    p_enterprise_id  uuid,
    p_workflow_key   text,
    p_payload        jsonb DEFAULT '{}',
    p_recipients     jsonb DEFAULT '[]',
    p_scheduled_for  timestamptz DEFAULT NULL,
    p_transaction_id text DEFAULT NULL,
    p_overrides      jsonb DEFAULT NULL,
    p_tags           text[] DEFAULT NULL)
    RETURNS TABLE (notification_id bigint, transaction_id text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
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

    INSERT INTO notify.ent_notification
        (enterprise_id, workflow_key, notification_workflow_id, workflow_version, notification_status, payload,
         recipients, overrides, tags, transaction_id, scheduled_for, notification_category_id, created_by)
    VALUES (p_enterprise_id, p_workflow_key, v_workflow.id, v_workflow.version, 'PENDING', coalesce(p_payload, '{}'),
            coalesce(p_recipients, '[]'), p_overrides, p_tags, p_transaction_id, p_scheduled_for,
            v_workflow.notification_category_id, session_user)
    ON CONFLICT (enterprise_id, transaction_id) WHERE transaction_id IS NOT NULL DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'transaction id ''%'' is already used by enterprise %', p_transaction_id, p_enterprise_id
            USING ERRCODE = 'unique_violation';
    END IF;

    -- The delivery trigger fills a missing transaction id after the insert, so it is read back.
    SELECT n.transaction_id INTO v_transaction FROM notify.ent_notification n WHERE n.id = v_id;
    RETURN QUERY SELECT v_id, v_transaction;
END
$$;

-- The same, naming the workflow by its id, as the original's rows did.
CREATE FUNCTION notify.enqueue_notification(
    p_enterprise_id  uuid,
    p_workflow_id    bigint,
    p_payload        jsonb DEFAULT '{}',
    p_recipients     jsonb DEFAULT '[]',
    p_scheduled_for  timestamptz DEFAULT NULL,
    p_transaction_id text DEFAULT NULL,
    p_overrides      jsonb DEFAULT NULL,
    p_tags           text[] DEFAULT NULL)
    RETURNS TABLE (notification_id bigint, transaction_id text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
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
$$;

REVOKE ALL ON FUNCTION notify.fill_notification_workflow() FROM PUBLIC;
REVOKE ALL ON FUNCTION notify.enqueue_notification(uuid, text, jsonb, jsonb, timestamptz, text, jsonb, text[]),
    notify.enqueue_notification(uuid, bigint, jsonb, jsonb, timestamptz, text, jsonb, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.enqueue_notification(uuid, text, jsonb, jsonb, timestamptz, text, jsonb, text[]),
    notify.enqueue_notification(uuid, bigint, jsonb, jsonb, timestamptz, text, jsonb, text[]) TO xnovu_writer, xnovu_app;
