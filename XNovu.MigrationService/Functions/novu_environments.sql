-- Every enterprise's own environment (the one read across enterprises): live enterprises only.
-- (reasons first written in 0018_byo_novu)
-- History: 0018_byo_novu. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.novu_environments()
 RETURNS TABLE(enterprise_id uuid, api_url text, secret_key text, updated_at timestamp with time zone)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    SELECT n.enterprise_id, n.api_url, n.secret_key, n.updated_at
    FROM notify.enterprise_novu n
    JOIN notify.enterprise e ON e.id = n.enterprise_id
    WHERE e.deleted_at IS NULL
$function$;
REVOKE ALL ON FUNCTION notify.novu_environments() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.novu_environments() TO xnovu_api, xnovu_dispatcher;
