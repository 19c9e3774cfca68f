-- Enterprises being deleted are gone for the admin already.
-- (reasons first written in 0011_offboarding)
-- History: 0003_row_level_security, 0011_offboarding. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.list_enterprises()
 RETURNS TABLE(id uuid, name text, description text, deactivated boolean, created_at timestamp with time zone, updated_at timestamp with time zone)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    SELECT id, name, description, deactivated, created_at, updated_at FROM notify.enterprise
    WHERE deleted_at IS NULL
    ORDER BY created_at, id
$function$;
REVOKE ALL ON FUNCTION notify.list_enterprises() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.list_enterprises() TO xnovu_api;
