-- xnovu:requires 0080_claim_floor
-- The lowest delivery id a claim names (issue 32): the floor raise_delivery_floor wrote, while the hour it counted
-- lasts (counts_due_before); past that hour, or with no floor row, the bottom, as before the floor existed, so a
-- raise that keeps failing costs locks, never a delivery. Read by claim_deliveries and next_delivery_due, which run
-- as the owner; no other role calls it.
-- History: 0080_claim_floor. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.claim_floor()
 RETURNS bigint
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'notify'
AS $function$
    SELECT coalesce(
        (SELECT CASE WHEN f.counts_due_before > now() THEN f.open_from END FROM notify.delivery_floor f WHERE f.only_row),
        -9223372036854775808);
$function$;
REVOKE ALL ON FUNCTION notify.claim_floor() FROM PUBLIC;
