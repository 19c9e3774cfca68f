-- The reconciler's turn: true for one caller per period.
-- (reasons first written in 0014_novu_workflow_sync)
-- History: 0014_novu_workflow_sync. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.begin_novu_reconcile(p_period_seconds double precision)
 RETURNS boolean
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
    WITH turn AS (
        UPDATE notify.novu_reconcile_state SET last_reconciled_at = now()
        WHERE last_reconciled_at <= now() - make_interval(secs => p_period_seconds * 0.9)
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM turn)
$function$;
REVOKE ALL ON FUNCTION notify.begin_novu_reconcile(double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.begin_novu_reconcile(double precision) TO xnovu_app;
