-- Up to p_limit Novu removals that are due (an enterprise deleted, a subscriber erased: XNovu.Dispatcher/Offboarding),
-- each leased for p_lease_seconds (a replica that dies mid-way leaves it due again) and its attempt counted. An
-- enterprise being deleted waits until its purge is done: by then no workflow sync or send of it is left to put back
-- in Novu what was removed.
-- History: 0027_novu_offboarding. This file is the live definition.

CREATE OR REPLACE FUNCTION notify.claim_novu_removals(p_limit integer, p_lease_seconds integer)
    RETURNS TABLE (id bigint, owner_enterprise uuid, kind text, item_key text, api_url text, secret_key text, attempts integer)
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
    UPDATE notify.novu_removal r
    SET attempts = r.attempts + 1, next_attempt_at = now() + make_interval(secs => p_lease_seconds)
    WHERE r.id IN (
        SELECT q.id FROM notify.novu_removal q
        WHERE q.next_attempt_at <= now()
          AND NOT EXISTS (SELECT 1 FROM notify.enterprise e WHERE e.id = q.owner_enterprise AND e.deleted_at IS NOT NULL)
        ORDER BY q.next_attempt_at, q.id
        LIMIT p_limit
        FOR UPDATE SKIP LOCKED)
    RETURNING r.id, r.owner_enterprise, r.kind, r.item_key, r.api_url, r.secret_key, r.attempts
$$;
REVOKE ALL ON FUNCTION notify.claim_novu_removals(integer, integer) FROM PUBLIC, xnovu_app;
GRANT EXECUTE ON FUNCTION notify.claim_novu_removals(integer, integer) TO xnovu_dispatcher;
