-- History that grows without slowing anything (issue 32), step 3 of 3: switch.
--
-- First, beside the live tables, the new partitioned parents (*_next) with their indexes, constraints, triggers,
-- row-level security and day partitions from the cutover day a week ahead. Then, in the script's last statement,
-- with the three tables locked (asked with NOWAIT, so nobody queues behind the ask) and for catalog changes only:
-- each existing table is renamed *_legacy and becomes, unchanged and unscanned (its bound was proven by 0052), the
-- partition below the cutover of the new parent, which takes the old name. Nothing is copied: the legacy
-- partitions drain by retention like any other day and are dropped when empty (the contract step). The parents declare exactly the indexes and constraints the legacy
-- tables already have, so the attach adopts them instead of building any. What a partitioned parent cannot declare
-- stays on the legacy tables only, and the new partitions carry it themselves or lose it:
--  - (enterprise, transaction id) unique: now notify.notification_transaction (0051);
--  - delivery (notification, ordinal) unique: each day partition's own (ensure_history_partitions);
--  - foreign keys between the three tables: the legacy ones stay among the legacy tables; new days have none (a
--    day is dropped whole; the functions that write deliveries and events are the only writers and take their
--    keys from the rows they refer to), and row deletes remove deliveries and events explicitly.
-- Views over the tables are made again over the parents; the triggers move from the old tables to the parents.

DROP PROCEDURE IF EXISTS notify.backfill_notification_transactions(integer);

CREATE SEQUENCE notify.delivery_event_id_seq;
GRANT USAGE ON SEQUENCE notify.delivery_event_id_seq TO xnovu_app;
ALTER SEQUENCE notify.delivery_event_id_seq OWNER TO xnovu_owner;

CREATE OR REPLACE FUNCTION notify.ensure_history_partitions(p_through date, p_parent_suffix text DEFAULT '', p_from date DEFAULT NULL)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
AS $$
DECLARE
    v_day date;
    v_from bigint;
    v_to bigint;
    v_created integer := 0;
    v_table record;
    v_name text;
BEGIN
    -- Before the switch (0053) the tables are not partitioned yet: nothing to make.
    IF p_parent_suffix = '' AND NOT (SELECT switched FROM notify.history_settings) THEN
        RETURN 0;
    END IF;
    PERFORM set_config('lock_timeout', '2000', true);
    SELECT (to_timestamp((cutover >> 23) + 1704067200) AT TIME ZONE 'UTC')::date INTO v_day FROM notify.history_settings;
    -- Days already dropped by retention are not made again: start after the newest day already there, unless told
    -- where to start (p_from, never before the cutover: a history load that moved the cutover back, see docs/scaling.md).
    IF p_from IS NULL THEN
        SELECT greatest(v_day, coalesce(max(substring(c.relname FROM '_p(\d{8})$')::date) + 1, v_day)) INTO v_day
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = ('notify.ent_notification' || p_parent_suffix)::regclass;
    ELSE
        v_day := greatest(v_day, p_from);
    END IF;
    WHILE v_day <= p_through LOOP
        v_from := notify.history_id_floor(v_day::timestamp AT TIME ZONE 'UTC');
        v_to := notify.history_id_floor((v_day + 1)::timestamp AT TIME ZONE 'UTC');
        FOR v_table IN SELECT * FROM (VALUES ('ent_notification', 'id'), ('ent_notification_delivery', 'id'),
                                             ('ent_delivery_event', 'delivery_id')) AS t(parent, key) LOOP
            v_name := v_table.parent || '_p' || to_char(v_day, 'YYYYMMDD');
            CONTINUE WHEN to_regclass('notify.' || v_name) IS NOT NULL;
            EXECUTE format('CREATE TABLE notify.%I (LIKE notify.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', v_name, v_table.parent || p_parent_suffix);
            EXECUTE format('ALTER TABLE notify.%I ADD CONSTRAINT %I CHECK (%I >= %s AND %I < %s)',
                           v_name, v_name || '_bound', v_table.key, v_from, v_table.key, v_to);
            -- Owned by the owner from the start: the migrator's hand-over never has to lock it under traffic.
            EXECUTE format('ALTER TABLE notify.%I OWNER TO xnovu_owner', v_name);
            -- Reached through the parent, whose policy applies; a partition named directly keeps the same rule.
            EXECUTE format('ALTER TABLE notify.%I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', v_name);
            EXECUTE format('CREATE POLICY tenant_isolation ON notify.%I USING (enterprise_id = notify.current_enterprise_id()) '
                           'WITH CHECK (enterprise_id = notify.current_enterprise_id())', v_name);
            IF v_table.parent = 'ent_notification_delivery' THEN
                EXECUTE format('ALTER TABLE notify.%I ADD CONSTRAINT %I UNIQUE (notification_id, ordinal)', v_name, v_name || '_ordinal');
            ELSIF v_table.parent = 'ent_notification' THEN
                EXECUTE format('CREATE INDEX %I ON notify.%I (id) WHERE notification_status NOT IN (''SENT'', ''FAILED'', ''RETRACTED'') OR expansion_pending',
                               v_name || '_unfinished', v_name);
            END IF;
            EXECUTE format('ALTER TABLE notify.%I ATTACH PARTITION notify.%I FOR VALUES FROM (%s) TO (%s)',
                           v_table.parent || p_parent_suffix, v_name, v_from, v_to);
            v_created := v_created + 1;
        END LOOP;
        v_day := v_day + 1;
    END LOOP;
    RETURN v_created;
END
$$;
REVOKE ALL ON FUNCTION notify.ensure_history_partitions(date,text,date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.ensure_history_partitions(date,text,date) TO xnovu_dispatcher;

CREATE TABLE notify.ent_notification_next (LIKE notify.ent_notification INCLUDING DEFAULTS) PARTITION BY RANGE (id);
ALTER TABLE notify.ent_notification_next ALTER COLUMN id SET DEFAULT notify.new_notification_id(),
    ADD CONSTRAINT pk_notification PRIMARY KEY (id),
    ADD CONSTRAINT uq_notification_enterprise_id UNIQUE (enterprise_id, id),
    ADD CONSTRAINT fk_notification_enterprise FOREIGN KEY (enterprise_id) REFERENCES notify.enterprise (id),
    ADD CONSTRAINT fk_notification_category FOREIGN KEY (enterprise_id, notification_category_id) REFERENCES notify.typ_notification_category (enterprise_id, id),
    ADD CONSTRAINT fk_notification_priority FOREIGN KEY (enterprise_id, notification_priority_id) REFERENCES notify.typ_notification_priority (enterprise_id, id),
    ADD CONSTRAINT fk_notification_rule FOREIGN KEY (enterprise_id, notification_rule_id) REFERENCES notify.ent_notification_rule (enterprise_id, id);
CREATE INDEX ix_notification_enterprise_created ON notify.ent_notification_next (enterprise_id, created_at DESC, id DESC);
CREATE INDEX ix_notification_enterprise_status_created ON notify.ent_notification_next (enterprise_id, notification_status, created_at DESC, id DESC);
CREATE INDEX ix_notification_enterprise_workflow_created ON notify.ent_notification_next (enterprise_id, workflow_key, created_at DESC, id DESC);
CREATE INDEX ix_notification_expansion_pending ON notify.ent_notification_next (updated_at) WHERE expansion_pending;
CREATE INDEX ix_notification_finished_created ON notify.ent_notification_next (created_at) WHERE notification_status IN ('SENT', 'FAILED', 'RETRACTED');
CREATE TRIGGER trg_notification_a_fill_workflow BEFORE INSERT ON notify.ent_notification_next
    FOR EACH ROW EXECUTE FUNCTION notify.fill_notification_workflow();
CREATE TRIGGER trg_notification_b_transactions AFTER INSERT ON notify.ent_notification_next
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION notify.record_notification_transactions();
CREATE TRIGGER trg_notification_create_deliveries AFTER INSERT ON notify.ent_notification_next
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION notify.create_statement_deliveries();

CREATE TABLE notify.ent_notification_delivery_next (LIKE notify.ent_notification_delivery INCLUDING DEFAULTS) PARTITION BY RANGE (id);
ALTER TABLE notify.ent_notification_delivery_next ALTER COLUMN id SET DEFAULT notify.history_id(now()),
    ADD CONSTRAINT pk_delivery PRIMARY KEY (id),
    ADD CONSTRAINT fk_delivery_enterprise FOREIGN KEY (enterprise_id) REFERENCES notify.enterprise (id);
CREATE INDEX ix_delivery_outcome_awaited ON notify.ent_notification_delivery_next (enterprise_id, sent_at)
    WHERE status = 'SENT' AND (outcome IS NULL OR outcome = 'sent');
CREATE INDEX ix_delivery_due ON notify.ent_notification_delivery_next (next_attempt_at, id) WHERE status = 'PENDING';
CREATE INDEX ix_delivery_lease_expiry ON notify.ent_notification_delivery_next (lease_expires_at) WHERE status = 'PROCESSING';
CREATE INDEX ix_delivery_enterprise_subscriber ON notify.ent_notification_delivery_next (enterprise_id, subscriber_id);

CREATE TABLE notify.ent_delivery_event_next (LIKE notify.ent_delivery_event INCLUDING DEFAULTS) PARTITION BY RANGE (delivery_id);
ALTER TABLE notify.ent_delivery_event_next ALTER COLUMN id SET DEFAULT nextval('notify.delivery_event_id_seq'),
    ADD CONSTRAINT uq_delivery_event UNIQUE (delivery_id, novu_message_id, event),
    -- Named as on the existing table: a partition's check constraints must match its parent's by name.
    ADD CONSTRAINT ent_delivery_event_event_check CHECK (length(event) >= 1 AND length(event) <= 50),
    ADD CONSTRAINT fk_delivery_event_enterprise FOREIGN KEY (enterprise_id) REFERENCES notify.enterprise (id);

ALTER TABLE notify.ent_notification_next ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify.ent_notification_next FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notify.ent_notification_next
    USING (enterprise_id = notify.current_enterprise_id()) WITH CHECK (enterprise_id = notify.current_enterprise_id());
ALTER TABLE notify.ent_notification_delivery_next ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify.ent_notification_delivery_next FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notify.ent_notification_delivery_next
    USING (enterprise_id = notify.current_enterprise_id()) WITH CHECK (enterprise_id = notify.current_enterprise_id());
ALTER TABLE notify.ent_delivery_event_next ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify.ent_delivery_event_next FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notify.ent_delivery_event_next
    USING (enterprise_id = notify.current_enterprise_id()) WITH CHECK (enterprise_id = notify.current_enterprise_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON notify.ent_notification_next, notify.ent_notification_delivery_next TO xnovu_app;
GRANT SELECT ON notify.ent_delivery_event_next TO xnovu_app;

-- The partition maker runs as its owner (xnovu_owner once an earlier run handed it over): the new parents are
-- handed over first, as the migrator does with every object after the scripts.
ALTER TABLE notify.ent_notification_next OWNER TO xnovu_owner;
ALTER TABLE notify.ent_notification_delivery_next OWNER TO xnovu_owner;
ALTER TABLE notify.ent_delivery_event_next OWNER TO xnovu_owner;
SELECT notify.ensure_history_partitions((now() AT TIME ZONE 'UTC')::date + 7, '_next');

-- Retention by the day; live definitions: Functions/drop_history_day.sql, Functions/purge_transaction_keys.sql.
CREATE OR REPLACE FUNCTION notify.drop_history_day(p_suffix text, p_older_than_seconds double precision)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $$
DECLARE
    v_upper bigint;
    v_notifications text := 'ent_notification_' || p_suffix;
    v_deliveries text := 'ent_notification_delivery_' || p_suffix;
    v_events text := 'ent_delivery_event_' || p_suffix;
    v_busy boolean;
BEGIN
    IF p_suffix = 'legacy' THEN
        SELECT cutover INTO v_upper FROM notify.history_settings;
    ELSIF p_suffix ~ '^p\d{8}$' THEN
        v_upper := notify.history_id_floor((to_date(substr(p_suffix, 2), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC');
    ELSE
        RAISE EXCEPTION 'not a history day: %', p_suffix USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF to_regclass('notify.' || v_notifications) IS NULL THEN
        RETURN 'absent';
    END IF;
    IF v_upper > notify.history_id_floor(now() - make_interval(secs => p_older_than_seconds)) THEN
        RETURN 'young';
    END IF;

    EXECUTE format('SELECT EXISTS (SELECT 1 FROM notify.%I WHERE notification_status NOT IN (''SENT'', ''FAILED'', ''RETRACTED'') OR expansion_pending)',
                   v_notifications) INTO v_busy;
    IF v_busy THEN
        RETURN 'unfinished';
    END IF;

    LOCK TABLE notify.ent_delivery_event, notify.ent_notification_delivery, notify.ent_notification IN ACCESS EXCLUSIVE MODE NOWAIT;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM notify.%I WHERE status IN (''PENDING'', ''PROCESSING''))', v_deliveries) INTO v_busy;
    IF v_busy THEN
        RETURN 'unfinished';
    END IF;
    EXECUTE format('DROP TABLE notify.%I, notify.%I, notify.%I', v_events, v_deliveries, v_notifications);
    RETURN 'dropped';
END
$$;
REVOKE ALL ON FUNCTION notify.drop_history_day(text,double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.drop_history_day(text,double precision) TO xnovu_dispatcher;

CREATE OR REPLACE FUNCTION notify.purge_transaction_keys(p_below bigint, p_batch integer)
 RETURNS integer
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $$
    WITH victims AS (
        SELECT t.enterprise_id, t.transaction_id
        FROM notify.notification_transaction t
        WHERE t.notification_id < p_below
          AND NOT EXISTS (SELECT 1 FROM notify.ent_notification n WHERE n.id = t.notification_id)
        ORDER BY t.notification_id
        LIMIT p_batch
        FOR UPDATE SKIP LOCKED
    ), purged AS (
        DELETE FROM notify.notification_transaction t USING victims v
        WHERE t.enterprise_id = v.enterprise_id AND t.transaction_id = v.transaction_id
        RETURNING 1
    )
    SELECT count(*)::integer FROM purged
$$;
REVOKE ALL ON FUNCTION notify.purge_transaction_keys(bigint,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.purge_transaction_keys(bigint,integer) TO xnovu_dispatcher;

LOCK TABLE notify.ent_notification, notify.ent_notification_delivery, notify.ent_delivery_event IN ACCESS EXCLUSIVE MODE NOWAIT;
DO $$
DECLARE
    v_cutover bigint := (SELECT cutover FROM notify.history_settings);
    v_view record;
BEGIN
    CREATE TEMP TABLE history_views ON COMMIT DROP AS
    SELECT DISTINCT v.oid::regclass::text AS name, pg_get_viewdef(v.oid) AS def, coalesce(array_to_string(v.reloptions, ', '), '') AS options
    FROM pg_depend d
    JOIN pg_rewrite r ON r.oid = d.objid
    JOIN pg_class v ON v.oid = r.ev_class
    WHERE d.refobjid IN ('notify.ent_notification'::regclass, 'notify.ent_notification_delivery'::regclass,
                         'notify.ent_delivery_event'::regclass)
      AND v.relkind = 'v';

    ALTER TABLE notify.ent_notification RENAME TO ent_notification_legacy;
    ALTER TABLE notify.ent_notification_delivery RENAME TO ent_notification_delivery_legacy;
    ALTER TABLE notify.ent_delivery_event RENAME TO ent_delivery_event_legacy;
    DROP TRIGGER trg_notification_a_fill_workflow ON notify.ent_notification_legacy;
    DROP TRIGGER trg_notification_b_transactions ON notify.ent_notification_legacy;
    DROP TRIGGER trg_notification_create_deliveries ON notify.ent_notification_legacy;
    PERFORM setval('notify.legacy_delivery_id_seq', coalesce((SELECT max(id) FROM notify.ent_notification_delivery_legacy), 0) + 1, false);
    PERFORM setval('notify.delivery_event_id_seq', coalesce((SELECT max(id) FROM notify.ent_delivery_event_legacy), 0) + 1, false);
    UPDATE notify.history_settings SET switched = true;
    ALTER TABLE notify.ent_notification_legacy ALTER COLUMN id DROP IDENTITY;
    ALTER TABLE notify.ent_notification_delivery_legacy ALTER COLUMN id DROP IDENTITY;
    ALTER TABLE notify.ent_delivery_event_legacy ALTER COLUMN id DROP IDENTITY;

    ALTER TABLE notify.ent_notification_next RENAME TO ent_notification;
    ALTER TABLE notify.ent_notification_delivery_next RENAME TO ent_notification_delivery;
    ALTER TABLE notify.ent_delivery_event_next RENAME TO ent_delivery_event;
    EXECUTE format('ALTER TABLE notify.ent_notification ATTACH PARTITION notify.ent_notification_legacy FOR VALUES FROM (MINVALUE) TO (%s)', v_cutover);
    EXECUTE format('ALTER TABLE notify.ent_notification_delivery ATTACH PARTITION notify.ent_notification_delivery_legacy FOR VALUES FROM (MINVALUE) TO (%s)', v_cutover);
    EXECUTE format('ALTER TABLE notify.ent_delivery_event ATTACH PARTITION notify.ent_delivery_event_legacy FOR VALUES FROM (MINVALUE) TO (%s)', v_cutover);

    FOR v_view IN SELECT * FROM history_views LOOP
        EXECUTE format('CREATE OR REPLACE VIEW %s%s AS %s', v_view.name,
                       CASE WHEN v_view.options = '' THEN '' ELSE ' WITH (' || v_view.options || ')' END, v_view.def);
    END LOOP;
END
$$;
