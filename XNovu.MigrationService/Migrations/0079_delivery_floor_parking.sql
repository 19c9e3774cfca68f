-- Issue 32: the claim's floor is no longer held down by deliveries that cannot be claimed for a long while. A
-- notification scheduled months ahead, or a deactivated enterprise's held deliveries, kept the floor at their day,
-- and every claim named every day from there, for every tenant. The raise (Functions/raise_delivery_floor.sql) now
-- counts only the deliveries that may be claimed within the next hour: it writes that hour's end here, and the claim
-- and next_delivery_due use the floor only until then (a floor not raised for an hour falls back to the bottom, as
-- before the floor existed). Reactivating an enterprise lowers the floor to the bottom
-- (Functions/notify_enterprise_state_changed.sql) until the next raise counts its deliveries.
-- A constant default: the column is added without rewriting the one row. 'infinity' is the meaning of every floor
-- raised before this (it counted every open delivery, whenever due).

ALTER TABLE notify.delivery_floor ADD COLUMN IF NOT EXISTS counts_due_before timestamp with time zone NOT NULL DEFAULT 'infinity';
