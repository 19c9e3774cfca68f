-- xnovu:requires 0039_digests
-- Digests (issue 29): one claimed batch's deliveries of digest workflows, each joined to its bucket or, when its
-- bucket is due, the bucket flushed by exactly one of its deliveries. Runs in the enterprise's scope (row-level
-- security holds), in the dispatcher's one transaction per enterprise part of a batch.
-- A bucket is keyed by workflow, subscriber and digest key value within the enterprise; at most one is open per
-- key (ux_digest_bucket_open). Every item first takes a transaction advisory lock on its key, items in key order:
-- two replicas joining the same key in the same second queue behind each other (no event lost, no second bucket,
-- no deadlock), and a join and a flush of the same key never interleave. The flush closes the bucket and records
-- which delivery sends it (flushed_by), so the set of events is fixed from then on: a flusher killed mid-way is
-- taken over with its lease and sends the same event under the same transaction id (Novu replays). The bucket's
-- other deliveries follow their sender's outcome: 'digested' (SENT) once the sender is SENT, 'digest-failed' when it
-- ended otherwise (FAILED, SKIPPED, RETRACTED), and until then they wait, rechecked every few seconds, so a member
-- is never reported sent for a digest that was not. A delivery whose notification was cancelled (RETRACTED) is
-- never claimed, and the flush leaves its event out.
-- Actions: 'wait' (PENDING until flush_at), 'flush' (send the digest), 'send' (look-back: nothing similar within
-- the window, sent at once as a digest of one), 'digested' (another delivery sent the digest holding this event),
-- 'digest-failed' (the delivery that was to send the digest holding this event ended without sending it).
-- A bucket closed early (maxEvents) is flushed by whichever member is claimed first after it closed; its other
-- members, due at the window's end, are then made due in a few seconds (and complete_deliveries gives a member whose
-- 'wait' it records after its bucket was flushed or closed that bucket's time), so every member reports the digest's
-- outcome within seconds of it, not at the window's end.

CREATE OR REPLACE FUNCTION notify.digest_step(p_items jsonb)
 RETURNS TABLE(delivery_id bigint, action text, bucket_id bigint, flush_at timestamptz, event_count integer, events jsonb)
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'notify'
AS $function$
#variable_conflict use_column
DECLARE
    v_item record;
    v_enterprise uuid := notify.current_enterprise_id();
    v_bucket notify.digest_bucket%ROWTYPE;
    v_member bigint;
    v_sender notify.notification_status;
    v_others bigint[];
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
                -- The other members waiting for the window's end (a bucket closed early by maxEvents) look again
                -- shortly, and follow this sender's outcome then, instead of staying PENDING until the window's end.
                -- By id (a constant list): each probes its own day's key only.
                v_others := ARRAY(SELECT e.delivery_id FROM notify.digest_event e WHERE e.bucket_id = v_member AND e.delivery_id <> v_item.id);
                UPDATE notify.ent_notification_delivery d SET next_attempt_at = now() + interval '3 seconds'
                WHERE d.id = ANY (v_others) AND d.status = 'PENDING' AND d.next_attempt_at > now() + interval '3 seconds';
            END IF;
            v_sender := NULL;
            IF v_bucket.flushed_by IS NOT NULL AND v_bucket.flushed_by <> v_item.id THEN
                SELECT s.status INTO v_sender FROM notify.ent_notification_delivery s WHERE s.id = v_bucket.flushed_by;
            END IF;
            action := CASE WHEN v_bucket.flushed_by = v_item.id THEN (CASE WHEN v_bucket.sent_at_once THEN 'send' ELSE 'flush' END)
                           WHEN v_bucket.flushed_by IS NULL THEN 'wait'
                           WHEN v_sender = 'SENT' THEN 'digested'
                           WHEN v_sender IN ('FAILED', 'SKIPPED', 'RETRACTED') THEN 'digest-failed'
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
        -- A member waiting on its sender's outcome looks again shortly, not at the (past) flush time.
        flush_at := CASE WHEN action = 'wait' AND v_bucket.flushed_by IS NOT NULL THEN now() + interval '3 seconds' ELSE v_bucket.flush_at END;
        RETURN NEXT;
    END LOOP;
END
$function$;
REVOKE ALL ON FUNCTION notify.digest_step(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.digest_step(jsonb) TO xnovu_dispatcher;
