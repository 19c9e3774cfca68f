-- xnovu:requires 0033_delivery_status
-- Forgets webhook-ids older than p_older_than_seconds. A receipt is needed only while its webhook could still
-- pass the receiver's timestamp tolerance (5 minutes); anything older is refused as late before it gets here.
-- (reasons first written in 0033_delivery_status)
-- History: 0033_delivery_status. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.purge_novu_webhook_receipts(p_older_than_seconds double precision, p_batch integer)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
DECLARE
    v_deleted integer;
BEGIN
    DELETE FROM notify.novu_webhook_receipt r
    WHERE r.ctid = ANY (ARRAY(
        SELECT o.ctid FROM notify.novu_webhook_receipt o
        WHERE o.received_at < now() - make_interval(secs => p_older_than_seconds)
        LIMIT p_batch FOR UPDATE SKIP LOCKED));
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    RETURN v_deleted;
END
$function$;
REVOKE ALL ON FUNCTION notify.purge_novu_webhook_receipts(double precision,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.purge_novu_webhook_receipts(double precision,integer) TO xnovu_dispatcher;
