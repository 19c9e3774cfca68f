-- xnovu:no-transaction
-- A subscriber's deliveries found by an index, built without stopping the traffic (issue 27).
--
-- A subscriber's export and erasure (SubscriberStore) read the enterprise's deliveries WHERE subscriber_id = ...,
-- and the offboarding of an enterprise lists the subscribers its deliveries went to. ix_delivery_notification
-- (enterprise_id, notification_id) served all three by its first column only, so each read every delivery of the
-- enterprise: millions for a large one, for one subscriber. ix_delivery_subscriber (enterprise_id, subscriber_id)
-- serves them by both columns; purge_enterprise reads it by its first column, as it read the old one. The old one
-- goes, so a delivery still pays one entry in each of five indexes: nothing else reads (enterprise_id,
-- notification_id) that the unique (notification_id, ordinal) does not serve, the cascade from a purged
-- notification included.
--
-- The first script that runs outside a transaction (DatabaseMigrator.NoTransactionMarker): a plain CREATE INDEX
-- blocks every write to the deliveries for the whole build, seconds to minutes on a large table. Expand, then
-- contract: the new index is built before the old one goes. Each statement is safe to repeat, since a failed run
-- is run again from the top: a build that failed leaves an INVALID index of that name, which the first statement
-- drops (as it drops a valid one left by a run that failed later, the old index still serving meanwhile).
DROP INDEX CONCURRENTLY IF EXISTS notify.ix_delivery_subscriber;
CREATE INDEX CONCURRENTLY ix_delivery_subscriber ON notify.ent_notification_delivery (enterprise_id, subscriber_id);
DROP INDEX CONCURRENTLY IF EXISTS notify.ix_delivery_notification;
