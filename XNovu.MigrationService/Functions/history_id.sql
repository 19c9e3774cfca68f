-- History ids (issue 32): a new id made at p_at (the default of notifications' ids: now(), the transaction's start,
-- which is also their created_at). 23 bits of a sequence below the second: 8 million ids a second before two could
-- meet, and only if the clock went back by exactly that many.
-- (reasons first written in 0051_history_ids)
-- History: 0051_history_ids. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.history_id(p_at timestamp with time zone)
 RETURNS bigint
 LANGUAGE sql
AS $function$ SELECT notify.history_id_floor(p_at) | (nextval('notify.history_id_seq') & 8388607) $function$;
-- Executable by PUBLIC (the default): a trigger function, or one every login may call.
