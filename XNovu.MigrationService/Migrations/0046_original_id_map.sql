-- The original's own ids through original_compat (issue 34). A writer of the original that inserts the original's ids
-- (a notification_workflow_id read from its own table, or hard-coded) reached the wrong row, or none, after the
-- cutover: 0045 took only XNovu's ids. xnovu import now records, per XNovu enterprise, which XNovu definition each
-- of the original's ids became (PUT /api/original-ids), and original_compat.ent_notification's trigger translates
-- through that map. The two number spaces overlap (the original's workflow 300 may be XNovu's workflow 300 of
-- another enterprise), so per enterprise and kind an id is read one way only: once the enterprise has a map of a
-- kind, an id of that kind is the original's (mapped: translated; mapped to nothing, i.e. seen but not brought, or
-- not in the map: refused with 23503, never read as an XNovu id); with no map of that kind it is XNovu's, as under
-- 0045. The map is keyed by the XNovu enterprise, so another enterprise's map never applies.

-- One row per original id the import saw, per kind. xnovu_id null: the original's definition was not brought. No
-- foreign key (it points into one of several tables by kind): a deleted definition is caught by the trigger's checks.
CREATE TABLE notify.original_id_map (
    enterprise_id uuid NOT NULL REFERENCES notify.enterprise (id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('workflow', 'category', 'priority', 'rule', 'template')),
    original_id   bigint NOT NULL CHECK (original_id > 0),
    xnovu_id      bigint,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (enterprise_id, kind, original_id)
);
ALTER TABLE notify.original_id_map ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify.original_id_map FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notify.original_id_map
    USING (enterprise_id = notify.current_enterprise_id())
    WITH CHECK (enterprise_id = notify.current_enterprise_id());
-- The API writes it in the enterprise's scope (an upsert, hence SELECT and UPDATE); the compat trigger reads it as
-- its owner.
GRANT SELECT, INSERT, UPDATE ON notify.original_id_map TO xnovu_api;

-- XNovu's id for one of the original's ids in the enterprise (see above): the mapped one; 23503 for one mapped to
-- nothing or not in a map of that kind; the id itself when the enterprise has no map of that kind (an XNovu id,
-- which the caller checks like any other). Two primary-key probes at most.
CREATE FUNCTION original_compat.xnovu_id(p_enterprise uuid, p_kind text, p_id bigint) RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
DECLARE
    v_mapped bigint;
BEGIN
    IF p_id IS NULL OR p_enterprise IS NULL THEN
        RETURN p_id;
    END IF;
    SELECT m.xnovu_id INTO v_mapped
    FROM notify.original_id_map m
    WHERE m.enterprise_id = p_enterprise AND m.kind = p_kind AND m.original_id = p_id;
    IF FOUND AND v_mapped IS NOT NULL THEN
        RETURN v_mapped;
    END IF;
    IF FOUND THEN
        RAISE EXCEPTION 'the original''s % id % was not brought to XNovu (see the import''s report)', p_kind, p_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM notify.original_id_map m WHERE m.enterprise_id = p_enterprise AND m.kind = p_kind) THEN
        RAISE EXCEPTION '% id % is not one of the original''s % ids of enterprise % (after an import, original_compat takes the original''s ids)',
            p_kind, p_id, p_kind, p_enterprise
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN p_id;
END
$$;

-- 0045's trigger function, translating the four ids first; the rest is unchanged.
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

ALTER FUNCTION original_compat.xnovu_id(uuid, text, bigint) OWNER TO xnovu_owner;
REVOKE ALL ON FUNCTION original_compat.xnovu_id(uuid, text, bigint) FROM PUBLIC;
