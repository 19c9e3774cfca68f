-- Digests (issue 29): a workflow setting that groups a subscriber's events into one Novu event. The buckets are
-- durable here, keyed by enterprise, workflow, subscriber and the digest key's value, at most one open per key;
-- notify.digest_step (its live body in Functions/digest_step.sql) joins and flushes them for the dispatcher.

-- A workflow's digest, in the shape of Novu's digest step controls:
-- {"type":"regular","amount":10,"unit":"seconds","lookBackWindow":{"amount":5,"unit":"minutes"},"digestKey":"issue.id","maxEvents":100}
-- or {"type":"timed","cron":"0 9 * * 1-5","digestKey":null,"maxEvents":100} (the CRON in the subscriber's time zone).
CREATE TABLE notify.workflow_digest (
    enterprise_id   uuid NOT NULL REFERENCES notify.enterprise (id),
    workflow_key    text NOT NULL CHECK (length(workflow_key) BETWEEN 1 AND 200),
    settings        jsonb NOT NULL CHECK (jsonb_typeof(settings) = 'object'),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (enterprise_id, workflow_key)
);

CREATE TABLE notify.digest_bucket (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id   uuid NOT NULL REFERENCES notify.enterprise (id),
    workflow_key    text NOT NULL,
    subscriber_id   text NOT NULL,
    -- The digest key's value in the payload ('' without a key, or when the payload lacks it).
    key_value       text NOT NULL,
    opened_at       timestamptz NOT NULL DEFAULT now(),
    flush_at        timestamptz NOT NULL,
    event_count     integer NOT NULL DEFAULT 0,
    -- No event joins a closed bucket: it is full, flushed, or was sent at once (look-back).
    closed          boolean NOT NULL DEFAULT false,
    -- The delivery that sends the digest; set once, when the bucket is flushed.
    flushed_by      bigint,
    flushed_at      timestamptz,
    -- Look-back: nothing similar within the window, so the first event was sent at once and this bucket only
    -- records that it was.
    sent_at_once    boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX ux_digest_bucket_open ON notify.digest_bucket (enterprise_id, workflow_key, subscriber_id, key_value) WHERE NOT closed;
CREATE INDEX ix_digest_bucket_recent ON notify.digest_bucket (enterprise_id, workflow_key, subscriber_id, key_value, opened_at);

-- One delivery's event in its bucket. No foreign key to the delivery: retention purges deliveries in bulk, and a
-- flushed bucket's events are history.
CREATE TABLE notify.digest_event (
    delivery_id     bigint PRIMARY KEY,
    enterprise_id   uuid NOT NULL,
    bucket_id       bigint NOT NULL REFERENCES notify.digest_bucket (id) ON DELETE CASCADE,
    joined_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_digest_event_bucket ON notify.digest_event (bucket_id);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['workflow_digest', 'digest_bucket', 'digest_event']
    LOOP
        EXECUTE format('ALTER TABLE notify.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE notify.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON notify.%I USING (enterprise_id = notify.current_enterprise_id()) '
            'WITH CHECK (enterprise_id = notify.current_enterprise_id())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON notify.%I TO xnovu_app', t);
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION notify.digest_step(p_items jsonb)
 RETURNS TABLE(delivery_id bigint, action text, bucket_id bigint, flush_at timestamptz, event_count integer, events jsonb)
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'notify'
AS $$
#variable_conflict use_column
DECLARE
    v_item record;
    v_enterprise uuid := notify.current_enterprise_id();
    v_bucket notify.digest_bucket%ROWTYPE;
    v_member bigint;
BEGIN
    IF v_enterprise IS NULL THEN
        RAISE EXCEPTION 'notify.digest_step runs in an enterprise''s scope';
    END IF;

    FOR v_item IN
        SELECT (i ->> 'deliveryId')::bigint AS id, i ->> 'workflowKey' AS workflow_key, i ->> 'subscriberId' AS subscriber_id,
               coalesce(i ->> 'keyValue', '') AS key_value, (i ->> 'flushAt')::timestamptz AS flush_at,
               coalesce((i ->> 'lookBackSeconds')::double precision, 0) AS look_back, greatest((i ->> 'maxEvents')::integer, 1) AS max_events
        FROM jsonb_array_elements(p_items) AS i
        ORDER BY 2, 3, 4, 1
    LOOP
        PERFORM pg_advisory_xact_lock(hashtextextended(
            v_enterprise::text || E'\x1f' || v_item.workflow_key || E'\x1f' || v_item.subscriber_id || E'\x1f' || v_item.key_value, 29));
        delivery_id := v_item.id;
        events := NULL;

        SELECT e.bucket_id INTO v_member FROM notify.digest_event e WHERE e.delivery_id = v_item.id;
        IF FOUND THEN
            SELECT * INTO v_bucket FROM notify.digest_bucket b WHERE b.id = v_member FOR UPDATE;
            IF v_bucket.flushed_by IS NULL AND v_bucket.flush_at <= now() THEN
                UPDATE notify.digest_bucket b SET closed = true, flushed_by = v_item.id, flushed_at = now()
                WHERE b.id = v_member
                RETURNING * INTO v_bucket;
            END IF;
            action := CASE WHEN v_bucket.flushed_by = v_item.id THEN (CASE WHEN v_bucket.sent_at_once THEN 'send' ELSE 'flush' END)
                           WHEN v_bucket.flushed_by IS NOT NULL THEN 'digested'
                           ELSE 'wait' END;
        ELSE
            PERFORM 1 FROM notify.digest_bucket b
            WHERE b.workflow_key = v_item.workflow_key AND b.subscriber_id = v_item.subscriber_id AND b.key_value = v_item.key_value
              AND NOT b.closed;
            IF NOT FOUND AND v_item.look_back > 0 AND NOT EXISTS (
                SELECT 1 FROM notify.digest_bucket b
                WHERE b.workflow_key = v_item.workflow_key AND b.subscriber_id = v_item.subscriber_id AND b.key_value = v_item.key_value
                  AND b.opened_at > now() - make_interval(secs => v_item.look_back)) THEN
                INSERT INTO notify.digest_bucket AS b (enterprise_id, workflow_key, subscriber_id, key_value, flush_at, event_count,
                                                       closed, flushed_by, flushed_at, sent_at_once)
                VALUES (v_enterprise, v_item.workflow_key, v_item.subscriber_id, v_item.key_value, now(), 1, true, v_item.id, now(), true)
                RETURNING * INTO v_bucket;
                action := 'send';
            ELSE
                INSERT INTO notify.digest_bucket AS b (enterprise_id, workflow_key, subscriber_id, key_value, flush_at, event_count, closed)
                VALUES (v_enterprise, v_item.workflow_key, v_item.subscriber_id, v_item.key_value,
                        CASE WHEN v_item.max_events <= 1 THEN now() ELSE v_item.flush_at END, 1, v_item.max_events <= 1)
                ON CONFLICT (enterprise_id, workflow_key, subscriber_id, key_value) WHERE NOT closed DO UPDATE
                SET event_count = b.event_count + 1,
                    closed = b.event_count + 1 >= v_item.max_events,
                    flush_at = CASE WHEN b.event_count + 1 >= v_item.max_events THEN least(b.flush_at, now()) ELSE b.flush_at END
                RETURNING * INTO v_bucket;
                action := 'wait';
            END IF;
            INSERT INTO notify.digest_event (delivery_id, enterprise_id, bucket_id) VALUES (v_item.id, v_enterprise, v_bucket.id);
        END IF;

        IF action IN ('flush', 'send') THEN
            SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id, 'time', x.created_at, 'payload', x.payload) ORDER BY x.id), '[]'::jsonb)
            INTO events
            FROM (SELECT d.id, n.created_at, n.payload
                  FROM notify.digest_event e
                  JOIN notify.ent_notification_delivery d ON d.id = e.delivery_id
                  JOIN notify.ent_notification n ON n.id = d.notification_id
                  WHERE e.bucket_id = v_bucket.id AND d.status <> 'RETRACTED'
                  ORDER BY d.id
                  LIMIT v_item.max_events) x;
            event_count := jsonb_array_length(events);
        ELSE
            event_count := v_bucket.event_count;
        END IF;
        bucket_id := v_bucket.id;
        flush_at := v_bucket.flush_at;
        RETURN NEXT;
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION notify.digest_step(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.digest_step(jsonb) TO xnovu_dispatcher;
