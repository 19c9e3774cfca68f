-- Retention by the day (issue 32): drops one day of history, its notifications', deliveries' and delivery events'
-- partitions ('pYYYYMMDD', or 'legacy' for the rows made before the cutover), when the whole day is older than
-- p_older_than_seconds and holds no unfinished work; answers 'dropped', 'young', 'unfinished' or 'absent'.
-- Retention never drops work: a day still holding a delivery to send (or a topic still expanding) stays, and the
-- row purge (purge_notifications) takes its finished rows meanwhile. The day is checked twice: first without any
-- lock, by its notifications' index of unfinished rows (ensure_history_partitions; the legacy day has none and is
-- scanned), then, with the three parents locked, by the partial indexes of unfinished deliveries alone (a failed
-- delivery retried since the first check). The lock is asked with NOWAIT, so no reader or
-- writer ever queues behind the ask; a refusal raises lock_not_available and the caller tries again moments later.
-- Dropping a partition detaches it: held for the catalog change only. (CONCURRENTLY is not possible here: it must
-- run outside any transaction and by the tables' owner, and the dispatchers own nothing.)
-- SECURITY DEFINER: only the owner drops tables; the dispatchers may call it.

CREATE OR REPLACE FUNCTION notify.drop_history_day(p_suffix text, p_older_than_seconds double precision)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
DECLARE
    v_upper bigint;
    v_notifications text := 'ent_notification_' || p_suffix;
    v_deliveries text := 'ent_notification_delivery_' || p_suffix;
    v_events text := 'ent_delivery_event_' || p_suffix;
    v_busy boolean;
BEGIN
    IF p_suffix = 'legacy' THEN
        SELECT cutover INTO v_upper FROM notify.history_settings;
    ELSIF p_suffix ~ '^p\d{8}$' THEN
        v_upper := notify.history_id_floor((to_date(substr(p_suffix, 2), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC');
    ELSE
        RAISE EXCEPTION 'not a history day: %', p_suffix USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF to_regclass('notify.' || v_notifications) IS NULL THEN
        RETURN 'absent';
    END IF;
    IF v_upper > notify.history_id_floor(now() - make_interval(secs => p_older_than_seconds)) THEN
        RETURN 'young';
    END IF;

    EXECUTE format('SELECT EXISTS (SELECT 1 FROM notify.%I WHERE notification_status NOT IN (''SENT'', ''FAILED'', ''RETRACTED'') OR expansion_pending)',
                   v_notifications) INTO v_busy;
    IF v_busy THEN
        RETURN 'unfinished';
    END IF;

    LOCK TABLE notify.ent_delivery_event, notify.ent_notification_delivery, notify.ent_notification IN ACCESS EXCLUSIVE MODE NOWAIT;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM notify.%I WHERE status IN (''PENDING'', ''PROCESSING''))', v_deliveries) INTO v_busy;
    IF v_busy THEN
        RETURN 'unfinished';
    END IF;
    EXECUTE format('DROP TABLE notify.%I, notify.%I, notify.%I', v_events, v_deliveries, v_notifications);
    RETURN 'dropped';
END
$function$;
REVOKE ALL ON FUNCTION notify.drop_history_day(text,double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.drop_history_day(text,double precision) TO xnovu_dispatcher;
