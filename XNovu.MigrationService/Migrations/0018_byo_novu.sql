-- Bring your own Novu (issue 12, part 2). An enterprise may deliver through its own Novu environment (its API
-- URL and secret key) instead of the shared one. The secret key is stored encrypted by ASP.NET Core Data
-- Protection, whose key ring lives here too, so every API and dispatcher replica shares it: the API encrypts
-- (and may create ring keys), the dispatcher only decrypts.
--
-- A 401 or 403 from Novu means XNovu's credentials are wrong, not that a notification is bad: the dispatcher
-- then pauses that environment's deliveries (PENDING, the claim's attempt given back, novu_paused set) instead
-- of failing them. Changing an enterprise's environment wakes its paused deliveries and re-syncs its workflows.

-- Data Protection's key ring (IXmlRepository): one XML element per key, never updated or deleted by XNovu.
CREATE TABLE notify.data_protection_key (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    friendly_name text NOT NULL UNIQUE,
    xml           text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT ON notify.data_protection_key TO xnovu_api;
GRANT SELECT ON notify.data_protection_key TO xnovu_dispatcher;

-- An enterprise's own Novu environment. secret_key is Data Protection's ciphertext, never the key itself.
CREATE TABLE notify.enterprise_novu (
    enterprise_id uuid PRIMARY KEY REFERENCES notify.enterprise (id) ON DELETE CASCADE,
    api_url       text NOT NULL CHECK (api_url ~ '^https?://'),
    secret_key    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE notify.enterprise_novu ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify.enterprise_novu FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notify.enterprise_novu
    USING (enterprise_id = notify.current_enterprise_id())
    WITH CHECK (enterprise_id = notify.current_enterprise_id());
-- Only the admin API writes it, in the enterprise's scope; both services read every environment through
-- notify.novu_environments() below.
GRANT SELECT, INSERT, UPDATE, DELETE ON notify.enterprise_novu TO xnovu_api;

-- A delivery held because Novu refused XNovu's credentials for its environment.
ALTER TABLE notify.ent_notification_delivery ADD COLUMN novu_paused boolean NOT NULL DEFAULT false;

-- Every enterprise's own environment (the one read across enterprises): live enterprises only.
CREATE FUNCTION notify.novu_environments()
    RETURNS TABLE (enterprise_id uuid, api_url text, secret_key text, updated_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    SELECT n.enterprise_id, n.api_url, n.secret_key, n.updated_at
    FROM notify.enterprise_novu n
    JOIN notify.enterprise e ON e.id = n.enterprise_id
    WHERE e.deleted_at IS NULL
$$;
REVOKE ALL ON FUNCTION notify.novu_environments() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.novu_environments() TO xnovu_api, xnovu_dispatcher;

-- In the writer's transaction: the enterprise's workflows sync to the environment it now uses, its paused
-- deliveries are due now, and every process drops its cached client for the enterprise.
CREATE FUNCTION notify.enterprise_novu_changed()
    RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
DECLARE
    v_enterprise uuid := coalesce(NEW.enterprise_id, OLD.enterprise_id);
BEGIN
    UPDATE notify.novu_workflow_sync
    SET status = CASE WHEN status = 'synced' THEN 'pending' ELSE status END,
        generation = generation + 1, attempts = 0, next_attempt_at = now(), updated_at = now()
    WHERE enterprise_id = v_enterprise;

    UPDATE notify.ent_notification_delivery
    SET next_attempt_at = now(), updated_at = now()
    WHERE enterprise_id = v_enterprise AND status = 'PENDING' AND novu_paused;

    PERFORM pg_notify('xnovu_novu_environment', v_enterprise::text);
    PERFORM pg_notify('xnovu_novu_sync', '');
    PERFORM pg_notify('xnovu_dispatch', '');
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION notify.enterprise_novu_changed() FROM PUBLIC;

CREATE TRIGGER trg_enterprise_novu_changed
    AFTER INSERT OR UPDATE OR DELETE ON notify.enterprise_novu
    FOR EACH ROW EXECUTE FUNCTION notify.enterprise_novu_changed();

-- As in 0005, plus the outcome 'paused': PENDING again at retryAt, the attempt the claim counted given back
-- (a refused credential is XNovu's fault, not the notification's), the reason kept in last_error.
CREATE OR REPLACE FUNCTION notify.complete_deliveries(p_worker text, p_results jsonb)
    RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
DECLARE
    v_updated integer;
BEGIN
    WITH results AS (
        SELECT (r ->> 'id')::bigint AS id,
               r ->> 'outcome' AS outcome,
               (r ->> 'retryAt')::timestamptz AS retry_at,
               r ->> 'novuStatus' AS novu_status,
               r -> 'error' AS error
        FROM jsonb_array_elements(p_results) AS r
    ), done AS (
        UPDATE notify.ent_notification_delivery d
        SET status = CASE r.outcome WHEN 'sent' THEN 'SENT' WHEN 'retry' THEN 'PENDING' WHEN 'paused' THEN 'PENDING'
                         ELSE 'FAILED' END::notify.notification_status,
            next_attempt_at = CASE WHEN r.outcome IN ('retry', 'paused') THEN coalesce(r.retry_at, now()) ELSE d.next_attempt_at END,
            attempts = CASE WHEN r.outcome = 'paused' THEN greatest(d.attempts - 1, 0) ELSE d.attempts END,
            novu_paused = (r.outcome = 'paused'),
            sent_at = CASE WHEN r.outcome = 'sent' THEN now() ELSE d.sent_at END,
            novu_status = coalesce(r.novu_status, d.novu_status),
            last_error = CASE WHEN r.outcome = 'sent' THEN d.last_error ELSE r.error END,
            lease_expires_at = NULL,
            updated_at = now()
        FROM results r
        WHERE d.id = r.id AND d.status = 'PROCESSING' AND d.lease_owner = p_worker
        RETURNING d.notification_id
    )
    SELECT count(*) INTO v_updated FROM done;

    PERFORM notify.refresh_notification_status(ARRAY(
        SELECT DISTINCT d.notification_id FROM notify.ent_notification_delivery d
        WHERE d.id IN (SELECT (r ->> 'id')::bigint FROM jsonb_array_elements(p_results) AS r)));
    RETURN v_updated;
END
$$;
