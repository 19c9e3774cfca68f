-- xnovu:requires 0046_original_id_map
-- original_compat.insert_notification: the INSTEAD OF INSERT trigger function of original_compat.ent_notification, by
-- which the original XNovu's writers insert notifications unchanged. One original row into XNovu: its ids first
-- translated through the enterprise's map (original_compat.xnovu_id); the original's NOT NULL columns refused with its
-- SQLSTATE (23502); a row the original would never have sent (not PENDING, not PUBLISH) refused rather than sent;
-- everything else is enqueue_notification's: 22023 for bad input, 23503 for an enterprise or workflow that is not
-- there, 55000 for one not published, 23505 for a transaction id already used. A refusal raises, so nothing of the
-- statement stays. SECURITY DEFINER with row security off: the original's writers name the enterprise on each row.
-- (reasons first written in 0045_original_compat_writers and 0046_original_id_map)
-- History: 0045_original_compat_writers (created it), 0046_original_id_map (the id translation, repeating 0045's body
-- whole). Those scripts' bodies are history; this file is the live definition (original_compat's functions joined
-- the function files after 0046: a change is an edit here, not a new numbered script).

CREATE OR REPLACE FUNCTION original_compat.insert_notification() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
DECLARE
    v_id bigint;
    v_transaction text;
BEGIN
    -- The original's ids, through the enterprise's map where it has one of the kind (see xnovu_id above).
    NEW.notification_workflow_id := original_compat.xnovu_id(NEW.enterprise_id, 'workflow', NEW.notification_workflow_id);
    NEW.typ_notification_category_id := original_compat.xnovu_id(NEW.enterprise_id, 'category', NEW.typ_notification_category_id);
    NEW.typ_notification_priority_id := original_compat.xnovu_id(NEW.enterprise_id, 'priority', NEW.typ_notification_priority_id);
    NEW.notification_rule_id := original_compat.xnovu_id(NEW.enterprise_id, 'rule', NEW.notification_rule_id);

    IF NEW.name IS NULL OR NEW.payload IS NULL OR NEW.recipients IS NULL THEN
        RAISE EXCEPTION 'null value in column "%" of relation "ent_notification" violates not-null constraint',
            CASE WHEN NEW.name IS NULL THEN 'name' WHEN NEW.payload IS NULL THEN 'payload' ELSE 'recipients' END
            USING ERRCODE = 'not_null_violation';
    END IF;
    IF NEW.notification_workflow_id IS NULL THEN
        RAISE EXCEPTION 'notification_workflow_id is required: XNovu sends a notification through its workflow'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NEW.notification_status IS DISTINCT FROM 'PENDING' THEN
        RAISE EXCEPTION 'notification_status must be PENDING: XNovu sets the status of what it sends'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NEW.publish_status IS DISTINCT FROM 'PUBLISH' THEN
        RAISE EXCEPTION 'publish_status must be PUBLISH: the original never sent a notification that was not, and XNovu sends every one it stores'
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF cardinality(NEW.recipients) = 0 OR array_position(NEW.recipients, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'recipients must name at least one subscriber, and no null'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NEW.typ_notification_category_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM notify.typ_notification_category c WHERE c.id = NEW.typ_notification_category_id AND c.enterprise_id = NEW.enterprise_id) THEN
        RAISE EXCEPTION 'typ_notification_category_id % is not a category of enterprise %', NEW.typ_notification_category_id, NEW.enterprise_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF NEW.typ_notification_priority_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM notify.typ_notification_priority p WHERE p.id = NEW.typ_notification_priority_id AND p.enterprise_id = NEW.enterprise_id) THEN
        RAISE EXCEPTION 'typ_notification_priority_id % is not a priority of enterprise %', NEW.typ_notification_priority_id, NEW.enterprise_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;

    SELECT e.notification_id, e.transaction_id INTO v_id, v_transaction
    FROM notify.enqueue_notification(
        NEW.enterprise_id, NEW.notification_workflow_id, NEW.payload,
        (SELECT jsonb_agg(r::text ORDER BY o) FROM unnest(NEW.recipients) WITH ORDINALITY AS u (r, o)),
        NEW.scheduled_for, NEW.transaction_id, NEW.overrides, NEW.tags) AS e;

    -- The original's own columns. The rule must be the enterprise's (the table's foreign key says so: 23503).
    UPDATE notify.ent_notification n
    SET name = NEW.name,
        description = NEW.description,
        channels = NEW.channels,
        notification_category_id = coalesce(NEW.typ_notification_category_id, n.notification_category_id),
        notification_priority_id = NEW.typ_notification_priority_id,
        notification_rule_id = NEW.notification_rule_id,
        business_id = NEW.business_id,
        publish_status = 'PUBLISH'
    WHERE n.id = v_id
    RETURNING n.id, n.transaction_id, n.notification_category_id, n.workflow_version, n.created_at, n.updated_at, n.created_by
    INTO NEW.id, NEW.transaction_id, NEW.typ_notification_category_id, NEW.workflow_version, NEW.created_at, NEW.updated_at, NEW.created_by;
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION original_compat.insert_notification() FROM PUBLIC;
