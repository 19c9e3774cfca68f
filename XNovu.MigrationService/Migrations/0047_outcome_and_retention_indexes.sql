-- xnovu:no-transaction
-- Delivery truth (issue 28): the deliveries still waiting for an outcome, and old webhook messages and attempts,
-- found by indexes built without stopping the traffic.
--
-- An environment whose Novu plan sends no webhooks (or whose webhook secret XNovu was not given) learns a delivery's
-- fate by asking Novu (notify.claim_outcome_polls, the dispatcher's DeliveryOutcomePoller). The claim reads, per
-- enterprise, its SENT deliveries with no outcome or only 'sent', oldest first, within the poll's window: this
-- partial index holds exactly those. A delivery enters it when it is marked SENT (already a non-HOT update, status
-- being indexed) and leaves it with an outcome past 'sent'; the trigger path (PENDING rows) never touches it.
--
-- CONCURRENTLY, so the build blocks no write to the deliveries; safe to repeat (a failed build leaves an INVALID
-- index of that name, which the first statement drops).
DROP INDEX CONCURRENTLY IF EXISTS notify.ix_delivery_awaiting_outcome;
CREATE INDEX CONCURRENTLY ix_delivery_awaiting_outcome ON notify.ent_notification_delivery (enterprise_id, sent_at)
    WHERE status = 'SENT' AND (outcome IS NULL OR outcome = 'sent');

-- Retention of the outbound webhooks (notify.purge_webhook_messages, notify.purge_webhook_attempts): finished
-- messages and attempts read oldest first. ent_webhook_message is written by the dispatch's batched completion
-- (complete_deliveries), so its index too is built without blocking that write.
DROP INDEX CONCURRENTLY IF EXISTS notify.ix_webhook_message_created;
CREATE INDEX CONCURRENTLY ix_webhook_message_created ON notify.ent_webhook_message (created_at)
    WHERE status IN ('delivered', 'failed');
DROP INDEX CONCURRENTLY IF EXISTS notify.ix_webhook_attempt_attempted;
CREATE INDEX CONCURRENTLY ix_webhook_attempt_attempted ON notify.ent_webhook_attempt (attempted_at);
