-- Templates as a team edits them (issue 30): versions, locales, translation catalogs and an audit trail.
--
-- Versions. A template row is now its draft: a write changes the row, never what is sent. A publish copies the
-- row into ent_template_version as the next immutable version and points live_version at it; the dispatcher
-- renders the live version. A rollback copies an older version into a new one. live_version stays NULL for a
-- template published before this script: it keeps being sent from its row until its next publish, so nothing
-- needs a backfill. A workflow's publish keeps a snapshot of its definition in ent_workflow_version the same way.
--
-- Locales. A template carries per-locale variants ({"fr": {"subject": ..., "body": ...}}) in locales; an
-- enterprise has a default locale and one translation catalog per locale, which the `t` filter reads.
--
-- Each delivery records how it was rendered (rendering: {"locale", "workflowVersion", "templates": {key: version}}),
-- written once by complete_deliveries and read again by the dispatcher when the delivery is sent again, so a
-- re-send renders with the versions of its first render.
--
-- Audit. Every write of a definition made through the API is recorded by a trigger, in the same transaction as
-- the write: who (the session's app.actor, set by the API per request), the request, the entity and the fields
-- that changed. The same trigger fills created_by and updated_by. Writes with no actor (the dispatcher's own
-- bookkeeping, migrations) are not the API's and are not recorded. Subscribers and topics are not audited: the
-- trigger path writes subscriber profiles, and a row trigger there would slow every trigger.
--
-- Every new column (0040) is nullable or has a constant default: adding it rewrites nothing.

CREATE TABLE notify.ent_template_version (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id    uuid NOT NULL REFERENCES notify.enterprise (id),
    template_key     text NOT NULL,
    version          integer NOT NULL CHECK (version > 0),
    channel_type     notify.notification_channel_type NOT NULL,
    subject_template text,
    body_template    text NOT NULL,
    locales          jsonb NOT NULL DEFAULT '{}',
    payload_at_root  boolean,
    -- Why this version exists when it is not a plain publish ("rollback to 2").
    note             text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text,
    UNIQUE (enterprise_id, template_key, version)
);

CREATE TABLE notify.ent_workflow_version (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id uuid NOT NULL REFERENCES notify.enterprise (id),
    workflow_key  text NOT NULL,
    version       integer NOT NULL CHECK (version > 0),
    -- The definition as published: channels, template per channel, payload schema, category.
    definition    jsonb NOT NULL,
    note          text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text,
    UNIQUE (enterprise_id, workflow_key, version)
);

CREATE TABLE notify.ent_translation_catalog (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id uuid NOT NULL REFERENCES notify.enterprise (id),
    -- Normalised by the API: language lower case, region upper case, '-' between (fr, fr-BE).
    locale        text NOT NULL CHECK (length(locale) BETWEEN 2 AND 35),
    entries       jsonb NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text,
    updated_by    text,
    UNIQUE (enterprise_id, locale)
);

CREATE TABLE notify.audit_event (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id uuid NOT NULL REFERENCES notify.enterprise (id),
    at            timestamptz NOT NULL DEFAULT now(),
    -- 'api-key:<id>' or 'admin'.
    actor         text NOT NULL,
    -- The route that made the write: 'POST /api/templates/{templateKey}/publish'.
    request       text,
    entity_type   text NOT NULL,
    entity_key    text,
    action        text NOT NULL CHECK (action IN ('created', 'updated', 'deleted')),
    -- The fields an update changed (names only: bodies can be large, and the versions hold the content).
    changed       text[]
);
CREATE INDEX ix_audit_event_enterprise ON notify.audit_event (enterprise_id, id DESC);
CREATE INDEX ix_audit_event_entity ON notify.audit_event (enterprise_id, entity_type, entity_key, id DESC);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['ent_template_version', 'ent_workflow_version', 'ent_translation_catalog', 'audit_event']
    LOOP
        EXECUTE format('ALTER TABLE notify.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE notify.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON notify.%I USING (enterprise_id = notify.current_enterprise_id()) '
            'WITH CHECK (enterprise_id = notify.current_enterprise_id())', t);
    END LOOP;
END
$$;

-- Versions and audit events are never changed or removed by the services: only read and added.
GRANT SELECT, INSERT ON notify.ent_template_version, notify.ent_workflow_version, notify.audit_event TO xnovu_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON notify.ent_translation_catalog TO xnovu_app;

-- The one place a write's author is recorded (see the header). Its arguments: the entity type as the audit
-- names it, and the column that is the entity's key.
CREATE FUNCTION notify.audit_write()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, notify
AS $$
DECLARE
    v_actor text := nullif(current_setting('app.actor', true), '');
    v_row jsonb;
    v_changed text[];
BEGIN
    IF v_actor IS NULL THEN
        RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
    END IF;

    IF TG_WHEN = 'BEFORE' THEN
        -- created_by and updated_by, on the tables that have them.
        v_row := to_jsonb(NEW);
        IF v_row ? 'updated_by' THEN
            NEW := jsonb_populate_record(NEW, jsonb_build_object('updated_by', v_actor));
        END IF;
        IF TG_OP = 'INSERT' AND v_row ? 'created_by' AND v_row ->> 'created_by' IS NULL THEN
            NEW := jsonb_populate_record(NEW, jsonb_build_object('created_by', v_actor));
        END IF;
        RETURN NEW;
    END IF;

    IF TG_OP = 'UPDATE' THEN
        SELECT array_agg(n.key ORDER BY n.key) INTO v_changed
        FROM jsonb_each(to_jsonb(NEW)) n
        WHERE n.key NOT IN ('updated_at', 'updated_by') AND (to_jsonb(OLD) -> n.key) IS DISTINCT FROM n.value;
        IF v_changed IS NULL THEN
            RETURN NEW;
        END IF;
    END IF;

    v_row := CASE TG_OP WHEN 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END;
    INSERT INTO notify.audit_event (enterprise_id, actor, request, entity_type, entity_key, action, changed)
    VALUES ((v_row ->> 'enterprise_id')::uuid, v_actor, nullif(current_setting('app.request', true), ''),
            TG_ARGV[0], v_row ->> TG_ARGV[1],
            CASE TG_OP WHEN 'INSERT' THEN 'created' WHEN 'UPDATE' THEN 'updated' ELSE 'deleted' END, v_changed);
    RETURN NULL;
END
$$;

-- The admin reads every enterprise's trail; an enterprise reads its own through row-level security.
CREATE FUNCTION notify.audit_events_all(
    p_enterprise_id uuid, p_entity_type text, p_entity_key text, p_from timestamptz, p_to timestamptz, p_before_id bigint, p_limit integer)
    RETURNS SETOF notify.audit_event
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    SELECT * FROM notify.audit_event a
    WHERE (p_enterprise_id IS NULL OR a.enterprise_id = p_enterprise_id)
      AND (p_entity_type IS NULL OR a.entity_type = p_entity_type)
      AND (p_entity_key IS NULL OR a.entity_key = p_entity_key)
      AND (p_from IS NULL OR a.at >= p_from)
      AND (p_to IS NULL OR a.at < p_to)
      AND (p_before_id IS NULL OR a.id < p_before_id)
    ORDER BY a.id DESC
    LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION notify.audit_events_all(uuid, text, text, timestamptz, timestamptz, bigint, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.audit_events_all(uuid, text, text, timestamptz, timestamptz, bigint, integer) TO xnovu_api;

-- Last, so that the tables these triggers go on are locked (SHARE ROW EXCLUSIVE) only for the commit. The migrator
-- cannot read the tables of a DO block's dynamic SQL, so the existing ones are locked here, NOWAIT: a busy table
-- refuses at once (the migrator tries the script again a moment later) instead of queueing its writers behind us.
LOCK TABLE notify.ent_notification_template, notify.ent_notification_workflow, notify.ent_notification_rule,
    notify.typ_notification_category, notify.typ_notification_priority IN SHARE ROW EXCLUSIVE MODE NOWAIT;
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('ent_notification_template', 'template', 'template_key'),
        ('ent_notification_workflow', 'workflow', 'workflow_key'),
        ('ent_notification_rule', 'rule', 'id'),
        ('typ_notification_category', 'category', 'code'),
        ('typ_notification_priority', 'priority', 'code'),
        ('ent_translation_catalog', 'translations', 'locale'),
        ('ent_template_version', 'template-version', 'template_key'),
        ('ent_workflow_version', 'workflow-version', 'workflow_key')) AS v (tbl, entity, key_column)
    LOOP
        EXECUTE format('CREATE TRIGGER audit_authors BEFORE INSERT OR UPDATE ON notify.%I '
                       'FOR EACH ROW EXECUTE FUNCTION notify.audit_write(%L, %L)', t.tbl, t.entity, t.key_column);
        EXECUTE format('CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON notify.%I '
                       'FOR EACH ROW EXECUTE FUNCTION notify.audit_write(%L, %L)', t.tbl, t.entity, t.key_column);
    END LOOP;
END
$$;
