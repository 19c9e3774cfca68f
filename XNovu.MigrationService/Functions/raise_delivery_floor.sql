-- xnovu:requires 0078_delivery_floor
-- The claim's floor (issue 32): the lowest delivery id that may still be open (PENDING or PROCESSING), so that the
-- claim plans with it as a constant and names only the day partitions at or above it (claim_deliveries).
-- Raised by a dispatcher now and then (every p_every_seconds at most, whichever replica comes first; the others
-- find the row locked or fresh and return null); lowered at once by whatever reopens an old delivery
-- (lower_delivery_floor, from restart_failed).
-- What it is raised to, from scratch each time, so a floor set too high by anything heals here:
-- - at most the second one hour ago: a transaction that began earlier may still commit a notification whose id it
--   took then (ids come from now(), the transaction's start); the day partitions are what prunes, so an hour costs
--   nothing but the first hour of a day;
-- - the day of the oldest unfinished notification (not SENT, FAILED or RETRACTED, or still expanding): its
--   deliveries, made or to be made, take its second (delivery_id_range). Found through each day's _unfinished
--   index (id order, its first entry), the legacy partition left out (no such index there);
-- - below that, any PENDING or PROCESSING delivery after all (a legacy delivery, or one whose notification says
--   finished), through the due and lease partial indexes, which are empty on a finished day; and an expanding
--   legacy notification, whose deliveries take legacy ids, sends the floor to the bottom.
-- Race with a reopening: this holds the row from before it reads, and each read takes a new snapshot; a reopening
-- lowers the row in the transaction that reopens. One committed before the read is seen by it; one that commits
-- after it waits for the row and lowers it after this update. Before the switch (0053) nothing is partitioned and
-- the floor stays at the bottom.
-- Custom plans: the bounds are constants when planned, so the reads of older days are pruned to them.
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
    v_straggler bigint;
BEGIN
    SELECT f.raised_at INTO v_raised_at FROM notify.delivery_floor f FOR UPDATE SKIP LOCKED;
    IF NOT FOUND OR v_raised_at > now() - make_interval(secs => p_every_seconds) THEN
        RETURN NULL;
    END IF;
    SELECT s.cutover, s.switched INTO v_cutover, v_switched FROM notify.history_settings s;
    IF NOT v_switched THEN
        v_floor := -9223372036854775808;
    ELSE
        v_floor := notify.history_id_floor(now() - interval '1 hour');
        SELECT min(n.id) INTO v_open FROM notify.ent_notification n
        WHERE (n.notification_status NOT IN ('SENT', 'FAILED', 'RETRACTED') OR n.expansion_pending) AND n.id >= v_cutover;
        IF v_open < v_floor THEN
            v_floor := (v_open >> 23) << 23;
        END IF;
        SELECT least((SELECT min(d.id + 0) FROM notify.ent_notification_delivery d WHERE d.status = 'PENDING' AND d.id < v_floor),
                     (SELECT min(d.id + 0) FROM notify.ent_notification_delivery d WHERE d.status = 'PROCESSING' AND d.id < v_floor),
                     (SELECT -9223372036854775808 FROM notify.ent_notification n WHERE n.expansion_pending AND n.id < v_cutover LIMIT 1))
        INTO v_straggler;
        v_floor := least(v_floor, v_straggler);
    END IF;
    UPDATE notify.delivery_floor SET open_from = v_floor, raised_at = now();
    RETURN v_floor;
END
$function$;
REVOKE ALL ON FUNCTION notify.raise_delivery_floor(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.raise_delivery_floor(integer) TO xnovu_dispatcher;
