-- xnovu:no-transaction
-- Issue 32: builds <partition>_unsent, each enterprise's notifications that are not SENT newest first (the reason:
-- 0074_unsent_index_on_new_partitions), on every day partition of notifications made before 0074, and on the rows
-- from before the partitioning (ent_notification_legacy). CREATE INDEX CONCURRENTLY on each partition: no write
-- waits for a build. It is not a partitioned index of the parent: PostgreSQL cannot build one concurrently, nor drop
-- it, and a plain build stops every insert for its whole length. The planner uses each partition's own indexes, so
-- the partitions need nothing more.
--
-- The partitions are known only when the script runs, so the statement below is a query whose rows are the
-- statements to run (DatabaseMigrator.EachRowMarker): for each partition without a valid index of that name, newest
-- day first, a drop of what a failed build left and a build. The migrator asks again until it answers none, so a
-- partition that the release before made ahead while 0074 committed (its call began before) is built too, and a
-- re-run builds only what is still missing.
-- xnovu:each-row
SELECT s.statement
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
LEFT JOIN pg_class x ON x.relnamespace = c.relnamespace AND x.relname = c.relname || '_unsent'
LEFT JOIN pg_index ix ON ix.indexrelid = x.oid
CROSS JOIN LATERAL (VALUES
    (1, format('DROP INDEX CONCURRENTLY IF EXISTS notify.%I', c.relname || '_unsent')),
    (2, format('CREATE INDEX CONCURRENTLY %I ON notify.%I (enterprise_id, created_at DESC, id DESC) WHERE notification_status <> ''SENT''',
               c.relname || '_unsent', c.relname))) AS s(step, statement)
WHERE i.inhparent = 'notify.ent_notification'::regclass
  AND ix.indisvalid IS NOT TRUE
ORDER BY c.relname DESC, s.step;

