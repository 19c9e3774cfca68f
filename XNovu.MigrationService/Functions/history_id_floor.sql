-- History ids (issue 32): the lowest id made in the second p_at falls in. An id is ((epoch seconds - 2024-01-01)
-- << 23) | 23 bits of notify.history_id_seq, so its high bits are its creation second and a day is an id range (the
-- history tables are partitioned by it, see ensure_history_partitions). Below 2^53 until 2058.
-- (reasons first written in 0051_history_ids)
-- History: 0051_history_ids. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.history_id_floor(p_at timestamp with time zone)
 RETURNS bigint
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$ SELECT (floor(extract(epoch FROM p_at))::bigint - 1704067200) << 23 $function$;
-- Executable by PUBLIC (the default): a trigger function, or one every login may call.
