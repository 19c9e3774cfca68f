-- Delivery truth (issue 28): the poll of Novu for environments that send no webhooks, and the retention of the
-- outbound webhooks' outbox and attempt log (their indexes are 0047's, built CONCURRENTLY).
--
-- ent_delivery_outcome_poll: one row per delivery XNovu has asked Novu about, with how often and when next. Its
-- upsert is the poll's claim (claim_outcome_polls), so two replicas never ask about one delivery at once. No
-- foreign key to the deliveries: one would lock them while this script commits and make every delivery delete
-- look here; a row outlives its delivery until purge_outcome_polls (retention) forgets it, and nothing reads a
-- row without its delivery. Only the SECURITY DEFINER functions read or write it.
CREATE TABLE notify.ent_delivery_outcome_poll (
    delivery_id   bigint PRIMARY KEY,
    enterprise_id uuid NOT NULL,
    polls         integer NOT NULL,
    next_poll_at  timestamptz NOT NULL
);
CREATE INDEX ix_delivery_outcome_poll_next ON notify.ent_delivery_outcome_poll (next_poll_at);
ALTER TABLE notify.ent_delivery_outcome_poll ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify.ent_delivery_outcome_poll FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notify.ent_delivery_outcome_poll
    USING (enterprise_id = notify.current_enterprise_id())
    WITH CHECK (enterprise_id = notify.current_enterprise_id());

-- The functions, as their files in ../Functions define them.

CREATE OR REPLACE FUNCTION notify.claim_outcome_polls(p_after_seconds double precision, p_give_up_seconds double precision, p_batch integer, p_per_enterprise integer, p_shared_sends_webhooks boolean, p_wait_seconds double precision, p_max_wait_seconds double precision)
 RETURNS TABLE(delivery_id bigint, enterprise_id uuid, own_environment boolean, transaction_id text, polls integer)
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $$
    WITH polled AS (
        SELECT x.id, o.enterprise_id IS NOT NULL AS own
        FROM notify.enterprise x
        LEFT JOIN notify.enterprise_novu o ON o.enterprise_id = x.id
        LEFT JOIN notify.enterprise_novu_webhook w ON w.enterprise_id = x.id
        WHERE CASE WHEN o.enterprise_id IS NULL THEN NOT p_shared_sends_webhooks ELSE w.enterprise_id IS NULL END
    ), waiting AS (
        SELECT d.id, d.enterprise_id, polled.own, d.transaction_id, d.sent_at
        FROM polled
        CROSS JOIN LATERAL (
            SELECT d.id, d.enterprise_id, d.transaction_id, d.sent_at
            FROM notify.ent_notification_delivery d
            WHERE d.enterprise_id = polled.id AND d.status = 'SENT' AND (d.outcome IS NULL OR d.outcome = 'sent')
              AND d.sent_at <= now() - make_interval(secs => p_after_seconds)
              AND d.sent_at > now() - make_interval(secs => p_give_up_seconds)
              AND NOT EXISTS (SELECT 1 FROM notify.ent_delivery_outcome_poll p
                              WHERE p.delivery_id = d.id AND p.next_poll_at > now())
            ORDER BY d.sent_at
            LIMIT p_per_enterprise
        ) d
        ORDER BY d.sent_at
        LIMIT p_batch
    ), claimed AS (
        INSERT INTO notify.ent_delivery_outcome_poll AS p (delivery_id, enterprise_id, polls, next_poll_at)
        SELECT waiting.id, waiting.enterprise_id, 1, now() + make_interval(secs => p_wait_seconds)
        FROM waiting
        ON CONFLICT (delivery_id) DO UPDATE
        SET polls = p.polls + 1,
            next_poll_at = now() + make_interval(secs => least(p_max_wait_seconds, p_wait_seconds * power(2, least(p.polls, 30))))
        WHERE p.next_poll_at <= now()
        RETURNING p.delivery_id, p.polls
    )
    SELECT c.delivery_id, w.enterprise_id, w.own, w.transaction_id, c.polls
    FROM claimed c
    JOIN waiting w ON w.id = c.delivery_id
$$;
REVOKE ALL ON FUNCTION notify.claim_outcome_polls(double precision,double precision,integer,integer,boolean,double precision,double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.claim_outcome_polls(double precision,double precision,integer,integer,boolean,double precision,double precision) TO xnovu_dispatcher;

CREATE OR REPLACE FUNCTION notify.purge_outcome_polls(p_older_than_seconds double precision, p_batch integer)
 RETURNS integer
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $$
    WITH victims AS (
        SELECT p.delivery_id
        FROM notify.ent_delivery_outcome_poll p
        WHERE p.next_poll_at < now() - make_interval(secs => p_older_than_seconds)
        LIMIT p_batch
        FOR UPDATE SKIP LOCKED
    ), purged AS (
        DELETE FROM notify.ent_delivery_outcome_poll p USING victims v WHERE p.delivery_id = v.delivery_id RETURNING 1
    )
    SELECT count(*)::integer FROM purged
$$;
REVOKE ALL ON FUNCTION notify.purge_outcome_polls(double precision,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.purge_outcome_polls(double precision,integer) TO xnovu_dispatcher;

CREATE OR REPLACE FUNCTION notify.purge_webhook_attempts(p_older_than_seconds double precision, p_batch integer)
 RETURNS integer
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $$
    WITH victims AS (
        SELECT a.id
        FROM notify.ent_webhook_attempt a
        WHERE a.attempted_at < now() - make_interval(secs => p_older_than_seconds)
        ORDER BY a.attempted_at
        LIMIT p_batch
        FOR UPDATE SKIP LOCKED
    ), purged AS (
        DELETE FROM notify.ent_webhook_attempt a USING victims v WHERE a.id = v.id RETURNING 1
    )
    SELECT count(*)::integer FROM purged
$$;
REVOKE ALL ON FUNCTION notify.purge_webhook_attempts(double precision,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.purge_webhook_attempts(double precision,integer) TO xnovu_dispatcher;

CREATE OR REPLACE FUNCTION notify.purge_webhook_messages(p_older_than_seconds double precision, p_batch integer)
 RETURNS integer
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $$
    WITH victims AS (
        SELECT m.id
        FROM notify.ent_webhook_message m
        WHERE m.created_at < now() - make_interval(secs => p_older_than_seconds)
          AND m.status IN ('delivered', 'failed')
        ORDER BY m.created_at
        LIMIT p_batch
        FOR UPDATE SKIP LOCKED
    ), purged AS (
        DELETE FROM notify.ent_webhook_message m USING victims v WHERE m.id = v.id RETURNING 1
    )
    SELECT count(*)::integer FROM purged
$$;
REVOKE ALL ON FUNCTION notify.purge_webhook_messages(double precision,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.purge_webhook_messages(double precision,integer) TO xnovu_dispatcher;
