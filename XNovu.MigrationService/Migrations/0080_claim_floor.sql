-- Issue 32: the claim's floor as one function. Since 0079 the floor is a rule, not a column: open_from while the
-- raise's hour lasts (counts_due_before), the bottom after. claim_deliveries and next_delivery_due each spelled it
-- out; they now call this. Live definition and reasons: Functions/claim_floor.sql.

CREATE OR REPLACE FUNCTION notify.claim_floor()
 RETURNS bigint
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'notify'
AS $$
    SELECT coalesce(
        (SELECT CASE WHEN f.counts_due_before > now() THEN f.open_from END FROM notify.delivery_floor f WHERE f.only_row),
        -9223372036854775808);
$$;
REVOKE ALL ON FUNCTION notify.claim_floor() FROM PUBLIC;
