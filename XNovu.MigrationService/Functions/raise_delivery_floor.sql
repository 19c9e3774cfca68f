-- xnovu:requires 0079_delivery_floor_parking
-- The claim's floor (issue 32): the lowest delivery id that may still be claimed within the next hour, so that the
-- claim plans with it as a constant and names only the day partitions at or above it (claim_deliveries).
-- Raised by a dispatcher now and then (every p_every_seconds at most, whichever replica comes first; the others
-- find the row locked or fresh and return null); lowered at once by whatever reopens an old delivery
-- (lower_delivery_floor, from restart_failed) or releases held ones (notify_enterprise_state_changed).
-- What it is raised to, from scratch each time, so a floor set too high by anything heals here:
-- - at most the second one hour ago: a transaction that began earlier may still commit a notification whose id it
--   took then (ids come from now(), the transaction's start); the day partitions are what prunes, so an hour costs
--   nothing but the first hour of a day;
-- - the day of the oldest notification still expanding (its deliveries are still being made, with its second:
--   delivery_id_range), through the expansion index; one from before the partitioning sends it to the bottom;
-- - the oldest day, the rows from before the partitioning first, holding a PROCESSING delivery (its lease may end)
--   or a PENDING one due within the hour, of an enterprise not deactivated. Day by day, oldest first, one probe of
--   the lease or due index each (a day with none is not read further); the first day found ends the walk.
-- What it leaves out: a delivery due more than an hour ahead (a schedule, a digest window, a retry far off) and the
-- held deliveries of a deactivated enterprise. Before this (0078) every open delivery counted, so one tenant's
-- notification scheduled months ahead made every claim of every tenant name every day since. Left out safely:
-- - the floor is written with the hour's end (counts_due_before), and the claim and next_delivery_due use it only
--   until then: if no raise succeeds for an hour, they read from the bottom, as before the floor existed;
-- - a delivery coming due is counted by a raise in its last hour (every 15 s by default), so the claim names its
--   day before it is due;
-- - reactivating an enterprise lowers the floor to the bottom in the same transaction; the next raise counts its
--   deliveries.
-- Race with a reopening: this holds the row from before it reads, and each read takes a new snapshot; a reopening
-- lowers the row in the transaction that reopens. One committed before the read is seen by it; one that commits
-- after it waits for the row and lowers it after this update. Before the switch (0053) nothing is partitioned and
-- the floor stays at the bottom.
-- Custom plans: the bounds are constants when planned, so each probe is pruned to its day.
-- History: 0078_delivery_floor. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.raise_delivery_floor(p_every_seconds integer)
 RETURNS bigint
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
 SET plan_cache_mode TO 'force_custom_plan'
 SET enable_seqscan TO 'off'
AS $function$
DECLARE
    v_raised_at timestamp with time zone;
    v_cutover bigint;
    v_switched boolean;
    v_open bigint;
    v_floor bigint;
    v_until timestamp with time zone := now() + interval '1 hour';
    v_held uuid[];
    v_low bigint;
    v_high bigint;
BEGIN
    SELECT f.raised_at INTO v_raised_at FROM notify.delivery_floor f FOR UPDATE SKIP LOCKED;
    IF NOT FOUND OR v_raised_at > now() - make_interval(secs => p_every_seconds) THEN
        RETURN NULL;
    END IF;
    SELECT s.cutover, s.switched INTO v_cutover, v_switched FROM notify.history_settings s;
    IF NOT v_switched OR EXISTS (SELECT 1 FROM notify.ent_notification n WHERE n.expansion_pending AND n.id < v_cutover) THEN
        v_floor := -9223372036854775808;
    ELSE
        v_floor := notify.history_id_floor(now() - interval '1 hour');
        SELECT min(n.id) INTO v_open FROM notify.ent_notification n WHERE n.expansion_pending AND n.id >= v_cutover AND n.id < v_floor;
        IF v_open IS NOT NULL THEN
            v_floor := (v_open >> 23) << 23;
        END IF;
        v_held := ARRAY(SELECT e.id FROM notify.enterprise e WHERE e.deactivated);
        FOR v_low, v_high IN
            SELECT -9223372036854775808, v_cutover
            UNION ALL
            SELECT notify.history_id_floor(x.day::timestamp AT TIME ZONE 'UTC'), notify.history_id_floor((x.day + 1)::timestamp AT TIME ZONE 'UTC')
            FROM (SELECT to_date(substring(c.relname FROM '_p(\d{8})$'), 'YYYYMMDD') AS day
                  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                  WHERE i.inhparent = 'notify.ent_notification_delivery'::regclass AND c.relname ~ '_p\d{8}$') x
            ORDER BY 1
        LOOP
            EXIT WHEN v_low >= v_floor;
            IF EXISTS (SELECT 1 FROM notify.ent_notification_delivery d
                       WHERE d.status = 'PROCESSING' AND d.id >= v_low AND d.id < v_high)
               OR EXISTS (SELECT 1 FROM notify.ent_notification_delivery d
                          WHERE d.status = 'PENDING' AND d.next_attempt_at < v_until AND d.id >= v_low AND d.id < v_high
                            AND d.enterprise_id <> ALL (v_held)) THEN
                v_floor := v_low;
                EXIT;
            END IF;
        END LOOP;
    END IF;
    UPDATE notify.delivery_floor SET open_from = v_floor, raised_at = now(), counts_due_before = v_until;
    RETURN v_floor;
END
$function$;
REVOKE ALL ON FUNCTION notify.raise_delivery_floor(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.raise_delivery_floor(integer) TO xnovu_dispatcher;
