-- xnovu:requires 0072_dispatch_id_spans
-- History ids (issue 32): the ids the notifications of deliveries with ids from p_low to p_high (inclusive) can have,
-- as [lower, upper): the inverse of delivery_id_range over a span. A delivery takes its notification's creation second
-- in its id, so once the history is partitioned the notifications of a batch of deliveries lie in the seconds from the
-- lowest id's to the highest's. No bound when any delivery is from before the cutover (its notification is below it,
-- anywhere) or before the switch (old identities).
-- Why: the dispatch's statements take a batch of deliveries (the claim's, the completion's) and join their
-- notifications by id. A join on id does not prune the day partitions, so each row probed the primary key of every
-- day (with 43 day partitions, about 6,000 buffers per completion of 100 deliveries, 60 ms). With
--   n.id >= lower(span) AND n.id < upper(span)
-- in variables of the function, PostgreSQL prunes to the batch's days when the plan starts (generic plan included).
-- Whole days (ids count seconds from 2024-01-01, a midnight), not the seconds themselves: the claim and the
-- completion plan each call with the span as constants (issue 32), and a span of one second made PostgreSQL take it
-- for one row where a bulk call had made 10,000 in it, so it joined the batch to them by filter. The day partitions
-- are what prunes, so whole days prune the same.
-- IMMUTABLE plain SQL with the settings as arguments, like delivery_id_range; null when p_low or p_high is.
-- History: 0072_dispatch_id_spans. That script's body is history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.notification_id_span(p_low bigint, p_high bigint, p_cutover bigint, p_switched boolean)
 RETURNS int8range
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT CASE WHEN p_low IS NULL OR p_high IS NULL THEN NULL
                WHEN NOT p_switched OR p_low < p_cutover THEN int8range(-9223372036854775808, 9223372036854775807)
                WHEN ((p_high >> 23) / 86400 + 1) * 86400 > 1099511627775 THEN int8range(((p_low >> 23) / 86400 * 86400) << 23, 9223372036854775807)
                ELSE int8range(((p_low >> 23) / 86400 * 86400) << 23, (((p_high >> 23) / 86400 + 1) * 86400) << 23) END
$function$;
-- Executable by PUBLIC (the default): every login may call it.
