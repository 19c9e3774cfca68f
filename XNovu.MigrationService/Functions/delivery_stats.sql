-- Deliveries by outcome, of the last 24 hours. Retried: deliveries that needed more than one attempt, whatever
-- their outcome.
-- Why the window (issue 32): counting every delivery read the whole history on every GET /api/metrics: 7.4 GB with
-- 36 million of them (the same full read took 18 s in the benchmark's drain poll). Once the history is partitioned by day the id bound prunes to the last day's
-- one or two partitions when the plan starts (now() is fixed per statement); for the first day after the switch
-- the partition of the history from before it is read too (its range ends at the cutover). Deliveries from before
-- the switch (ids below the cutover) are not in the window; before the switch (nothing partitioned yet) every
-- delivery counts, as before.
-- (reasons first written in 0008_operations)
-- History: 0008_operations; the 24-hour window since issue 32. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.delivery_stats()
 RETURNS TABLE(sent bigint, failed bigint, retried bigint)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
DECLARE
    v_from bigint := CASE WHEN coalesce((SELECT s.switched FROM notify.history_settings s), false)
                          THEN notify.history_id_floor(now() - interval '24 hours')
                          ELSE -9223372036854775808 END;
BEGIN
    RETURN QUERY
    SELECT count(*) FILTER (WHERE d.status = 'SENT'),
           count(*) FILTER (WHERE d.status = 'FAILED'),
           count(*) FILTER (WHERE d.attempts > 1)
    FROM notify.ent_notification_delivery d
    WHERE d.id >= v_from;
END
$function$;
REVOKE ALL ON FUNCTION notify.delivery_stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.delivery_stats() TO xnovu_api;
