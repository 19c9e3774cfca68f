-- xnovu:requires 0066_enterprise_retention_functions
-- An enterprise's own retention (issue 32, notify.enterprise.retention_days): the creation time before which its
-- finished notifications are past it, or -infinity when it keeps the deployment's. The one rule read by the
-- dispatchers' delete (purge_enterprise_history) and by the API's notification reads, which hide what the delete
-- has not reached yet. SECURITY INVOKER: in a tenant's session row-level security shows its own enterprise only.

CREATE OR REPLACE FUNCTION notify.history_kept_since(p_enterprise uuid)
 RETURNS timestamp with time zone
 LANGUAGE sql
 STABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'notify'
AS $function$
    SELECT coalesce((SELECT now() - make_interval(days => e.retention_days) FROM notify.enterprise e WHERE e.id = p_enterprise),
                    '-infinity'::timestamp with time zone)
$function$;
