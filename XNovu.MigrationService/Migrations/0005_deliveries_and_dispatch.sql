-- Deliveries: one per recipient of a notification, the unit the dispatcher claims, sends and retries.
-- A notification inserted PENDING (by the API or by any system with SQL, as the original allowed) gets its
-- deliveries from a trigger in the same transaction, and the commit wakes the dispatchers (NOTIFY).

CREATE TABLE notify.ent_notification_delivery (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id       uuid NOT NULL REFERENCES notify.enterprise (id),
    notification_id     bigint NOT NULL,
    ordinal             integer NOT NULL,
    subscriber_id       text,
    -- The subscriber object as given ({subscriberId, email, ...}); null: the configured default subscriber.
    recipient           jsonb,
    status              notify.notification_status NOT NULL DEFAULT 'PENDING',
    -- Stable across retries: Novu's transactionId and the Idempotency-Key of this delivery.
    transaction_id      text NOT NULL,
    attempts            integer NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    -- The replica that holds the lease, or held it last (kept after completion for diagnosis).
    lease_owner         text,
    lease_expires_at    timestamptz,
    -- The claim that sent it last: a crashed replica's claim is taken over whole (see claim_deliveries).
    claim_id            uuid,
    last_error          jsonb,
    novu_status         text,
    sent_at             timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (notification_id, ordinal),
    FOREIGN KEY (enterprise_id, notification_id) REFERENCES notify.ent_notification (enterprise_id, id) ON DELETE CASCADE
);

-- The claim reads due PENDING rows in due order, and expired leases.
CREATE INDEX ix_delivery_due ON notify.ent_notification_delivery (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX ix_delivery_leased ON notify.ent_notification_delivery (lease_expires_at) WHERE status = 'PROCESSING';
CREATE INDEX ix_delivery_notification ON notify.ent_notification_delivery (enterprise_id, notification_id);

ALTER TABLE notify.ent_notification_delivery ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify.ent_notification_delivery FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notify.ent_notification_delivery
    USING (enterprise_id = notify.current_enterprise_id())
    WITH CHECK (enterprise_id = notify.current_enterprise_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON notify.ent_notification_delivery TO xnovu_app;

-- Idempotency of the trigger API: the same key and body within 24 h answers the first result.
CREATE TABLE notify.idempotency_key (
    enterprise_id   uuid NOT NULL REFERENCES notify.enterprise (id),
    key             text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash    bytea NOT NULL,
    status_code     integer NOT NULL,
    response        jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (enterprise_id, key)
);
CREATE INDEX ix_idempotency_created ON notify.idempotency_key (created_at);
ALTER TABLE notify.idempotency_key ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify.idempotency_key FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notify.idempotency_key
    USING (enterprise_id = notify.current_enterprise_id())
    WITH CHECK (enterprise_id = notify.current_enterprise_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON notify.idempotency_key TO xnovu_app;

-- W3C trace context of the request that created the notification, so the dispatch joins its trace.
ALTER TABLE notify.ent_notification ADD COLUMN trace_parent text;
CREATE UNIQUE INDEX ux_notification_transaction ON notify.ent_notification (enterprise_id, transaction_id) WHERE transaction_id IS NOT NULL;

-- Creates the deliveries of a notification inserted PENDING. Recipients are subscriber ids (strings) or
-- subscriber objects; an empty list means one delivery to the configured default subscriber.
CREATE FUNCTION notify.create_deliveries() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.notification_status <> 'PENDING' THEN
        RETURN NULL;
    END IF;

    IF NEW.transaction_id IS NULL THEN
        UPDATE notify.ent_notification SET transaction_id = 'xnovu-' || NEW.id WHERE id = NEW.id;
        NEW.transaction_id := 'xnovu-' || NEW.id;
    END IF;

    INSERT INTO notify.ent_notification_delivery
        (enterprise_id, notification_id, ordinal, subscriber_id, recipient, transaction_id, next_attempt_at)
    SELECT NEW.enterprise_id,
           NEW.id,
           r.ordinal,
           CASE jsonb_typeof(r.value) WHEN 'string' THEN r.value #>> '{}' ELSE r.value ->> 'subscriberId' END,
           CASE jsonb_typeof(r.value) WHEN 'string' THEN jsonb_build_object('subscriberId', r.value #>> '{}') ELSE r.value END,
           NEW.transaction_id || CASE WHEN r.total > 1 THEN '-' || r.ordinal ELSE '' END,
           coalesce(NEW.scheduled_for, now())
    FROM (
        SELECT e.value, e.ordinal::integer AS ordinal, count(*) OVER () AS total
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(NEW.recipients) = 'array' AND jsonb_array_length(NEW.recipients) > 0
                                       THEN NEW.recipients ELSE '[null]'::jsonb END) WITH ORDINALITY AS e(value, ordinal)
    ) r;

    PERFORM pg_notify('xnovu_dispatch', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_notification_create_deliveries
    AFTER INSERT ON notify.ent_notification
    FOR EACH ROW EXECUTE FUNCTION notify.create_deliveries();

-- The dispatcher's claim: the one path that reads across enterprises. It takes up to p_batch due
-- deliveries with SKIP LOCKED, so replicas never take the same row, leases them to p_worker under a new
-- claim id, and marks their notifications PROCESSING.
-- A claim whose lease expired (its replica crashed, perhaps after Novu accepted the call) is taken over
-- whole and alone: the dispatcher then re-sends exactly the same bulk call (same members, same order, so
-- the same Idempotency-Key), and Novu replays its first answer instead of sending twice.
CREATE FUNCTION notify.claim_deliveries(p_worker text, p_batch integer, p_lease_seconds integer)
    RETURNS TABLE (
        delivery_id bigint, enterprise_id uuid, notification_id bigint, subscriber_id text, recipient jsonb,
        transaction_id text, attempts integer, workflow_key text, payload jsonb, overrides jsonb,
        channels notify.notification_channel_type[], tags text[], trace_parent text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
DECLARE
    v_claim uuid;
    v_takeover boolean := false;
BEGIN
    SELECT d.claim_id INTO v_claim
    FROM notify.ent_notification_delivery d
    WHERE d.status = 'PROCESSING' AND d.lease_expires_at < now()
    ORDER BY d.lease_expires_at
    LIMIT 1
    FOR UPDATE SKIP LOCKED;

    IF v_claim IS NOT NULL THEN
        v_takeover := true;
    ELSE
        v_claim := gen_random_uuid();
    END IF;

    RETURN QUERY
    WITH due AS (
        SELECT d.id
        FROM notify.ent_notification_delivery d
        WHERE (v_takeover AND d.claim_id = v_claim AND d.status = 'PROCESSING' AND d.lease_expires_at < now())
           OR (NOT v_takeover AND d.status = 'PENDING' AND d.next_attempt_at <= now())
        ORDER BY d.next_attempt_at, d.id
        LIMIT CASE WHEN v_takeover THEN NULL ELSE p_batch END
        FOR UPDATE SKIP LOCKED
    ), claimed AS (
        UPDATE notify.ent_notification_delivery d
        SET status = 'PROCESSING',
            lease_owner = p_worker,
            lease_expires_at = now() + make_interval(secs => p_lease_seconds),
            claim_id = v_claim,
            attempts = d.attempts + 1,
            updated_at = now()
        FROM due
        WHERE d.id = due.id
        RETURNING d.*
    ), started AS (
        UPDATE notify.ent_notification n
        SET notification_status = 'PROCESSING', updated_at = now()
        WHERE n.id IN (SELECT c.notification_id FROM claimed c) AND n.notification_status = 'PENDING'
        RETURNING n.id
    )
    SELECT c.id, c.enterprise_id, c.notification_id, c.subscriber_id, c.recipient, c.transaction_id, c.attempts,
           n.workflow_key, n.payload, n.overrides, n.channels, n.tags, n.trace_parent
    FROM claimed c
    JOIN notify.ent_notification n ON n.id = c.notification_id
    ORDER BY c.id;
END
$$;

-- Records the outcomes of a claimed batch in one statement. p_results is a JSON array of
-- {id, outcome: sent|retry|failed, retryAt?, novuStatus?, error?}. Only rows still leased to p_worker are
-- touched (a replica whose lease expired cannot overwrite the new owner's result). Then each affected
-- notification's status follows its deliveries: PROCESSING while any is pending or in flight, SENT when
-- all are sent, FAILED when one failed for good and none is pending. error_details holds failures only.
CREATE FUNCTION notify.complete_deliveries(p_worker text, p_results jsonb)
    RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
DECLARE
    v_updated integer;
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
        SET status = CASE r.outcome WHEN 'sent' THEN 'SENT' WHEN 'retry' THEN 'PENDING' ELSE 'FAILED' END::notify.notification_status,
            next_attempt_at = CASE WHEN r.outcome = 'retry' THEN coalesce(r.retry_at, now()) ELSE d.next_attempt_at END,
            sent_at = CASE WHEN r.outcome = 'sent' THEN now() ELSE d.sent_at END,
            novu_status = coalesce(r.novu_status, d.novu_status),
            last_error = CASE WHEN r.outcome = 'sent' THEN d.last_error ELSE r.error END,
            lease_expires_at = NULL,
            updated_at = now()
        FROM results r
        WHERE d.id = r.id AND d.status = 'PROCESSING' AND d.lease_owner = p_worker
        RETURNING d.notification_id
    )
    SELECT count(*) INTO v_updated FROM done;

    PERFORM notify.refresh_notification_status(ARRAY(
        SELECT DISTINCT d.notification_id FROM notify.ent_notification_delivery d
        WHERE d.id IN (SELECT (r ->> 'id')::bigint FROM jsonb_array_elements(p_results) AS r)));
    RETURN v_updated;
END
$$;

CREATE FUNCTION notify.refresh_notification_status(p_notification_ids bigint[])
    RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    WITH agg AS (
        SELECT d.notification_id,
               count(*) FILTER (WHERE d.status IN ('PENDING', 'PROCESSING')) AS open,
               count(*) FILTER (WHERE d.status = 'FAILED') AS failed,
               count(*) FILTER (WHERE d.status = 'SENT') AS sent,
               count(*) AS total,
               max(d.attempts) AS attempts,
               (array_agg(d.last_error ORDER BY d.updated_at DESC) FILTER (WHERE d.status = 'FAILED'))[1] AS last_error
        FROM notify.ent_notification_delivery d
        WHERE d.notification_id = ANY (p_notification_ids)
        GROUP BY d.notification_id
    )
    UPDATE notify.ent_notification n
    SET notification_status = CASE
            WHEN agg.open > 0 THEN 'PROCESSING'
            WHEN agg.failed > 0 THEN 'FAILED'
            ELSE 'SENT' END::notify.notification_status,
        processed_at = CASE WHEN agg.open = 0 THEN now() ELSE n.processed_at END,
        error_details = CASE WHEN agg.open = 0 AND agg.failed > 0 THEN agg.last_error ELSE NULL END,
        updated_at = now()
    FROM agg
    WHERE n.id = agg.notification_id AND n.notification_status NOT IN ('RETRACTED')
$$;

-- When the next delivery falls due, so an idle dispatcher sleeps exactly until then.
CREATE FUNCTION notify.next_delivery_due()
    RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    SELECT min(t) FROM (
        SELECT min(next_attempt_at) AS t FROM notify.ent_notification_delivery WHERE status = 'PENDING'
        UNION ALL
        SELECT min(lease_expires_at) FROM notify.ent_notification_delivery WHERE status = 'PROCESSING'
    ) s
$$;

REVOKE ALL ON FUNCTION notify.claim_deliveries(text, integer, integer), notify.complete_deliveries(text, jsonb),
    notify.refresh_notification_status(bigint[]), notify.next_delivery_due() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.claim_deliveries(text, integer, integer), notify.complete_deliveries(text, jsonb),
    notify.refresh_notification_status(bigint[]), notify.next_delivery_due() TO xnovu_app;
