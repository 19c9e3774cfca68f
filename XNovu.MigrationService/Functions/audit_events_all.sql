-- xnovu:requires 0041_versions_locales_audit
-- The admin's read of the audit trail across enterprises (an enterprise reads its own under row-level security),
-- newest first, paged by id.
-- (reasons first written in 0041_versions_locales_audit)
-- History: 0041_versions_locales_audit. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.audit_events_all(
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
