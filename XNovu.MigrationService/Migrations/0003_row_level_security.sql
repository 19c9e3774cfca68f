-- Row-level security: every enterprise table is sealed by enterprise_id, for every role but the owner
-- (FORCE applies the policies to the owner too). The services connect as xnovu_app, which owns nothing,
-- has no BYPASSRLS, and sees only the rows of the enterprise named by the transaction-local setting
-- app.current_enterprise_id. With the setting absent it sees and writes nothing.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'xnovu_app') THEN
        -- LOGIN and its password are set by the migrator from configuration, never in a script.
        CREATE ROLE xnovu_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
END
$$;

CREATE FUNCTION notify.current_enterprise_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(current_setting('app.current_enterprise_id', true), '')::uuid $$;

GRANT USAGE ON SCHEMA notify TO xnovu_app;
GRANT USAGE ON TYPE notify.notification_channel_type, notify.notification_workflow_type,
    notify.notification_status, notify.publish_status, notify.rule_trigger_type TO xnovu_app;
GRANT EXECUTE ON FUNCTION notify.current_enterprise_id() TO xnovu_app;

ALTER TABLE notify.enterprise ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify.enterprise FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notify.enterprise
    USING (id = notify.current_enterprise_id())
    WITH CHECK (id = notify.current_enterprise_id());
GRANT SELECT, INSERT, UPDATE ON notify.enterprise TO xnovu_app;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'enterprise_api_key',
        'typ_notification_category',
        'typ_notification_priority',
        'ent_notification_template',
        'ent_notification_workflow',
        'ent_notification_rule',
        'ent_notification']
    LOOP
        EXECUTE format('ALTER TABLE notify.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE notify.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON notify.%I USING (enterprise_id = notify.current_enterprise_id()) '
            'WITH CHECK (enterprise_id = notify.current_enterprise_id())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON notify.%I TO xnovu_app', t);
    END LOOP;
END
$$;

GRANT SELECT ON notify.v_workflow_stats, notify.v_notification_stats TO xnovu_app;

-- The narrow paths that must cross enterprises. Each is SECURITY DEFINER (runs as the owner, to whom
-- FORCE'd policies still apply, so each sets row_security off for itself only), does one thing, and
-- returns only what that one thing needs.

-- Finds the enterprise of an API key by its public prefix; the caller compares the hash.
CREATE FUNCTION notify.find_api_key(p_prefix text)
    RETURNS TABLE (id uuid, enterprise_id uuid, key_hash bytea, revoked boolean, enterprise_deactivated boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    SELECT k.id, k.enterprise_id, k.key_hash, k.revoked_at IS NOT NULL, e.deactivated
    FROM notify.enterprise_api_key k
    JOIN notify.enterprise e ON e.id = k.enterprise_id
    WHERE k.key_prefix = p_prefix
$$;

-- The admin's list of enterprises (the admin key is checked by the API before it calls this).
CREATE FUNCTION notify.list_enterprises()
    RETURNS TABLE (id uuid, name text, description text, deactivated boolean, created_at timestamptz, updated_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    SELECT id, name, description, deactivated, created_at, updated_at FROM notify.enterprise ORDER BY created_at, id
$$;

-- Registry statistics across enterprises: counts only, no rows.
CREATE FUNCTION notify.workflow_registry_stats()
    RETURNS TABLE (dynamic_workflows bigint, enterprises bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    SELECT (SELECT count(*) FROM notify.ent_notification_workflow
            WHERE workflow_type = 'DYNAMIC' AND publish_status = 'PUBLISH' AND deactivated = false),
           (SELECT count(*) FROM notify.enterprise WHERE deactivated = false)
$$;

REVOKE ALL ON FUNCTION notify.find_api_key(text), notify.list_enterprises(), notify.workflow_registry_stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.find_api_key(text), notify.list_enterprises(), notify.workflow_registry_stats() TO xnovu_app;
