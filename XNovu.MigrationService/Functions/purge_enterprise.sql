-- Deletes one batch (at most p_batch rows of one table) of an enterprise being deleted, children before
-- parents, and answers how many rows went; when none is left, the enterprise row itself, answering 0. Each call
-- is one short statement under SKIP LOCKED, so it never waits on, nor holds up, another tenant's work. Tables
-- added later with an enterprise_id are emptied first (they can only be children); -1 means the rows left are
-- locked right now: call again later. A row is named by its table and ctid together: the history tables are
-- partitioned (issue 32), and a ctid alone names a row in each partition.
-- (reasons first written in 0011_offboarding)
-- History: 0011_offboarding. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.purge_enterprise(p_enterprise uuid, p_batch integer)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
DECLARE
    v_parents_last text[] := ARRAY[
        'ent_notification_delivery', 'idempotency_key', 'rule_tick', 'rule_state', 'ent_notification',
        'ent_notification_rule', 'ent_notification_workflow', 'ent_notification_template',
        'typ_notification_priority', 'typ_notification_category', 'enterprise_rate_limit', 'enterprise_api_key'];
    v_table text;
    v_deleted integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM notify.enterprise WHERE id = p_enterprise AND deleted_at IS NOT NULL) THEN
        RETURN 0;
    END IF;

    FOR v_table IN
        SELECT c.relname::text
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'notify'
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'enterprise_id' AND NOT a.attisdropped
        WHERE c.relkind IN ('r', 'p') AND c.relname <> 'enterprise' AND NOT c.relispartition
        ORDER BY coalesce(array_position(v_parents_last, c.relname::text), 0), c.relname
    LOOP
        EXECUTE format(
            'DELETE FROM notify.%I WHERE enterprise_id = $1 AND (tableoid, ctid) IN ('
            'SELECT tableoid, ctid FROM notify.%I WHERE enterprise_id = $1 LIMIT $2 FOR UPDATE SKIP LOCKED)',
            v_table, v_table)
        USING p_enterprise, p_batch;
        GET DIAGNOSTICS v_deleted = ROW_COUNT;
        IF v_deleted > 0 THEN
            RETURN v_deleted;
        END IF;
    END LOOP;

    BEGIN
        DELETE FROM notify.enterprise WHERE id = p_enterprise;
    EXCEPTION WHEN foreign_key_violation THEN
        RETURN -1;
    END;
    RETURN 0;
END
$function$;
REVOKE ALL ON FUNCTION notify.purge_enterprise(uuid,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.purge_enterprise(uuid,integer) TO xnovu_app;
