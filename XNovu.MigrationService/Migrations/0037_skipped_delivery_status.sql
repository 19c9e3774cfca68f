-- xnovu:no-transaction
-- Subscriber preferences (issue 29): a delivery whose every channel a preference silences is SKIPPED, neither
-- SENT nor FAILED. A new enum value takes no lock on the tables that use the type; it runs in its own transaction
-- so that the functions applied after the numbered scripts may use it at once.
DO $$
BEGIN
    ALTER TYPE notify.notification_status ADD VALUE IF NOT EXISTS 'SKIPPED';
END
$$;
