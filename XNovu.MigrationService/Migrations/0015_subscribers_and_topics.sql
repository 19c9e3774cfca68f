-- Subscribers and topics (issue 18): each enterprise's subscriber directory, whose profiles templates see
-- as {{ subscriber.* }}, and topics, Novu's audiences, expanded into deliveries when a trigger is accepted.
-- Both are sealed by enterprise like every other table.

CREATE TABLE notify.subscriber (
    enterprise_id   uuid NOT NULL REFERENCES notify.enterprise (id),
    subscriber_id   text NOT NULL CHECK (length(subscriber_id) BETWEEN 1 AND 255),
    email           text,
    phone           text,
    first_name      text,
    last_name       text,
    locale          text,
    timezone        text,
    avatar          text,
    data            jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (enterprise_id, subscriber_id)
);
-- The list pages by (created_at, subscriber_id), like the notifications list.
CREATE INDEX ix_subscriber_page ON notify.subscriber (enterprise_id, created_at, subscriber_id);

CREATE TABLE notify.topic (
    enterprise_id   uuid NOT NULL REFERENCES notify.enterprise (id),
    topic_key       text NOT NULL CHECK (length(topic_key) BETWEEN 1 AND 255),
    name            text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (enterprise_id, topic_key)
);

-- A member is a subscriber of the directory: erasing the subscriber removes it from every topic.
CREATE TABLE notify.topic_subscriber (
    enterprise_id   uuid NOT NULL,
    topic_key       text NOT NULL,
    subscriber_id   text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (enterprise_id, topic_key, subscriber_id),
    FOREIGN KEY (enterprise_id, topic_key) REFERENCES notify.topic (enterprise_id, topic_key) ON DELETE CASCADE,
    FOREIGN KEY (enterprise_id, subscriber_id) REFERENCES notify.subscriber (enterprise_id, subscriber_id) ON DELETE CASCADE
);
CREATE INDEX ix_topic_subscriber_member ON notify.topic_subscriber (enterprise_id, subscriber_id);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['subscriber', 'topic', 'topic_subscriber']
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

-- A trigger to a topic is stored with its whole audience in recipients (durable from the first commit),
-- PROCESSING so that create_deliveries leaves it alone, and expansion_pending until every recipient has its
-- delivery. The deliveries are then created in batches, each its own short transaction.
ALTER TABLE notify.ent_notification ADD COLUMN expansion_pending boolean NOT NULL DEFAULT false;
CREATE INDEX ix_notification_expansion ON notify.ent_notification (updated_at) WHERE expansion_pending;

-- Creates the next p_batch deliveries of a notification being expanded, after the highest ordinal already
-- created, and answers how many remain. Safe to call again after a crash or from two places at once: the
-- notification row is locked, and ordinals already created are never created twice. Transaction ids follow
-- create_deliveries: the notification's, suffixed by the ordinal when there is more than one recipient.
CREATE FUNCTION notify.expand_deliveries(p_notification_id bigint, p_batch integer)
    RETURNS integer
    LANGUAGE plpgsql SECURITY INVOKER
    SET search_path = pg_catalog, notify
AS $$
DECLARE
    v_notification notify.ent_notification%ROWTYPE;
    v_total integer;
    v_done integer;
BEGIN
    SELECT * INTO v_notification FROM notify.ent_notification
    WHERE id = p_notification_id AND expansion_pending
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    v_total := jsonb_array_length(v_notification.recipients);
    SELECT coalesce(max(ordinal), 0) INTO v_done
    FROM notify.ent_notification_delivery WHERE notification_id = p_notification_id;

    INSERT INTO notify.ent_notification_delivery
        (enterprise_id, notification_id, ordinal, subscriber_id, recipient, transaction_id, next_attempt_at)
    SELECT v_notification.enterprise_id,
           v_notification.id,
           e.ordinal::integer,
           CASE jsonb_typeof(e.value) WHEN 'string' THEN e.value #>> '{}' ELSE e.value ->> 'subscriberId' END,
           CASE jsonb_typeof(e.value) WHEN 'string' THEN jsonb_build_object('subscriberId', e.value #>> '{}') ELSE e.value END,
           v_notification.transaction_id || CASE WHEN v_total > 1 THEN '-' || e.ordinal ELSE '' END,
           coalesce(v_notification.scheduled_for, now())
    FROM jsonb_array_elements(v_notification.recipients) WITH ORDINALITY AS e(value, ordinal)
    WHERE e.ordinal > v_done AND e.ordinal <= v_done + p_batch;

    IF v_done + p_batch >= v_total THEN
        UPDATE notify.ent_notification SET expansion_pending = false, updated_at = now() WHERE id = p_notification_id;
    ELSE
        UPDATE notify.ent_notification SET updated_at = now() WHERE id = p_notification_id;
    END IF;

    PERFORM pg_notify('xnovu_dispatch', '');
    RETURN greatest(v_total - v_done - p_batch, 0);
END
$$;

-- Finishes one expansion abandoned by its API instance (it crashed between batches): the oldest
-- notification still expanding that nobody has touched for p_idle_seconds gets its next batch. Crosses
-- enterprises, so it answers only the notification id and what remains.
CREATE FUNCTION notify.resume_expansion(p_batch integer, p_idle_seconds integer)
    RETURNS TABLE (notification_id bigint, remaining integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
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
$$;

REVOKE ALL ON FUNCTION notify.expand_deliveries(bigint, integer), notify.resume_expansion(integer, integer) FROM PUBLIC;
-- Only the API accepts triggers, so only it expands them (roles as in 0013_service_roles.sql).
GRANT EXECUTE ON FUNCTION notify.expand_deliveries(bigint, integer), notify.resume_expansion(integer, integer) TO xnovu_api;
