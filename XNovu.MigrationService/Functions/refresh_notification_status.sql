-- xnovu:requires 0071_history_rows
-- A notification's status is a roll-up of its deliveries. Two dispatcher batches that complete different
-- deliveries of one notification at the same time each computed the roll-up from a snapshot that could not
-- see the other's uncommitted rows, so both wrote PROCESSING and the notification stayed PROCESSING after
-- every delivery was SENT (seen with a 2,000-member topic split across two replicas' batches).
-- The roll-up now locks the notifications first, in id order, and only then aggregates in a new statement:
-- a volatile plpgsql function takes a fresh snapshot per statement, so the second transaction, having
-- waited for the first's lock, sees the first's committed deliveries. A topic notification still expanding
-- stays PROCESSING even when every delivery created so far is done.
-- (reasons first written in 0016_notification_status_race)
-- The deliveries are read in the id span of the notifications' delivery_id_range (issue 32): the partitions of
-- their days, not every day's index.
-- History: 0005_deliveries_and_dispatch, 0016_notification_status_race, 0020_dispatch_plans. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.refresh_notification_status(p_notification_ids bigint[])
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
DECLARE
    v_low bigint;
    v_high bigint;
BEGIN
    -- delivery_id_range grows with the notification id: the lowest id's lower bound to the highest's upper one.
    SELECT lower(notify.delivery_id_range(min(x))), upper(notify.delivery_id_range(max(x)))
    INTO v_low, v_high
    FROM unnest(p_notification_ids) AS x;

    PERFORM 1 FROM notify.ent_notification n
    WHERE n.id = ANY (p_notification_ids)
    ORDER BY n.id
    FOR NO KEY UPDATE;

    WITH agg AS (
        SELECT d.notification_id,
               count(*) FILTER (WHERE d.status IN ('PENDING', 'PROCESSING')) AS open,
               count(*) FILTER (WHERE d.status = 'FAILED') AS failed,
               (array_agg(d.last_error ORDER BY d.updated_at DESC) FILTER (WHERE d.status = 'FAILED'))[1] AS last_error
        FROM notify.ent_notification_delivery d
        WHERE d.notification_id = ANY (p_notification_ids)
          AND d.id >= v_low AND d.id < v_high
        GROUP BY d.notification_id
    )
    UPDATE notify.ent_notification n
    SET notification_status = CASE
            WHEN agg.open > 0 OR n.expansion_pending THEN 'PROCESSING'
            WHEN agg.failed > 0 THEN 'FAILED'
            ELSE 'SENT' END::notify.notification_status,
        processed_at = CASE WHEN agg.open = 0 AND NOT n.expansion_pending THEN now() ELSE n.processed_at END,
        error_details = CASE WHEN agg.open = 0 AND NOT n.expansion_pending AND agg.failed > 0 THEN agg.last_error ELSE NULL END,
        updated_at = now()
    FROM agg
    WHERE n.id = agg.notification_id AND n.notification_status NOT IN ('RETRACTED');
END
$function$;
REVOKE ALL ON FUNCTION notify.refresh_notification_status(bigint[]) FROM PUBLIC;
