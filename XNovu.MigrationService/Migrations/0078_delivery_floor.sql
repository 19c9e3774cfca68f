-- Issue 32: the claim names only the days where an open delivery can be. Its statements locked every day partition
-- of the deliveries (a generic plan is locked whole before it is pruned): 333 relation locks per claim at 47
-- partitions, 2,573 at a year of days, nearly all through the shared lock manager, on every claim of every
-- dispatcher. delivery_floor holds the lowest delivery id that may still be open; the claim reads it and plans
-- each call with it and the batch's span as constants, so its plans are pruned when made. The floor is raised by
-- raise_delivery_floor (a dispatcher, now and then) and lowered by lower_delivery_floor (whatever reopens an old
-- delivery). Reasons and live definitions: Functions/raise_delivery_floor.sql, Functions/lower_delivery_floor.sql,
-- Functions/claim_deliveries.sql.

CREATE TABLE IF NOT EXISTS notify.delivery_floor (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    open_from bigint NOT NULL,
    raised_at timestamp with time zone NOT NULL
);
INSERT INTO notify.delivery_floor (open_from, raised_at) VALUES (-9223372036854775808, '-infinity') ON CONFLICT DO NOTHING;
ALTER TABLE notify.delivery_floor OWNER TO xnovu_owner;

CREATE OR REPLACE FUNCTION notify.raise_delivery_floor(p_every_seconds integer)
 RETURNS bigint
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
 SET plan_cache_mode TO 'force_custom_plan'
 SET enable_seqscan TO 'off'
AS $$
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
$$;
REVOKE ALL ON FUNCTION notify.raise_delivery_floor(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.raise_delivery_floor(integer) TO xnovu_dispatcher;

CREATE OR REPLACE FUNCTION notify.lower_delivery_floor(p_delivery_id bigint)
 RETURNS void
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
AS $$
    UPDATE notify.delivery_floor SET open_from = p_delivery_id WHERE open_from > p_delivery_id;
$$;
REVOKE ALL ON FUNCTION notify.lower_delivery_floor(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.lower_delivery_floor(bigint) TO xnovu_app;
