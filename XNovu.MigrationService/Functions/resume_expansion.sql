-- Finishes one expansion abandoned by its API instance (it crashed between batches): the oldest
-- notification still expanding that nobody has touched for p_idle_seconds gets its next batch. Crosses
-- enterprises, so it answers only the notification id and what remains.
-- (reasons first written in 0015_subscribers_and_topics)
-- History: 0015_subscribers_and_topics. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.resume_expansion(p_batch integer, p_idle_seconds integer)
 RETURNS TABLE(notification_id bigint, remaining integer)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
DECLARE
    v_id bigint;
BEGIN
    SELECT n.id INTO v_id FROM notify.ent_notification n
    WHERE n.expansion_pending AND n.updated_at < now() - make_interval(secs => p_idle_seconds)
    ORDER BY n.updated_at
    LIMIT 1
    FOR UPDATE SKIP LOCKED;
    IF v_id IS NULL THEN
        RETURN;
    END IF;

    RETURN QUERY SELECT v_id, notify.expand_deliveries(v_id, p_batch);
END
$function$;
REVOKE ALL ON FUNCTION notify.resume_expansion(integer,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.resume_expansion(integer,integer) TO xnovu_api;
