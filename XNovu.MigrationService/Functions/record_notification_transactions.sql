-- Notifications' transaction ids stay unique per enterprise across partitions (issue 32): every statement that
-- inserts notifications records their transaction ids in notify.notification_transaction. The API claims its keys
-- there first (so it finds them already recorded); a row inserted by SQL with a key another notification holds
-- fails here with a unique violation, as it did on the old unique index.
-- (reasons first written in 0051_history_ids)
-- History: 0051_history_ids. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.record_notification_transactions()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    INSERT INTO notify.notification_transaction (enterprise_id, transaction_id, notification_id)
    SELECT i.enterprise_id, i.transaction_id, i.id
    FROM inserted i
    WHERE i.transaction_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM notify.notification_transaction t
                      WHERE t.enterprise_id = i.enterprise_id AND t.transaction_id = i.transaction_id
                        AND t.notification_id = i.id);
    RETURN NULL;
END
$function$;
-- Executable by PUBLIC (the default): a trigger function, or one every login may call.
