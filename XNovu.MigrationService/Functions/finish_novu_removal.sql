-- Novu confirmed a removal (deleted, or 404): the row goes. Otherwise it is due again at p_retry_at, with its error
-- kept. A row queued again meanwhile (attempts reset to 0) is not touched by the outcome of the older attempt.
-- History: 0027_novu_offboarding. This file is the live definition.

CREATE OR REPLACE FUNCTION notify.finish_novu_removal(p_id bigint, p_attempts integer, p_error text, p_retry_at timestamptz)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
BEGIN
    IF p_error IS NULL THEN
        DELETE FROM notify.novu_removal WHERE id = p_id AND attempts = p_attempts;
    ELSE
        UPDATE notify.novu_removal SET last_error = p_error, next_attempt_at = p_retry_at
        WHERE id = p_id AND attempts = p_attempts;
    END IF;
END
$$;
REVOKE ALL ON FUNCTION notify.finish_novu_removal(bigint, integer, text, timestamptz) FROM PUBLIC, xnovu_app;
GRANT EXECUTE ON FUNCTION notify.finish_novu_removal(bigint, integer, text, timestamptz) TO xnovu_dispatcher;
