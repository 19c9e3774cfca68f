-- xnovu:requires 0060_webhook_claim_by_free_slots
-- The webhook sender's claim (issue 28): the one read of the outbox across enterprises. Takes up to p_batch due
-- messages with SKIP LOCKED, so several dispatcher replicas share the outbox without taking the same row, at most
-- p_per_endpoint of them per endpoint so that one tenant's backlog cannot fill a claim, and leases them to
-- p_worker by pushing next_attempt_at past the lease: a replica that dies mid-send leaves its rows due again
-- when the lease ends. attempts counts this attempt; the completion is fenced by (lease_owner, attempts).
-- p_busy_endpoints/p_busy_free are the caller's endpoints with attempts in flight and the slots each has left:
-- an endpoint takes no more than its free slots, and a full one is skipped before the LIMIT, so that its backlog
-- neither fills the claim nor comes back to be handed back (a claimed message over an endpoint's slots used to
-- wait a second, which held one busy endpoint to a fraction of its slots; 0060).
-- (reasons first written in 0033_delivery_status, 0060_webhook_claim_by_free_slots)
-- History: 0033_delivery_status, 0060_webhook_claim_by_free_slots. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.claim_webhook_messages(p_worker text, p_batch integer, p_per_endpoint integer, p_lease_seconds integer, p_busy_endpoints uuid[], p_busy_free integer[])
 RETURNS TABLE(message_id bigint, enterprise_id uuid, endpoint_id uuid, url text, secret text, previous_secret text, previous_secret_expires_at timestamp with time zone, allow_private boolean, event_type text, payload text, attempts integer, created_at timestamp with time zone)
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
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
$function$;
REVOKE ALL ON FUNCTION notify.claim_webhook_messages(text,integer,integer,integer,uuid[],integer[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.claim_webhook_messages(text,integer,integer,integer,uuid[],integer[]) TO xnovu_dispatcher;
