-- Issue 32: a dispatcher that stops gives back at once the claims it could not finish in its drain, instead of
-- leaving them to wait out their lease after a rolling deploy. Its reasons and live definition:
-- Functions/release_deliveries.sql.

CREATE OR REPLACE FUNCTION notify.release_deliveries(p_worker text)
 RETURNS integer
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $$
    WITH released AS (
        UPDATE notify.ent_notification_delivery d
        SET lease_expires_at = now(), updated_at = now()
        WHERE d.status = 'PROCESSING' AND d.lease_expires_at > now() AND d.lease_owner = p_worker
        RETURNING 1
    )
    SELECT count(*)::integer FROM released;
$$;
REVOKE ALL ON FUNCTION notify.release_deliveries(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.release_deliveries(text) TO xnovu_dispatcher;
