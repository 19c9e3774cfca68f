-- Deliveries created once per statement, not once per row (issue 14).
--
-- The trigger of 0005 ran PL/pgSQL, its own INSERT into deliveries and a pg_notify for every notification row:
-- a coalesced commit of 32 single triggers, or a bulk call of 500 events, ran it 32 or 500 times. In a
-- benchmark run of 10,000 single triggers it was called 9,458 times and took about 9% of PostgreSQL's CPU.
-- This statement-level trigger reads the statement's inserted rows from a transition table and creates all
-- their deliveries with one INSERT, and notifies the dispatchers once. What it creates is unchanged: rows
-- inserted PENDING get one delivery per recipient (or one to the default subscriber when the list is empty),
-- transaction ids are the notification's, suffixed by the ordinal when there is more than one recipient, and
-- a notification inserted without a transaction id gets 'xnovu-<id>'. A delivery's id takes its notification's
-- creation second (issue 32), so both live in the same day partition; a notification made before the history
-- cutover gets its deliveries' ids from the old sequence, below it; before the switch, from the old identity. Rows inserted in any other status
-- (a topic notification being expanded is inserted PROCESSING) are left alone. SECURITY INVOKER as before:
-- the deliveries are written under the inserting role's row-level security.
-- Issue 32: a NOTIFY holds PostgreSQL's one notification-queue lock from just before its transaction's commit until
-- the commit is flushed, so every notifying commit of the cluster waits for the one before it to reach the disk (a
-- coalesced trigger commit once waited past its 100 ms lock timeout there). A transaction that sets
-- xnovu.dispatch_wake to 'after-commit' is not notified from here: its writer wakes the dispatchers after its commit,
-- in a transaction of its own that does not wait for the flush (XNovu.Api/Triggers/DispatchWake.cs).
-- (reasons first written in 0021_deliveries_per_statement)
-- History: 0021_deliveries_per_statement. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.create_statement_deliveries()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    -- Only rows written by SQL without a transaction id; the API always sends one. Tested first on the transition
    -- table alone, so that a statement without such rows never touches the notifications; the ids as an array, so
    -- that the cached plan is always a primary-key lookup whatever the transition table's size when first planned.
    IF EXISTS (SELECT 1 FROM inserted i WHERE i.notification_status = 'PENDING' AND i.transaction_id IS NULL) THEN
        -- Named ids are kept unique with the others (notify.notification_transaction, issue 32).
        WITH named AS (
            UPDATE notify.ent_notification n
            SET transaction_id = 'xnovu-' || n.id
            WHERE n.id = ANY (ARRAY(SELECT i.id FROM inserted i WHERE i.notification_status = 'PENDING' AND i.transaction_id IS NULL))
            RETURNING n.enterprise_id, n.transaction_id, n.id
        )
        INSERT INTO notify.notification_transaction (enterprise_id, transaction_id, notification_id)
        SELECT enterprise_id, transaction_id, id FROM named;
    END IF;

    INSERT INTO notify.ent_notification_delivery
        (id, enterprise_id, notification_id, ordinal, subscriber_id, recipient, transaction_id, next_attempt_at)
    OVERRIDING SYSTEM VALUE
    SELECT CASE WHEN NOT h.switched THEN nextval(h.identity)
                WHEN i.id < h.cutover THEN nextval('notify.legacy_delivery_id_seq')
                ELSE (i.id & ~8388607::bigint) | (nextval('notify.history_id_seq') & 8388607) END,
           i.enterprise_id,
           i.id,
           r.ordinal::integer,
           CASE jsonb_typeof(r.value) WHEN 'string' THEN r.value #>> '{}' ELSE r.value ->> 'subscriberId' END,
           CASE jsonb_typeof(r.value) WHEN 'string' THEN jsonb_build_object('subscriberId', r.value #>> '{}') ELSE r.value END,
           coalesce(i.transaction_id, 'xnovu-' || i.id) || CASE WHEN r.total > 1 THEN '-' || r.ordinal ELSE '' END,
           coalesce(i.scheduled_for, now())
    FROM inserted i
    CROSS JOIN (SELECT s.cutover, s.switched, pg_get_serial_sequence('notify.ent_notification_delivery', 'id') AS identity
                FROM notify.history_settings s) h
    CROSS JOIN LATERAL (
        SELECT e.value, e.ordinal, count(*) OVER () AS total
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(i.recipients) = 'array' AND jsonb_array_length(i.recipients) > 0
                                       THEN i.recipients ELSE '[null]'::jsonb END) WITH ORDINALITY AS e(value, ordinal)
    ) r
    WHERE i.notification_status = 'PENDING'
    ORDER BY i.id, r.ordinal;

    -- A writer that wakes the dispatchers itself once it has committed (the API's coalesced trigger commits) says so
    -- in its transaction; every other writer (bulk calls, SQL writers, the rules) is woken from here, as before.
    IF FOUND AND current_setting('xnovu.dispatch_wake', true) IS DISTINCT FROM 'after-commit' THEN
        PERFORM pg_notify('xnovu_dispatch', '');
    END IF;
    RETURN NULL;
END
$function$;
-- Executable by PUBLIC (the default): a trigger function, or one every login may call.
