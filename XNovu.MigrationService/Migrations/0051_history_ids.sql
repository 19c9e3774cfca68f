-- History that grows without slowing anything (issue 32), step 1 of 3: expand.
--
-- Notifications, deliveries and delivery events become range-partitioned by creation time, one partition per UTC
-- day (0053). The partition key is the id itself: from now on an id carries the second it was created in its high
-- bits, ((epoch seconds - 2024-01-01) << 23) | 23 bits of a sequence, so every lookup by id (the claim's joins, the
-- completion, the API's reads) is pruned to one partition with no change to its SQL, and a day is an id range. The
-- ids stay below 2^53 until 2058, so JavaScript callers read them exactly. A delivery takes its notification's
-- time bits, so a notification and all its deliveries (and their events) live in the same day's partitions and a
-- day is dropped whole. Ids made before the switch are small identity values: they all sit below the cutover,
-- today's first id, and the existing tables become the partitions below it (0053), with no copy.
--
-- The uniqueness of (enterprise, transaction id) cannot be enforced across partitions (a unique index on a
-- partitioned table must hold its key): it moves to its own narrow table, kept for every insert by a trigger and
-- filled for the existing history in batches (0052).

CREATE TABLE notify.history_settings (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    -- The first id of the day this script ran: every id made before the switch is below it, every one after it not.
    cutover     bigint NOT NULL,
    -- Set by the switch (0053). Until then the code of this release writes ids from the old identity sequences, so
    -- that it runs on the expanded schema as well (the two-step upgrade of docs/operations.md).
    switched    boolean NOT NULL DEFAULT false
);
INSERT INTO notify.history_settings (cutover)
SELECT ((floor(extract(epoch FROM date_trunc('day', now(), 'UTC')))::bigint - 1704067200) << 23);
GRANT SELECT ON notify.history_settings TO xnovu_app;
-- Objects the services touch from the moment they exist are handed to the owner at once, not by the hand-over after
-- the scripts (an ALTER ... OWNER then would lock them under traffic).
ALTER TABLE notify.history_settings OWNER TO xnovu_owner;

CREATE SEQUENCE notify.history_id_seq;
-- Deliveries of notifications made before the cutover take ids from here once the identity is gone (0053 sets it).
CREATE SEQUENCE notify.legacy_delivery_id_seq;
GRANT USAGE ON SEQUENCE notify.history_id_seq, notify.legacy_delivery_id_seq TO xnovu_app;
-- Until the switch, this release's code takes ids from the old identities by name (new_notification_id,
-- create_statement_deliveries): the services may use them. The switch drops them.
GRANT USAGE ON SEQUENCE notify.ent_notification_id_seq, notify.ent_notification_delivery_id_seq TO xnovu_app;
ALTER SEQUENCE notify.history_id_seq OWNER TO xnovu_owner;
ALTER SEQUENCE notify.legacy_delivery_id_seq OWNER TO xnovu_owner;

-- Live definitions: Functions/history_id_floor.sql, history_id.sql, delivery_id_for.sql.
CREATE OR REPLACE FUNCTION notify.history_id_floor(p_at timestamptz) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (floor(extract(epoch FROM p_at))::bigint - 1704067200) << 23 $$;

CREATE OR REPLACE FUNCTION notify.history_id(p_at timestamptz) RETURNS bigint
    LANGUAGE sql
AS $$ SELECT notify.history_id_floor(p_at) | (nextval('notify.history_id_seq') & 8388607) $$;

-- Live definition: Functions/new_notification_id.sql.
CREATE OR REPLACE FUNCTION notify.new_notification_id() RETURNS bigint
    LANGUAGE sql
AS $$
    SELECT CASE WHEN s.switched THEN notify.history_id(now())
                ELSE nextval(pg_get_serial_sequence('notify.ent_notification', 'id')) END
    FROM notify.history_settings s
$$;

-- Notifications' transaction ids, unique per enterprise across every partition.
CREATE TABLE notify.notification_transaction (
    enterprise_id    uuid NOT NULL REFERENCES notify.enterprise (id),
    transaction_id   text NOT NULL,
    notification_id  bigint NOT NULL,
    PRIMARY KEY (enterprise_id, transaction_id)
);
-- Retention drops a day's keys by their notifications' id range.
CREATE INDEX ix_notification_transaction_notification ON notify.notification_transaction (notification_id);
ALTER TABLE notify.notification_transaction ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify.notification_transaction FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notify.notification_transaction
    USING (enterprise_id = notify.current_enterprise_id())
    WITH CHECK (enterprise_id = notify.current_enterprise_id());
GRANT SELECT, INSERT, DELETE ON notify.notification_transaction TO xnovu_app;
ALTER TABLE notify.notification_transaction OWNER TO xnovu_owner;

-- Live definition: Functions/record_notification_transactions.sql.
CREATE OR REPLACE FUNCTION notify.record_notification_transactions() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO notify.notification_transaction (enterprise_id, transaction_id, notification_id)
    SELECT i.enterprise_id, i.transaction_id, i.id
    FROM inserted i
    WHERE i.transaction_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM notify.notification_transaction t
                      WHERE t.enterprise_id = i.enterprise_id AND t.transaction_id = i.transaction_id
                        AND t.notification_id = i.id);
    RETURN NULL;
END
$$;

-- Fills the keys of the existing history in batches of ids, each batch its own transaction (called by 0052, outside
-- any, then dropped): a long scan never holds a snapshot that stops vacuum, and the writes go on beside it.
CREATE PROCEDURE notify.backfill_notification_transactions(p_batch integer)
    LANGUAGE plpgsql
AS $$
DECLARE
    v_from bigint;
    v_last bigint;
BEGIN
    SELECT min(id), max(id) INTO v_from, v_last FROM notify.ent_notification;
    WHILE v_from <= v_last LOOP
        INSERT INTO notify.notification_transaction (enterprise_id, transaction_id, notification_id)
        SELECT n.enterprise_id, n.transaction_id, n.id
        FROM notify.ent_notification n
        WHERE n.id >= v_from AND n.id < v_from + p_batch AND n.transaction_id IS NOT NULL
        ON CONFLICT DO NOTHING;
        v_from := v_from + p_batch;
        COMMIT;
    END LOOP;
END
$$;

-- Last, the hot tables, each a moment (the migrator asks with NOWAIT): the trigger that keeps the keys from now on,
-- and the bounds the existing rows already satisfy, checked without blocking writes in 0052.
CREATE TRIGGER trg_notification_b_transactions AFTER INSERT ON notify.ent_notification
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION notify.record_notification_transactions();
LOCK TABLE notify.ent_notification, notify.ent_notification_delivery, notify.ent_delivery_event IN ACCESS EXCLUSIVE MODE NOWAIT;
DO $$
DECLARE v_cutover bigint := (SELECT cutover FROM notify.history_settings);
BEGIN
    EXECUTE format('ALTER TABLE notify.ent_notification ADD CONSTRAINT ck_notification_before_cutover CHECK (id < %s) NOT VALID', v_cutover);
    EXECUTE format('ALTER TABLE notify.ent_notification_delivery ADD CONSTRAINT ck_delivery_before_cutover CHECK (id < %s) NOT VALID', v_cutover);
    EXECUTE format('ALTER TABLE notify.ent_delivery_event ADD CONSTRAINT ck_delivery_event_before_cutover CHECK (delivery_id < %s) NOT VALID', v_cutover);
END
$$;
