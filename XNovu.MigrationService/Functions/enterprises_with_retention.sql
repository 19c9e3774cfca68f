-- xnovu:requires 0066_enterprise_retention_functions
-- Issue 32: the enterprises that keep their history shorter than the deployment (retention_days set), for the
-- dispatchers' retention pass, which deletes past it (purge_enterprise_history). Enterprises being deleted are left
-- to offboarding. SECURITY DEFINER: it reads across enterprises, as retention does.

CREATE OR REPLACE FUNCTION notify.enterprises_with_retention()
 RETURNS TABLE(enterprise_id uuid, retention_days integer)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    SELECT id, retention_days FROM notify.enterprise
    WHERE retention_days IS NOT NULL AND deleted_at IS NULL
    ORDER BY id
$function$;
REVOKE ALL ON FUNCTION notify.enterprises_with_retention() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.enterprises_with_retention() TO xnovu_dispatcher;
