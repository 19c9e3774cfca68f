-- The original XNovu's SQL writers, unchanged (issue 34). The original's code inserted notifications into its
-- notify.ent_notification (psychomelet/xnovu supabase/sql/schema.sql, 86f4b06): a required name, the category and
-- priority as typ_notification_category_id / typ_notification_priority_id, recipients UUID[], channels an enum
-- array, tags, business_id, PENDING by default, sent only when publish_status is PUBLISH. XNovu's table has other
-- names and types, so such an INSERT fails there. original_compat.ent_notification has the original's columns and
-- types; a writer reaches it by its search_path (unqualified INSERT INTO ent_notification) or by one rename
-- (notify. to original_compat., e.g. supabase-js .schema('original_compat')). Its INSTEAD OF trigger enqueues
-- through notify.enqueue_notification, so a row gets exactly that function's checks and SQLSTATEs, and then the
-- original's own columns. Ids (workflow, category, priority, rule) are XNovu's: see docs/operations.md, cutover.

CREATE SCHEMA original_compat;

-- Reading goes through the caller's rights (security_invoker), so a writer that may only insert reads nothing;
-- its SELECT grant serves INSERT ... RETURNING, which the original's writers used (.insert().select()).
CREATE VIEW original_compat.ent_notification WITH (security_invoker = true) AS
SELECT n.id,
       n.name,
       n.description,
       n.publish_status,
       n.deactivated,
       n.notification_category_id AS typ_notification_category_id,
       n.notification_priority_id AS typ_notification_priority_id,
       n.notification_workflow_id,
       n.notification_rule_id,
       n.notification_status,
       n.business_id,
       n.payload,
       -- Subscriber ids that are UUIDs, as the original's column could only hold those.
       ARRAY(SELECT s::uuid
             FROM jsonb_array_elements(n.recipients) WITH ORDINALITY AS r (value, ordinal),
                  LATERAL (SELECT coalesce(r.value ->> 'subscriberId', r.value #>> '{}') AS s) AS id
             WHERE id.s ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
             ORDER BY r.ordinal) AS recipients,
       n.channels,
       n.overrides,
       n.tags,
       n.transaction_id,
       n.scheduled_for,
       n.processed_at,
       n.retracted_at,
       n.retraction_reason,
       n.error_details,
       n.workflow_version,
       n.enterprise_id,
       n.created_at,
       n.created_by,
       n.updated_at,
       n.updated_by
FROM notify.ent_notification n;

-- The original's column defaults, so a writer that leaves a column out gets what it got there.
ALTER VIEW original_compat.ent_notification ALTER COLUMN publish_status SET DEFAULT 'DRAFT';
ALTER VIEW original_compat.ent_notification ALTER COLUMN deactivated SET DEFAULT false;
ALTER VIEW original_compat.ent_notification ALTER COLUMN notification_status SET DEFAULT 'PENDING';
ALTER VIEW original_compat.ent_notification ALTER COLUMN channels SET DEFAULT ARRAY['IN_APP']::notify.notification_channel_type[];
ALTER VIEW original_compat.ent_notification ALTER COLUMN workflow_version SET DEFAULT 1;

-- One original row into XNovu. The original's NOT NULL columns are refused with its SQLSTATE (23502); a row the
-- original would never have sent (not PENDING, not PUBLISH) is refused rather than sent; everything else is
-- enqueue_notification's: 22023 for bad input, 23503 for an enterprise or workflow that is not there, 55000 for
-- one not published, 23505 for a transaction id already used. A refusal raises, so nothing of the statement stays.
-- Lives in this script, not in Functions/ (that rule covers notify and public): a change is a new numbered script.
CREATE FUNCTION original_compat.insert_notification() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
DECLARE
    v_id bigint;
    v_transaction text;
BEGIN
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

CREATE TRIGGER trg_original_insert
    INSTEAD OF INSERT ON original_compat.ent_notification
    FOR EACH ROW EXECUTE FUNCTION original_compat.insert_notification();

ALTER SCHEMA original_compat OWNER TO xnovu_owner;
ALTER VIEW original_compat.ent_notification OWNER TO xnovu_owner;
ALTER FUNCTION original_compat.insert_notification() OWNER TO xnovu_owner;

REVOKE ALL ON FUNCTION original_compat.insert_notification() FROM PUBLIC;
GRANT USAGE ON SCHEMA original_compat TO xnovu_writer, xnovu_app;
GRANT SELECT, INSERT ON original_compat.ent_notification TO xnovu_writer, xnovu_app;
