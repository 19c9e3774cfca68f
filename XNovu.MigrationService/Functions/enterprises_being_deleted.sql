-- The enterprises whose deletion is under way, oldest first, for the purge job.
-- (reasons first written in 0011_offboarding)
-- History: 0011_offboarding. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.enterprises_being_deleted()
 RETURNS TABLE(id uuid)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    SELECT id FROM notify.enterprise WHERE deleted_at IS NOT NULL ORDER BY deleted_at, id
$function$;
REVOKE ALL ON FUNCTION notify.enterprises_being_deleted() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.enterprises_being_deleted() TO xnovu_app;
