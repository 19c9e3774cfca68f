-- xnovu:requires 0033_delivery_status
-- Records a batch of webhook attempts in one round trip (issue 28). Each result is
-- {id, attempt, outcome, retryAt?, httpStatus?, durationMs, error?, response?}; outcome is delivered, retry
-- (pending again at retryAt, the sender's schedule or the endpoint's Retry-After), failed (the schedule is
-- spent), gone (410: the endpoint is disabled) or deferred (not tried: the attempt is given back). A result
-- whose lease another replica took over (other owner or attempt) is ignored. Every tried attempt is logged.
-- An endpoint's failing_since starts at its first failure after a success and ends at its next success; one
-- failing for longer than p_disable_after_seconds is disabled (disable_webhook_endpoint).
-- (reasons first written in 0033_delivery_status)
-- History: 0033_delivery_status. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.complete_webhook_messages(p_worker text, p_results jsonb, p_disable_after_seconds integer)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
DECLARE
    v_updated integer;
    v_ok uuid[];
    v_failing uuid[];
    v_gone uuid[];
    v_endpoint uuid;
BEGIN
    WITH results AS (
        SELECT (r ->> 'id')::bigint AS id,
               (r ->> 'attempt')::integer AS attempt,
               r ->> 'outcome' AS outcome,
               (r ->> 'retryAt')::timestamptz AS retry_at,
               (r ->> 'httpStatus')::integer AS http_status,
               (r ->> 'durationMs')::integer AS duration_ms,
               r ->> 'error' AS error,
               r ->> 'response' AS response,
               (r ->> 'attemptedAt')::timestamptz AS attempted_at
        FROM jsonb_array_elements(p_results) AS r
    ), done AS (
        UPDATE notify.ent_webhook_message m
        SET status = CASE r.outcome WHEN 'delivered' THEN 'delivered' WHEN 'retry' THEN 'pending'
                                    WHEN 'deferred' THEN 'pending' ELSE 'failed' END,
            next_attempt_at = coalesce(r.retry_at, now()),
            attempts = CASE WHEN r.outcome = 'deferred' THEN m.attempts - 1 ELSE m.attempts END,
            delivered_at = CASE WHEN r.outcome = 'delivered' THEN now() ELSE m.delivered_at END,
            lease_owner = NULL
        FROM results r
        WHERE m.id = r.id AND m.lease_owner = p_worker AND m.attempts = r.attempt AND m.status = 'pending'
        RETURNING m.id, m.enterprise_id, m.endpoint_id, r.attempt, r.outcome, r.http_status, r.duration_ms, r.error,
                  r.response, r.attempted_at
    ), logged AS (
        INSERT INTO notify.ent_webhook_attempt
            (enterprise_id, message_id, endpoint_id, attempt, attempted_at, outcome, http_status, duration_ms, error, response)
        SELECT done.enterprise_id, done.id, done.endpoint_id, done.attempt, coalesce(done.attempted_at, now()), done.outcome,
               done.http_status, done.duration_ms, left(done.error, 1000), left(done.response, 1000)
        FROM done
        WHERE done.outcome <> 'deferred'
        RETURNING 1
    )
    SELECT (SELECT count(*)::integer FROM done),
           ARRAY(SELECT DISTINCT done.endpoint_id FROM done WHERE done.outcome = 'delivered'),
           ARRAY(SELECT DISTINCT done.endpoint_id FROM done WHERE done.outcome IN ('retry', 'failed')),
           ARRAY(SELECT DISTINCT done.endpoint_id FROM done WHERE done.outcome = 'gone')
    INTO v_updated, v_ok, v_failing, v_gone;

    UPDATE notify.ent_webhook_endpoint e SET failing_since = NULL
    WHERE e.id = ANY (v_ok) AND e.failing_since IS NOT NULL AND NOT (e.id = ANY (v_failing));
    UPDATE notify.ent_webhook_endpoint e SET failing_since = now()
    WHERE e.id = ANY (v_failing) AND e.failing_since IS NULL AND NOT (e.id = ANY (v_ok));

    FOREACH v_endpoint IN ARRAY v_gone LOOP
        PERFORM notify.disable_webhook_endpoint(v_endpoint, 'The endpoint answered 410 Gone.');
    END LOOP;
    FOR v_endpoint IN
        SELECT e.id FROM notify.ent_webhook_endpoint e
        WHERE e.id = ANY (v_failing) AND e.disabled_at IS NULL
          AND e.failing_since < now() - make_interval(secs => p_disable_after_seconds)
    LOOP
        PERFORM notify.disable_webhook_endpoint(v_endpoint,
            'The endpoint failed every attempt for ' || make_interval(secs => p_disable_after_seconds)::text || '.');
    END LOOP;
    RETURN v_updated;
END
$function$;
REVOKE ALL ON FUNCTION notify.complete_webhook_messages(text,jsonb,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.complete_webhook_messages(text,jsonb,integer) TO xnovu_dispatcher;
