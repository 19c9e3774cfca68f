-- Issue 32: the index on (enterprise, status, created_at) goes, now that every partition has <partition>_unsent
-- (0075). Under row-level security no service read could use it (0074 says why), and every query that filters an
-- enterprise's notifications by a status other than SENT, in the services or in the owner's functions, is served by
-- the new index; SENT, nearly every row, by the enterprise's index of all its rows. Kept, it cost every status change
-- one more index entry.
--
-- A partitioned index cannot be dropped concurrently. Dropping it locks the notifications and each day partition
-- for a moment (ACCESS EXCLUSIVE, catalog work only), so the lock is asked for with NOWAIT first (the migrator asks
-- again every few milliseconds while a transaction holds the table; docs/operations.md, "Migrations without
-- downtime") and the drop runs at once behind it, the script's last statement.
LOCK TABLE notify.ent_notification IN ACCESS EXCLUSIVE MODE NOWAIT;
DO $$
BEGIN
    DROP INDEX IF EXISTS notify.ix_notification_enterprise_status_created;
END
$$;
