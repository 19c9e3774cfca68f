-- xnovu:requires 0048_outcome_polls_and_webhook_retention
-- The poll for environments that send no webhooks (issue 28): takes up to p_batch deliveries that Novu accepted
-- more than p_after_seconds ago (and less than p_give_up_seconds: a delivery Novu never reports on is not asked
-- about forever) and that have no outcome yet or only 'sent' (the provider took it; delivered, failed, seen or read
-- may follow), in the environments XNovu hears nothing from: an enterprise's own
-- environment without a webhook secret, and the shared one unless p_shared_sends_webhooks. At most p_per_enterprise
-- per enterprise, read per enterprise through ix_delivery_awaiting_outcome, so one tenant's backlog cannot fill a
-- claim nor push another's deliveries back. The claim is the upsert of the delivery's poll row: its next_poll_at
-- moves on (p_wait_seconds, doubled after each poll up to p_max_wait_seconds), and a row another replica has just
-- claimed fails the ON CONFLICT's WHERE, so two replicas never ask about the same delivery at once.
-- History: 0048_outcome_polls_and_webhook_retention. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.claim_outcome_polls(p_after_seconds double precision, p_give_up_seconds double precision, p_batch integer, p_per_enterprise integer, p_shared_sends_webhooks boolean, p_wait_seconds double precision, p_max_wait_seconds double precision)
 RETURNS TABLE(delivery_id bigint, enterprise_id uuid, own_environment boolean, transaction_id text, polls integer)
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
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
$function$;
REVOKE ALL ON FUNCTION notify.claim_outcome_polls(double precision,double precision,integer,integer,boolean,double precision,double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.claim_outcome_polls(double precision,double precision,integer,integer,boolean,double precision,double precision) TO xnovu_dispatcher;
