-- xnovu:requires 0041_versions_locales_audit
-- The one place a write's author is recorded: created_by and updated_by before the write, an audit_event row after
-- it, both from the session's app.actor, which the API sets per request (XNovuDatabase). No actor, no record: the
-- dispatcher's own bookkeeping and migrations are not writes through the API. An update that changes nothing but
-- its timestamps is not recorded. Arguments: the entity type as the audit names it, and the entity's key column.
-- (reasons first written in 0041_versions_locales_audit)
-- History: 0041_versions_locales_audit. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.audit_write()
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
