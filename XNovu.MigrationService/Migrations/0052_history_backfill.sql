-- xnovu:no-transaction
-- History that grows without slowing anything (issue 32), step 2 of 3: copy in batches and check.
--
-- The existing rows prove the bounds 0051 declared, under SHARE UPDATE EXCLUSIVE (reads and writes go on), so
-- that the switch (0053) attaches the existing tables as the partitions below the cutover without scanning them
-- under its lock. Then the existing notifications' transaction ids are copied into their own table, 10,000 ids a
-- transaction; new rows are already kept there by 0051's trigger, and a key copied twice is skipped. Safe to run
-- again from its start.
ALTER TABLE notify.ent_notification VALIDATE CONSTRAINT ck_notification_before_cutover;
ALTER TABLE notify.ent_notification_delivery VALIDATE CONSTRAINT ck_delivery_before_cutover;
ALTER TABLE notify.ent_delivery_event VALIDATE CONSTRAINT ck_delivery_event_before_cutover;
CALL notify.backfill_notification_transactions(10000);

