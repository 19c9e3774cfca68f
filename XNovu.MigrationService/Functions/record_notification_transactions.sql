-- Notifications' transaction ids stay unique per enterprise across partitions (issue 32): every statement that
-- inserts notifications records their transaction ids in notify.notification_transaction. The API claims its keys
-- there first (so it finds them already recorded); a row inserted by SQL with a key another notification holds
-- fails here with a unique violation, as it did on the old unique index.
-- (reasons first written in 0051_history_ids)
-- Each inserted row's key is looked up alone (a LATERAL count, which PostgreSQL cannot flatten into a join), by the
-- full primary key. As an anti-join, the planner could serve the lookup from the row-level security condition alone
-- (all the enterprise's keys, estimated at one row) and filter them for every inserted row: on the 36-million
-- history each coalesced trigger commit read the enterprise's 30,000 keys, 60-110 ms, growing with every trigger it
-- took (auto_explain: "Rows Removed by Join Filter: 270036" for 9 rows). Per key: 1.8 ms for the statement.
-- History: 0051_history_ids. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.record_notification_transactions()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    INSERT INTO notify.notification_transaction (enterprise_id, transaction_id, notification_id)
    SELECT i.enterprise_id, i.transaction_id, i.id
    FROM inserted i
    CROSS JOIN LATERAL (SELECT count(*) AS held FROM notify.notification_transaction t
                        WHERE t.enterprise_id = i.enterprise_id AND t.transaction_id = i.transaction_id
                          AND t.notification_id = i.id) k
    WHERE i.transaction_id IS NOT NULL AND k.held = 0;
    RETURN NULL;
END
$function$;
-- Executable by PUBLIC (the default): a trigger function, or one every login may call.
