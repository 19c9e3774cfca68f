-- The claim reads the due deliveries in its own order, so it stops at the batch (issue 14).
--
-- The claim takes the due deliveries ORDER BY next_attempt_at, id (0005, kept by every version since) from
-- ix_delivery_due, which held next_attempt_at alone. Every delivery of one transaction has the same
-- next_attempt_at (its default is now(), the transaction's time): a bulk call, a coalesced commit of single
-- triggers, a scheduled send. For such a group the index gives no order by id, so each claim read the whole group
-- and sorted it before it could take its batch: auto_explain during the benchmark's dispatch of 10,000 deliveries
-- due at once showed a claim of 100 reading 5,500 rows (an incremental sort of one group, and the hold on
-- deactivated enterprises checked for each), 18 of its 30 ms. Over a group of n, that is n^2 / 200 rows read.
-- The index now holds the whole order, so the scan ends after the batch and the rows other claims have locked.
-- It replaces ix_delivery_due (same partial condition, same leading column): the other readers of that index,
-- next_delivery_due's min(next_attempt_at) and the age of the oldest late delivery (0008), read its first entry
-- either way, and a delivery still pays one entry, not two.
CREATE INDEX ix_delivery_due_in_order ON notify.ent_notification_delivery (next_attempt_at, id) WHERE status = 'PENDING';
DROP INDEX notify.ix_delivery_due;
