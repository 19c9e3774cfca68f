-- Keys that expire, and per-enterprise management rates (issue 26).
--
-- The console creates a key for an admin's session in an enterprise and revokes it at sign-out; an admin who
-- never signs out left a working key behind forever. A key may now carry expires_at, which authentication
-- checks on every call (the console's keys get one, XNovu:Console:SessionKeyLifetime), so an expired key stops
-- working at the API even when the console is down. Nullable, no default: existing and admin-made keys keep
-- never expiring, and adding the column rewrites nothing.
ALTER TABLE notify.enterprise_api_key ADD COLUMN expires_at timestamptz;

-- The lookup answers the expiry too, so that the API compares it with its own clock at each call, not only
-- when its short cache of the key is refreshed. Its result type changes, so it is dropped and created again
-- (same body otherwise as 0003), and its grants are those of 0013.
DROP FUNCTION notify.find_api_key(text);
CREATE FUNCTION notify.find_api_key(p_prefix text)
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

-- Every enterprise route is rate limited per enterprise and route class (XNovu.Api/RateLimiting). The admin's
-- override may set the management rates too; null keeps the configured ones. A small table, one row per
-- enterprise with an override.
ALTER TABLE notify.enterprise_rate_limit
    ADD COLUMN writes_per_second integer CHECK (writes_per_second > 0),
    ADD COLUMN reads_per_second integer CHECK (reads_per_second > 0);

