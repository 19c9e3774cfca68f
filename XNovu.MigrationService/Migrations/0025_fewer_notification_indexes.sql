-- Two notification indexes that no query needs, dropped (issue 14).
--
-- A notification row is written three times (stored, started, settled). None of these updates can be HOT, since
-- each changes an indexed column (the status, or updated_at, which ix_notification_expansion keys on), so every
-- write adds an entry to every index of the table. Of its ten indexes, two serve nothing the others do not:
-- - idx_notification_created_at (created_at DESC): never scanned over a benchmark run. Every tenant query is
--   scoped to one enterprise by row-level security and reads idx_notification_enterprise_created; retention,
--   purge_notifications and the retries of failed notifications read the partial ix_notification_retention.
-- - idx_notification_enterprise_status (enterprise_id, notification_status): the leading columns of
--   idx_notification_enterprise_status_created (0006), which serves every lookup it served.
-- Both are named in the original system's deployment guide. The deliveries keep all five of theirs:
-- ix_delivery_notification was never scanned by the benchmark either, but it is the only one that starts with
-- enterprise_id, which purge_enterprise and a subscriber's export and erasure filter on.
DROP INDEX notify.idx_notification_created_at;
DROP INDEX notify.idx_notification_enterprise_status;
