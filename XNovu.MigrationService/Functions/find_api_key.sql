-- Finds an API key by its public prefix, with its enterprise's state and its expiry; the caller compares the hash,
-- and the expiry with its own clock at every call (an expired key stops working even while the key is cached).
-- History: 0003_row_level_security, 0028_api_key_expiry (the expiry; a new result type, so 0028 dropped and made it
-- again). This file is the live definition: a change of result type still needs a numbered script that drops it.

CREATE OR REPLACE FUNCTION notify.find_api_key(p_prefix text)
    RETURNS TABLE (id uuid, enterprise_id uuid, key_hash bytea, revoked boolean, enterprise_deactivated boolean, expires_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    SELECT k.id, k.enterprise_id, k.key_hash, k.revoked_at IS NOT NULL, e.deactivated, k.expires_at
    FROM notify.enterprise_api_key k
    JOIN notify.enterprise e ON e.id = k.enterprise_id
    WHERE k.key_prefix = p_prefix
$$;
REVOKE ALL ON FUNCTION notify.find_api_key(text) FROM PUBLIC, xnovu_app;
GRANT EXECUTE ON FUNCTION notify.find_api_key(text) TO xnovu_api;
