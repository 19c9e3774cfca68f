-- Outbound webhooks' claim (issue 28, the 2,000/s target): the claim learns how many attempt slots each of the
-- caller's busy endpoints has left, takes no more than that, and skips a full endpoint. Its arguments change, so
-- the old function is dropped and the new one created (the live definition: Functions/claim_webhook_messages.sql).
DROP FUNCTION notify.claim_webhook_messages(text, integer, integer, integer);
CREATE FUNCTION notify.claim_webhook_messages(p_worker text, p_batch integer, p_per_endpoint integer, p_lease_seconds integer, p_busy_endpoints uuid[], p_busy_free integer[])
 RETURNS TABLE(message_id bigint, enterprise_id uuid, endpoint_id uuid, url text, secret text, previous_secret text, previous_secret_expires_at timestamp with time zone, allow_private boolean, event_type text, payload text, attempts integer, created_at timestamp with time zone)
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $$
    WITH busy AS (
        SELECT b.endpoint_id, b.free FROM unnest(p_busy_endpoints, p_busy_free) AS b(endpoint_id, free)
    ), due AS (
        SELECT m.id, m.endpoint_id
        FROM notify.ent_webhook_message m
        WHERE m.status = 'pending' AND m.next_attempt_at <= now()
          AND m.endpoint_id <> ALL (ARRAY(SELECT busy.endpoint_id FROM busy WHERE busy.free <= 0))
        ORDER BY m.next_attempt_at, m.id
        LIMIT p_batch * 4
        FOR UPDATE SKIP LOCKED
    ), fair AS (
        SELECT r.id
        FROM (SELECT due.id, due.endpoint_id, row_number() OVER (PARTITION BY due.endpoint_id ORDER BY due.id) AS rn FROM due) r
        LEFT JOIN busy ON busy.endpoint_id = r.endpoint_id
        WHERE r.rn <= least(p_per_endpoint, coalesce(busy.free, p_per_endpoint))
        ORDER BY r.id
        LIMIT p_batch
    ), claimed AS (
        UPDATE notify.ent_webhook_message m
        SET attempts = m.attempts + 1,
            lease_owner = p_worker,
            next_attempt_at = now() + make_interval(secs => p_lease_seconds)
        FROM fair
        WHERE m.id = fair.id
        RETURNING m.id, m.enterprise_id, m.endpoint_id, m.event_type, m.payload, m.attempts, m.created_at
    )
    SELECT c.id, c.enterprise_id, c.endpoint_id, e.url, e.secret, e.previous_secret, e.previous_secret_expires_at,
           x.webhooks_allow_private, c.event_type, c.payload::text, c.attempts, c.created_at
    FROM claimed c
    JOIN notify.ent_webhook_endpoint e ON e.id = c.endpoint_id
    JOIN notify.enterprise x ON x.id = c.enterprise_id
$$;
REVOKE ALL ON FUNCTION notify.claim_webhook_messages(text,integer,integer,integer,uuid[],integer[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.claim_webhook_messages(text,integer,integer,integer,uuid[],integer[]) TO xnovu_dispatcher;
