-- xnovu:requires 0071_history_rows
-- History ids (issue 32): the ids a notification's deliveries can have, as [lower, upper). A delivery takes its
-- notification's creation second in its id (create_statement_deliveries, expand_deliveries), so once the history is
-- partitioned its deliveries lie in that second's id range, inside one day partition; a delivery's events are
-- partitioned by the delivery's id, so the same bound holds for ent_delivery_event.delivery_id. Two exceptions, no
-- day bound: a notification made before the switch (below history_settings.cutover) has its deliveries below the
-- cutover too (the legacy partition, and legacy_delivery_id_seq for those made after it); before the switch (0053)
-- ids come from the old identities and nothing is partitioned, so any id.
-- Why: a read of deliveries by notification_id alone probes the (notification_id, ordinal) index of every day
-- partition (219 ms per Novu webhook at 36 days of a million notifications). Adding
--   d.id >= lower(notify.delivery_id_range(x)) AND d.id < upper(notify.delivery_id_range(x))
-- lets PostgreSQL prune to one partition when the plan starts (x a literal or a parameter, custom or generic plan)
-- or per row (x a column of an outer row). The one rule: apply_novu_webhook, complete_deliveries,
-- expand_deliveries, refresh_notification_status, delete_history_rows and the API's reads all ask it.
-- Two forms. The rule itself takes the settings as arguments: IMMUTABLE plain SQL, so PostgreSQL inlines it into
-- the caller's statement as an expression (about a microsecond): the completion, which asks it for every delivery
-- of a batch, reads history_settings once and passes them. The one-argument form reads them itself: STABLE (the one
-- row of history_settings), a non-inlinable SQL call of some microseconds (about 4 on a quiet core, measured up to
-- 15 under load), for statements that ask it a few times. No SET clauses (no GUC save and restore per call);
-- SECURITY INVOKER: every login reads history_settings. Bounds are always finite (the full bigint range when
-- unbounded), so lower() and upper() never answer null; the last second of the bigint range ends at its maximum
-- instead of wrapping (an id asked for by a client can be anything: GET /api/notifications/9223372036854775807).

CREATE OR REPLACE FUNCTION notify.delivery_id_range(p_notification_id bigint, p_cutover bigint, p_switched boolean)
 RETURNS int8range
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT CASE WHEN NOT p_switched THEN int8range(-9223372036854775808, 9223372036854775807)
                WHEN p_notification_id < p_cutover THEN int8range(-9223372036854775808, p_cutover)
                WHEN p_notification_id >> 23 = 1099511627775 THEN int8range((p_notification_id >> 23) << 23, 9223372036854775807)
                ELSE int8range((p_notification_id >> 23) << 23, ((p_notification_id >> 23) + 1) << 23) END
$function$;
-- Executable by PUBLIC (the default): every login may call it.

CREATE OR REPLACE FUNCTION notify.delivery_id_range(p_notification_id bigint)
 RETURNS int8range
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    SELECT notify.delivery_id_range(p_notification_id, s.cutover, s.switched) FROM notify.history_settings s
$function$;
-- Executable by PUBLIC (the default): every login may call it.
