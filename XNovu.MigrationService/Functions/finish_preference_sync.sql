-- xnovu:requires 0050_preference_novu_sync
-- Novu accepted a pushed preference (or there was nothing left to push): the row goes. Otherwise it is due again at
-- p_retry_at with its error kept. A row queued again meanwhile (attempts reset to 0) is not touched by the outcome
-- of the older attempt, so a newer choice is always pushed.
-- History: 0050_preference_novu_sync. This file is the live definition.

CREATE OR REPLACE FUNCTION notify.finish_preference_sync(
    p_enterprise_id uuid, p_subscriber_id text, p_workflow_key text, p_attempts integer, p_error text, p_retry_at timestamptz)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
BEGIN
    IF p_error IS NULL THEN
        DELETE FROM notify.preference_novu_sync
        WHERE enterprise_id = p_enterprise_id AND subscriber_id = p_subscriber_id AND workflow_key = p_workflow_key
          AND attempts = p_attempts;
    ELSE
        UPDATE notify.preference_novu_sync SET last_error = p_error, next_attempt_at = p_retry_at
        WHERE enterprise_id = p_enterprise_id AND subscriber_id = p_subscriber_id AND workflow_key = p_workflow_key
          AND attempts = p_attempts;
    END IF;
END
$$;
REVOKE ALL ON FUNCTION notify.finish_preference_sync(uuid, text, text, integer, text, timestamptz) FROM PUBLIC, xnovu_app;
GRANT EXECUTE ON FUNCTION notify.finish_preference_sync(uuid, text, text, integer, text, timestamptz) TO xnovu_dispatcher;
