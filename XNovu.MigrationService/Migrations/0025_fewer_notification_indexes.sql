-- Three indexes that no query needs, dropped (issue 14).
--
-- A notification row is written three times (stored, started, settled) and a delivery three times (created,
-- claimed, completed). None of these updates can be HOT, since each changes an indexed column (the status, or
-- updated_at, which ix_notification_expansion keys on), so every write adds an entry to every index of the
-- table. Over a single-trigger benchmark (pg_stat_user_indexes), these three were either never scanned or can
-- be served by a wider index that stays:
-- - idx_notification_created_at (created_at DESC): never scanned. Every tenant query is scoped to one
--   enterprise by row-level security and reads idx_notification_enterprise_created; retention reads
--   ix_notification_retention.
-- - idx_notification_enterprise_status (enterprise_id, notification_status): the leading columns of
--   idx_notification_enterprise_status_created (0006), which serves every lookup it served.
-- - ix_delivery_notification (enterprise_id, notification_id): never scanned. The deliveries of a notification
--   are found through the unique (notification_id, ordinal) index, and so are the rows the cascade from a
--   deleted notification removes.
-- ent_notification goes from 10 indexes to 8, the deliveries from 5 to 4. (The first two are named in the original
-- system's deployment guide; under row-level security neither serves a query the others do not.)
DROP INDEX notify.idx_notification_created_at;
DROP INDEX notify.idx_notification_enterprise_status;
DROP INDEX notify.ix_delivery_notification;
