-- Delivery truth (issue 28): what happened to a delivery after Novu accepted it, and webhooks out to tenants.
--
-- In: Novu's delivery-status webhooks (message.sent, delivered, failed, seen, read, ...) are verified by the API
-- (Standard Webhooks) and applied by notify.apply_novu_webhook: each becomes a row of the delivery's timeline
-- (ent_delivery_event) and may raise the delivery's outcome, the furthest it got. status keeps its meaning
-- (SENT: Novu accepted it); outcome tells accepted (null) from delivered, failed (a bounce, with the provider's
-- error), seen and read. novu_webhook_receipt remembers each webhook-id per environment, so a replayed webhook
-- changes nothing.
--
-- Out: an enterprise's endpoints (ent_webhook_endpoint) and the durable outbox (ent_webhook_message), written
-- in the transaction of the change each message reports (complete_deliveries, apply_novu_webhook, a rule tick,
-- a failed workflow sync), one row per subscribed endpoint and none for an enterprise without one; every
-- attempt is logged (ent_webhook_attempt). Secrets are Data Protection ciphertext, never the secret itself.
-- The columns this reads (outcome, webhooks_allow_private) are 0031's.

-- The signing secret of the webhooks an enterprise's own Novu environment sends (Data Protection ciphertext). Its
-- own table, not a column of enterprise_novu, whose every write re-syncs the enterprise's workflows.
CREATE TABLE notify.enterprise_novu_webhook (
    enterprise_id uuid PRIMARY KEY REFERENCES notify.enterprise_novu (enterprise_id) ON DELETE CASCADE,
    secret        text NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE notify.enterprise_novu_webhook ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify.enterprise_novu_webhook FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notify.enterprise_novu_webhook
    USING (enterprise_id = notify.current_enterprise_id())
    WITH CHECK (enterprise_id = notify.current_enterprise_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON notify.enterprise_novu_webhook TO xnovu_api;

CREATE TABLE notify.ent_delivery_event (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id    uuid NOT NULL REFERENCES notify.enterprise (id),
    -- Its foreign key is added last (below), so that the deliveries are locked only for the commit.
    delivery_id      bigint NOT NULL,
    -- Novu's event without its "message." prefix: sent, delivered, failed, seen, read, unread, archived, ...
    event            text NOT NULL CHECK (length(event) BETWEEN 1 AND 50),
    occurred_at      timestamptz NOT NULL,
    -- Novu's message id (one per channel step); '' when Novu named none.
    novu_message_id  text NOT NULL,
    channel          text,
    provider_id      text,
    error_id         text,
    error_text       text,
    -- webhook or poll
    source           text NOT NULL,
    webhook_id       text,
    received_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (delivery_id, novu_message_id, event)
);
ALTER TABLE notify.ent_delivery_event ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify.ent_delivery_event FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notify.ent_delivery_event
    USING (enterprise_id = notify.current_enterprise_id())
    WITH CHECK (enterprise_id = notify.current_enterprise_id());
GRANT SELECT ON notify.ent_delivery_event TO xnovu_app;

-- Not a tenant table: read and written only by apply_novu_webhook and its purge.
CREATE TABLE notify.novu_webhook_receipt (
    environment  text NOT NULL,
    webhook_id   text NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (environment, webhook_id)
);
CREATE INDEX ix_novu_webhook_receipt_received ON notify.novu_webhook_receipt (received_at);
REVOKE ALL ON notify.novu_webhook_receipt FROM PUBLIC;

CREATE TABLE notify.ent_webhook_endpoint (
    id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    enterprise_id               uuid NOT NULL REFERENCES notify.enterprise (id),
    url                         text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
    description                 text CHECK (length(description) <= 500),
    event_types                 text[] NOT NULL,
    secret                      text NOT NULL,
    -- The secret before the last rotation, still signed with until previous_secret_expires_at.
    previous_secret             text,
    previous_secret_expires_at  timestamptz,
    disabled_at                 timestamptz,
    disabled_reason             text,
    failing_since               timestamptz,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_webhook_endpoint_enterprise ON notify.ent_webhook_endpoint (enterprise_id);
ALTER TABLE notify.ent_webhook_endpoint ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify.ent_webhook_endpoint FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notify.ent_webhook_endpoint
    USING (enterprise_id = notify.current_enterprise_id())
    WITH CHECK (enterprise_id = notify.current_enterprise_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON notify.ent_webhook_endpoint TO xnovu_api;

CREATE TABLE notify.ent_webhook_message (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id    uuid NOT NULL REFERENCES notify.enterprise (id),
    endpoint_id      uuid NOT NULL REFERENCES notify.ent_webhook_endpoint (id) ON DELETE CASCADE,
    event_type       text NOT NULL,
    payload          jsonb NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_owner      text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz
);
CREATE INDEX ix_webhook_message_due ON notify.ent_webhook_message (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX ix_webhook_message_endpoint ON notify.ent_webhook_message (endpoint_id, id);
ALTER TABLE notify.ent_webhook_message ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify.ent_webhook_message FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notify.ent_webhook_message
    USING (enterprise_id = notify.current_enterprise_id())
    WITH CHECK (enterprise_id = notify.current_enterprise_id());
-- The API reads its enterprise's messages and replays them (UPDATE); only the functions insert.
GRANT SELECT, UPDATE ON notify.ent_webhook_message TO xnovu_api;

CREATE TABLE notify.ent_webhook_attempt (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id    uuid NOT NULL REFERENCES notify.enterprise (id),
    message_id       bigint NOT NULL REFERENCES notify.ent_webhook_message (id) ON DELETE CASCADE,
    endpoint_id      uuid NOT NULL,
    attempt          integer NOT NULL,
    attempted_at     timestamptz NOT NULL,
    outcome          text NOT NULL,
    http_status      integer,
    duration_ms      integer,
    error            text,
    response         text
);
CREATE INDEX ix_webhook_attempt_endpoint ON notify.ent_webhook_attempt (endpoint_id, id);
CREATE INDEX ix_webhook_attempt_message ON notify.ent_webhook_attempt (message_id);
ALTER TABLE notify.ent_webhook_attempt ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify.ent_webhook_attempt FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notify.ent_webhook_attempt
    USING (enterprise_id = notify.current_enterprise_id())
    WITH CHECK (enterprise_id = notify.current_enterprise_id());
GRANT SELECT ON notify.ent_webhook_attempt TO xnovu_api;

-- The functions, as their files in ../Functions define them.

CREATE OR REPLACE FUNCTION notify.delivery_outcome_rank(p_event text)
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE
AS $$
    SELECT CASE p_event WHEN 'sent' THEN 1 WHEN 'failed' THEN 2 WHEN 'delivered' THEN 3 WHEN 'seen' THEN 4 WHEN 'read' THEN 5 ELSE 0 END
$$;

CREATE OR REPLACE FUNCTION notify.enqueue_webhook(p_enterprise uuid, p_type text, p_data jsonb)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $$
DECLARE
    v_count integer;
BEGIN
    INSERT INTO notify.ent_webhook_message (enterprise_id, endpoint_id, event_type, payload)
    SELECT e.enterprise_id, e.id, p_type, jsonb_build_object('type', p_type, 'timestamp', now(), 'data', p_data)
    FROM notify.ent_webhook_endpoint e
    WHERE e.enterprise_id = p_enterprise AND e.disabled_at IS NULL AND p_type = ANY (e.event_types);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    IF v_count > 0 THEN
        PERFORM pg_notify('xnovu_webhooks', '');
    END IF;
    RETURN v_count;
END
$$;
REVOKE ALL ON FUNCTION notify.enqueue_webhook(uuid,text,jsonb) FROM PUBLIC;

CREATE OR REPLACE FUNCTION notify.disable_webhook_endpoint(p_endpoint uuid, p_reason text)
 RETURNS boolean
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $$
DECLARE
    v_endpoint record;
BEGIN
    UPDATE notify.ent_webhook_endpoint e
    SET disabled_at = now(), disabled_reason = p_reason, updated_at = now()
    WHERE e.id = p_endpoint AND e.disabled_at IS NULL
    RETURNING e.id, e.enterprise_id, e.url INTO v_endpoint;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE notify.ent_webhook_message m
    SET status = 'failed', lease_owner = NULL
    WHERE m.endpoint_id = p_endpoint AND m.status = 'pending';

    INSERT INTO notify.ent_webhook_message (enterprise_id, endpoint_id, event_type, payload)
    SELECT e.enterprise_id, e.id, 'endpoint.disabled', jsonb_build_object('type', 'endpoint.disabled', 'timestamp', now(),
               'data', jsonb_build_object('endpointId', v_endpoint.id, 'url', v_endpoint.url, 'reason', p_reason))
    FROM notify.ent_webhook_endpoint e
    WHERE e.enterprise_id = v_endpoint.enterprise_id AND e.id <> p_endpoint AND e.disabled_at IS NULL;
    PERFORM pg_notify('xnovu_webhooks', '');
    RETURN true;
END
$$;
REVOKE ALL ON FUNCTION notify.disable_webhook_endpoint(uuid,text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION notify.apply_novu_webhook(p_environment uuid, p_webhook_id text, p_enterprise uuid, p_transaction_id text, p_event text, p_occurred_at timestamp with time zone, p_message_id text, p_channel text, p_provider_id text, p_error_id text, p_error_text text, p_source text)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $$
DECLARE
    v_delivery record;
    v_rank integer := notify.delivery_outcome_rank(p_event);
BEGIN
    IF p_webhook_id IS NOT NULL THEN
        INSERT INTO notify.novu_webhook_receipt (environment, webhook_id)
        VALUES (coalesce(p_environment::text, 'shared'), p_webhook_id)
        ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN
            RETURN 'duplicate';
        END IF;
    END IF;

    IF p_enterprise IS NULL OR p_transaction_id IS NULL
       OR (p_environment IS NOT NULL AND p_environment <> p_enterprise)
       OR (p_environment IS NULL AND EXISTS (SELECT 1 FROM notify.enterprise_novu o WHERE o.enterprise_id = p_enterprise)) THEN
        RETURN 'unmatched';
    END IF;

    -- A delivery's transaction id is its notification's, with -<ordinal> when the notification has several
    -- recipients: both candidates are looked up by the notification's unique (enterprise_id, transaction_id).
    SELECT d.id, d.notification_id, d.subscriber_id, d.transaction_id, n.workflow_key
    INTO v_delivery
    FROM notify.ent_notification n
    JOIN notify.ent_notification_delivery d ON d.notification_id = n.id
    WHERE n.enterprise_id = p_enterprise
      AND n.transaction_id IN (p_transaction_id, regexp_replace(p_transaction_id, '-[0-9]+$', ''))
      AND d.transaction_id = p_transaction_id
    LIMIT 1;
    IF NOT FOUND THEN
        RETURN 'unmatched';
    END IF;

    INSERT INTO notify.ent_delivery_event
        (enterprise_id, delivery_id, event, occurred_at, novu_message_id, channel, provider_id, error_id, error_text, source, webhook_id)
    VALUES (p_enterprise, v_delivery.id, p_event, p_occurred_at, coalesce(p_message_id, ''), p_channel, p_provider_id,
            p_error_id, left(p_error_text, 2000), p_source, p_webhook_id)
    ON CONFLICT (delivery_id, novu_message_id, event) DO NOTHING;
    IF NOT FOUND THEN
        RETURN 'duplicate';
    END IF;

    IF v_rank > 0 THEN
        UPDATE notify.ent_notification_delivery d
        SET outcome = p_event, outcome_at = p_occurred_at
        WHERE d.id = v_delivery.id AND notify.delivery_outcome_rank(coalesce(d.outcome, '')) < v_rank;
    END IF;

    PERFORM notify.enqueue_webhook(p_enterprise, 'notification.' || p_event, jsonb_build_object(
        'notificationId', v_delivery.notification_id, 'deliveryId', v_delivery.id,
        'transactionId', v_delivery.transaction_id, 'workflowId', v_delivery.workflow_key,
        'subscriberId', v_delivery.subscriber_id, 'channel', p_channel, 'occurredAt', p_occurred_at,
        'providerId', p_provider_id, 'error', CASE WHEN p_error_id IS NULL AND p_error_text IS NULL THEN NULL
                                                   ELSE jsonb_build_object('id', p_error_id, 'text', left(p_error_text, 2000)) END));
    RETURN 'applied';
END
$$;
REVOKE ALL ON FUNCTION notify.apply_novu_webhook(uuid,text,uuid,text,text,timestamp with time zone,text,text,text,text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.apply_novu_webhook(uuid,text,uuid,text,text,timestamp with time zone,text,text,text,text,text,text) TO xnovu_api, xnovu_dispatcher;

--

CREATE OR REPLACE FUNCTION notify.complete_deliveries(p_worker text, p_results jsonb)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
 SET plan_cache_mode TO 'force_generic_plan'
 SET enable_seqscan TO 'off'
AS $$
DECLARE
    v_updated integer;
    v_shared bigint[];
    v_queued integer;
BEGIN
    WITH results AS (
        SELECT (r ->> 'id')::bigint AS id,
               r ->> 'outcome' AS outcome,
               (r ->> 'retryAt')::timestamptz AS retry_at,
               r ->> 'novuStatus' AS novu_status,
               r -> 'error' AS error
        FROM jsonb_array_elements(p_results) AS r
    ), done AS (
        UPDATE notify.ent_notification_delivery d
        SET status = CASE r.outcome WHEN 'sent' THEN 'SENT' WHEN 'retry' THEN 'PENDING' WHEN 'paused' THEN 'PENDING'
                         ELSE 'FAILED' END::notify.notification_status,
            next_attempt_at = CASE WHEN r.outcome IN ('retry', 'paused') THEN coalesce(r.retry_at, now()) ELSE d.next_attempt_at END,
            attempts = CASE WHEN r.outcome = 'paused' THEN greatest(d.attempts - 1, 0) ELSE d.attempts END,
            novu_paused = (r.outcome = 'paused'),
            sent_at = CASE WHEN r.outcome = 'sent' THEN now() ELSE d.sent_at END,
            novu_status = coalesce(r.novu_status, d.novu_status),
            last_error = CASE WHEN r.outcome = 'sent' THEN d.last_error ELSE r.error END,
            lease_expires_at = NULL,
            updated_at = now()
        FROM results r
        WHERE d.id = r.id AND d.status = 'PROCESSING' AND d.lease_owner = p_worker
        RETURNING d.id, d.enterprise_id, d.notification_id, d.status, d.last_error, d.transaction_id, d.subscriber_id
    ), outbox AS (
        INSERT INTO notify.ent_webhook_message (enterprise_id, endpoint_id, event_type, payload)
        SELECT done.enterprise_id, e.id, k.event_type,
               jsonb_build_object('type', k.event_type, 'timestamp', now(), 'data', jsonb_build_object(
                   'notificationId', done.notification_id, 'deliveryId', done.id, 'transactionId', done.transaction_id,
                   'subscriberId', done.subscriber_id, 'status', done.status, 'error', done.last_error))
        FROM done
        CROSS JOIN LATERAL (SELECT CASE done.status WHEN 'SENT' THEN 'notification.accepted'
                                                    WHEN 'FAILED' THEN 'notification.failed' END AS event_type) k
        JOIN notify.ent_webhook_endpoint e
          ON e.enterprise_id = done.enterprise_id AND e.disabled_at IS NULL AND k.event_type = ANY (e.event_types)
        RETURNING 1
    ), alone AS (
        -- The notifications whose only delivery is one of these (read from the statement's snapshot: the other
        -- deliveries' existence is what matters, and only an expanding topic gains deliveries later).
        SELECT done.notification_id, done.status, done.last_error
        FROM done
        JOIN notify.ent_notification n ON n.id = done.notification_id
        WHERE NOT n.expansion_pending
          AND NOT EXISTS (SELECT 1 FROM notify.ent_notification_delivery o
                          WHERE o.notification_id = done.notification_id AND o.id <> done.id)
    ), settled AS (
        UPDATE notify.ent_notification n
        SET notification_status = CASE WHEN a.status IN ('PENDING', 'PROCESSING') THEN 'PROCESSING' ELSE a.status END,
            processed_at = CASE WHEN a.status IN ('PENDING', 'PROCESSING') THEN n.processed_at ELSE now() END,
            error_details = CASE WHEN a.status = 'FAILED' THEN a.last_error ELSE NULL END,
            updated_at = now()
        FROM alone a
        WHERE n.id = a.notification_id AND n.notification_status <> 'RETRACTED' AND NOT n.expansion_pending
        RETURNING n.id
    )
    SELECT (SELECT count(*)::integer FROM done),
           ARRAY(SELECT DISTINCT done.notification_id FROM done
                 WHERE done.notification_id NOT IN (SELECT a.notification_id FROM alone a)),
           (SELECT count(*)::integer FROM outbox)
    INTO v_updated, v_shared, v_queued;

    IF v_queued > 0 THEN
        PERFORM pg_notify('xnovu_webhooks', '');
    END IF;

    IF cardinality(v_shared) > 0 THEN
        PERFORM notify.refresh_notification_status(v_shared);
    END IF;
    RETURN v_updated;
END
$$;
REVOKE ALL ON FUNCTION notify.complete_deliveries(text,jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.complete_deliveries(text,jsonb) TO xnovu_dispatcher;

CREATE OR REPLACE FUNCTION notify.claim_webhook_messages(p_worker text, p_batch integer, p_per_endpoint integer, p_lease_seconds integer)
 RETURNS TABLE(message_id bigint, enterprise_id uuid, endpoint_id uuid, url text, secret text, previous_secret text, previous_secret_expires_at timestamp with time zone, allow_private boolean, event_type text, payload text, attempts integer, created_at timestamp with time zone)
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $$
    WITH due AS (
        SELECT m.id, m.endpoint_id
        FROM notify.ent_webhook_message m
        WHERE m.status = 'pending' AND m.next_attempt_at <= now()
        ORDER BY m.next_attempt_at, m.id
        LIMIT p_batch * 4
        FOR UPDATE SKIP LOCKED
    ), fair AS (
        SELECT r.id
        FROM (SELECT due.id, row_number() OVER (PARTITION BY due.endpoint_id ORDER BY due.id) AS rn FROM due) r
        WHERE r.rn <= p_per_endpoint
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
REVOKE ALL ON FUNCTION notify.claim_webhook_messages(text,integer,integer,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.claim_webhook_messages(text,integer,integer,integer) TO xnovu_dispatcher;

CREATE OR REPLACE FUNCTION notify.complete_webhook_messages(p_worker text, p_results jsonb, p_disable_after_seconds integer)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $$
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
$$;
REVOKE ALL ON FUNCTION notify.complete_webhook_messages(text,jsonb,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.complete_webhook_messages(text,jsonb,integer) TO xnovu_dispatcher;

CREATE OR REPLACE FUNCTION notify.webhook_rule_fired()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $$
BEGIN
    PERFORM notify.enqueue_webhook(NEW.enterprise_id, 'rule.fired', jsonb_build_object(
        'ruleId', NEW.rule_id, 'tickAt', NEW.tick_at, 'notificationId', NEW.notification_id));
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION notify.webhook_rule_fired() FROM PUBLIC;

CREATE OR REPLACE FUNCTION notify.webhook_sync_failed()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $$
BEGIN
    IF NEW.enterprise_id IS NOT NULL THEN
        PERFORM notify.enqueue_webhook(NEW.enterprise_id, 'workflow.sync_failed', jsonb_build_object(
            'workflowId', NEW.workflow_key, 'attempts', NEW.attempts, 'error', left(NEW.error, 2000)));
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION notify.webhook_sync_failed() FROM PUBLIC;

CREATE OR REPLACE FUNCTION notify.purge_novu_webhook_receipts(p_older_than_seconds double precision, p_batch integer)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $$
DECLARE
    v_deleted integer;
BEGIN
    DELETE FROM notify.novu_webhook_receipt r
    WHERE r.ctid = ANY (ARRAY(
        SELECT o.ctid FROM notify.novu_webhook_receipt o
        WHERE o.received_at < now() - make_interval(secs => p_older_than_seconds)
        LIMIT p_batch FOR UPDATE SKIP LOCKED));
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    RETURN v_deleted;
END
$$;
REVOKE ALL ON FUNCTION notify.purge_novu_webhook_receipts(double precision,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.purge_novu_webhook_receipts(double precision,integer) TO xnovu_dispatcher;

CREATE TRIGGER trg_rule_tick_webhook
    AFTER UPDATE OF notification_id ON notify.rule_tick
    FOR EACH ROW WHEN (OLD.notification_id IS NULL AND NEW.notification_id IS NOT NULL)
    EXECUTE FUNCTION notify.webhook_rule_fired();

CREATE TRIGGER trg_novu_workflow_sync_webhook
    AFTER UPDATE OF status ON notify.novu_workflow_sync
    FOR EACH ROW WHEN (NEW.status = 'failed' AND OLD.status IS DISTINCT FROM 'failed')
    EXECUTE FUNCTION notify.webhook_sync_failed();

-- Last, so that the locks these take on tables the services write (SHARE ROW EXCLUSIVE) are held only for the commit.
ALTER TABLE notify.ent_delivery_event ADD CONSTRAINT ent_delivery_event_delivery_id_fkey
    FOREIGN KEY (delivery_id) REFERENCES notify.ent_notification_delivery (id) ON DELETE CASCADE;
