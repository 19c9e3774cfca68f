-- Finds the enterprise of an API key by its public prefix; the caller compares the hash.
-- (reasons first written in 0003_row_level_security)
-- History: 0003_row_level_security. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.find_api_key(p_prefix text)
 RETURNS TABLE(id uuid, enterprise_id uuid, key_hash bytea, revoked boolean, enterprise_deactivated boolean)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    SELECT k.id, k.enterprise_id, k.key_hash, k.revoked_at IS NOT NULL, e.deactivated
    FROM notify.enterprise_api_key k
    JOIN notify.enterprise e ON e.id = k.enterprise_id
    WHERE k.key_prefix = p_prefix
$function$;
REVOKE ALL ON FUNCTION notify.find_api_key(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.find_api_key(text) TO xnovu_api;
