-- xnovu:requires 0071_history_rows
-- A notification with one delivery takes its status in the completion itself (issue 14).
--
-- The completion of 0020 rolled every notification it touched up through refresh_notification_status: a
-- statement that locks the notifications in id order, then an aggregate over all their deliveries and an
-- update. The lock and the fresh snapshot exist for notifications whose deliveries two batches complete at
-- the same time (0016). A notification with one delivery has no such race: its delivery is completed by the
-- one lease holder, and no delivery is added to it unless it is a topic still expanding. In a benchmark run
-- of 5,000 single triggers the roll-up was about 15% of PostgreSQL's statement time.
-- Now the completion updates such a notification from its one delivery's outcome in the same statement, with
-- the roll-up's rules (open -> PROCESSING, FAILED -> FAILED with the delivery's error, SENT -> SENT; a
-- RETRACTED notification is left alone); every other notification goes through the roll-up as before.
-- (reasons first written in 0022_single_delivery_completion)
-- The same statement queues the enterprise's own webhooks (issue 28): notification.accepted for a delivery Novu
-- accepted, notification.failed for one that failed for good, one outbox row per subscribed endpoint, joined in
-- one INSERT for the whole batch; an enterprise without a subscribed endpoint costs an index probe.
-- A delivery keeps how it was first rendered (its locale and versions, issue 30): a later attempt or a re-send reads
-- it back and renders the same versions, so a completion never overwrites it.
-- A delivery whose every channel a preference silenced is SKIPPED (outcome 'skipped', issue 29); the channels silenced
-- on any delivery are kept in skipped_channels with the source that decided. A notification counts a SKIPPED
-- delivery as done and not failed: its own status is SENT (processed, nothing failed), the delivery says why.
-- A delivery of a digest workflow waiting for its bucket's flush ('digest') is PENDING until then, its attempt given
-- back; one whose event another delivery sent in the digest ('digested') is SENT with novu_status 'digested'. The
-- wait ends at its bucket's time as it is when recorded, not as digest_step saw it: a bucket closed early (maxEvents)
-- or flushed meanwhile, by another replica, makes the member due at once (in 3 s once flushed), not at the window's end.
-- The look for a notification's other deliveries is bounded by delivery_id_range (issue 32): one day partition per
-- delivery, where it probed every day's index; the settings read once, so the rule inlines as an expression. The
-- batch's deliveries and their notifications are bounded by the batch's id span (notification_id_span, 0072), so the
-- plan starts with only the batch's days: a join on id alone probed every day's primary key for every row (about
-- 6,000 buffers and 60 ms per completion of 100 deliveries with 43 day partitions).
-- Issue 32: custom plans (force_custom_plan), so the batch's id span is a constant when planned and the plans name
-- only its days; the look for a notification's other deliveries is bounded by that span too (they share its second).
-- A generic plan is locked whole before it is pruned: 1,707 relation locks per completion at 53 day partitions, 57 now.
-- Planned with constants, a plan follows the statistics of the day's partition, which lag behind a busy day: the
-- deliveries are found by their ids (= ANY, a list of the batch's size), the status compared as text so that the
-- lease index, whose statistics say it is nearly empty while it holds the day's dead entries, is not chosen instead;
-- the notification bounds are whole days (notification_id_span), never one second that a bulk call filled.
-- History: 0005_deliveries_and_dispatch, 0018_byo_novu, 0020_dispatch_plans, 0022_single_delivery_completion, 0023_generic_dispatch_plans, 0033_delivery_status, 0041_versions_locales_audit. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.complete_deliveries(p_worker text, p_results jsonb)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
 SET plan_cache_mode TO 'force_custom_plan'
 SET enable_seqscan TO 'off'
AS $function$
DECLARE
    v_updated integer;
    v_shared bigint[];
    v_queued integer;
    v_cutover bigint;
    v_switched boolean;
    v_low bigint;
    v_high bigint;
    v_notifications int8range;
    v_notification_low bigint;
    v_notification_high bigint;
    v_ids bigint[];
BEGIN
    SELECT s.cutover, s.switched INTO v_cutover, v_switched FROM notify.history_settings s;
    SELECT min((r ->> 'id')::bigint), max((r ->> 'id')::bigint), array_agg((r ->> 'id')::bigint) INTO v_low, v_high, v_ids
    FROM jsonb_array_elements(p_results) AS r;
    v_notifications := notify.notification_id_span(v_low, v_high, v_cutover, v_switched);
    v_notification_low := lower(v_notifications);
    v_notification_high := upper(v_notifications);
    WITH results AS (
        SELECT (r ->> 'id')::bigint AS id,
               r ->> 'outcome' AS outcome,
               (r ->> 'retryAt')::timestamptz AS retry_at,
               r ->> 'novuStatus' AS novu_status,
               r -> 'error' AS error,
               r -> 'rendering' AS rendering,
               nullif(r -> 'skipped', 'null'::jsonb) AS skipped
        FROM jsonb_array_elements(p_results) AS r
    ), done AS (
        UPDATE notify.ent_notification_delivery d
        SET status = CASE r.outcome WHEN 'sent' THEN 'SENT' WHEN 'retry' THEN 'PENDING' WHEN 'paused' THEN 'PENDING'
                         WHEN 'skipped' THEN 'SKIPPED' WHEN 'digest' THEN 'PENDING' WHEN 'digested' THEN 'SENT' ELSE 'FAILED' END::notify.notification_status,
            next_attempt_at = CASE WHEN r.outcome IN ('retry', 'paused') THEN coalesce(r.retry_at, now())
                                   WHEN r.outcome = 'digest' THEN least(coalesce(r.retry_at, now()),
                                       (SELECT CASE WHEN b.flushed_by IS NOT NULL THEN now() + interval '3 seconds' ELSE b.flush_at END
                                        FROM notify.digest_event e JOIN notify.digest_bucket b ON b.id = e.bucket_id
                                        WHERE e.delivery_id = d.id))
                                   ELSE d.next_attempt_at END,
            attempts = CASE WHEN r.outcome IN ('paused', 'digest') THEN greatest(d.attempts - 1, 0) ELSE d.attempts END,
            novu_paused = (r.outcome = 'paused'),
            sent_at = CASE WHEN r.outcome IN ('sent', 'digested') THEN now() ELSE d.sent_at END,
            novu_status = CASE WHEN r.outcome = 'digested' THEN 'digested' ELSE coalesce(r.novu_status, d.novu_status) END,
            last_error = CASE WHEN r.outcome IN ('sent', 'skipped', 'digest', 'digested') THEN d.last_error ELSE r.error END,
            skipped_channels = r.skipped,
            lease_expires_at = NULL,
            rendering = coalesce(d.rendering, nullif(r.rendering, 'null'::jsonb)),
            updated_at = now()
        FROM results r
        WHERE d.id = r.id AND d.id = ANY (v_ids) AND d.id >= v_low AND d.id <= v_high
          AND d.status::text = 'PROCESSING' AND d.lease_owner = p_worker
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
        JOIN notify.ent_notification n
          ON n.id = done.notification_id AND n.id >= v_notification_low AND n.id < v_notification_high
        WHERE NOT n.expansion_pending
          AND NOT EXISTS (SELECT 1 FROM notify.ent_notification_delivery o
                          WHERE o.notification_id = done.notification_id AND o.id <> done.id
                            AND o.id >= v_notification_low AND o.id < v_notification_high
                            AND o.id >= lower(notify.delivery_id_range(done.notification_id, v_cutover, v_switched))
                            AND o.id < upper(notify.delivery_id_range(done.notification_id, v_cutover, v_switched)))
    ), settled AS (
        UPDATE notify.ent_notification n
        SET notification_status = CASE WHEN a.status IN ('PENDING', 'PROCESSING') THEN 'PROCESSING'
                                       WHEN a.status = 'SKIPPED' THEN 'SENT' ELSE a.status END,
            processed_at = CASE WHEN a.status IN ('PENDING', 'PROCESSING') THEN n.processed_at ELSE now() END,
            error_details = CASE WHEN a.status = 'FAILED' THEN a.last_error ELSE NULL END,
            updated_at = now()
        FROM alone a
        WHERE n.id = a.notification_id AND n.id >= v_notification_low AND n.id < v_notification_high
          AND n.notification_status <> 'RETRACTED' AND NOT n.expansion_pending
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
$function$;
REVOKE ALL ON FUNCTION notify.complete_deliveries(text,jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.complete_deliveries(text,jsonb) TO xnovu_dispatcher;
