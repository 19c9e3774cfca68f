-- History ids (issue 32): the id of a new notification. Once the history is partitioned (0053), a history id made
-- now (its creation second above a counter, see history_id_floor); before that, the next value of the old identity,
-- so that this release's code writes valid ids on the expanded schema too (the two-step upgrade,
-- docs/operations.md). Inserts name it with OVERRIDING SYSTEM VALUE, which the identity needs and a plain column
-- ignores.
-- (reasons first written in 0051_history_ids)
-- History: 0051_history_ids. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.new_notification_id()
 RETURNS bigint
 LANGUAGE sql
AS $function$
    SELECT CASE WHEN s.switched THEN notify.history_id(now())
                ELSE nextval(pg_get_serial_sequence('notify.ent_notification', 'id')) END
    FROM notify.history_settings s
$function$;
-- Executable by PUBLIC (the default): a trigger function, or one every login may call.
