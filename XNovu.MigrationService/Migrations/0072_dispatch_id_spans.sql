-- Issue 32, history at scale: the dispatch's batch statements (the claim, the completion) bound their joins to the
-- notifications by the batch's days (notification_id_span), so PostgreSQL prunes the day partitions when the plan
-- starts instead of probing every day's primary key for every row. Its reasons and live definition: the file of the
-- same name in Functions/ (the claim and the completion use it there).

CREATE FUNCTION notify.notification_id_span(p_low bigint, p_high bigint, p_cutover bigint, p_switched boolean)
 RETURNS int8range
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN p_low IS NULL OR p_high IS NULL THEN NULL
                WHEN NOT p_switched OR p_low < p_cutover THEN int8range(-9223372036854775808, 9223372036854775807)
                WHEN p_high >> 23 = 1099511627775 THEN int8range((p_low >> 23) << 23, 9223372036854775807)
                ELSE int8range((p_low >> 23) << 23, ((p_high >> 23) + 1) << 23) END
$$;
