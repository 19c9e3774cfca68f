-- Offboarding reaches Novu (issue 26). Deleting an enterprise removes its subscribers and its workflows from Novu
-- (the shared environment, and its own if it has one), and erasing a subscriber removes it there, each retried until
-- Novu confirms (a 404 confirms too). The work is queued here, in the transaction of the deletion or the erasure,
-- and the dispatchers carry it out with backoff, so a restart or a Novu outage delays it and loses nothing.

-- One thing to remove from one Novu environment. The column is owner_enterprise, not enterprise_id: purge_enterprise
-- (0011) empties every table with an enterprise_id, and this work must outlive the enterprise's rows. For the same
-- reason an enterprise's own environment is copied here (its URL and its key as Data Protection ciphertext, never
-- the key itself), since enterprise_novu goes with the purge. Done rows are deleted; a row left here has its last
-- error for the operator.
CREATE TABLE notify.novu_removal (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_enterprise uuid NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('subscriber', 'workflow')),
    -- The caller's subscriber id or workflow key: the dispatcher names it as Novu knows it (NovuNames).
    item_key         text NOT NULL,
    -- Both null: the shared environment.
    api_url          text,
    secret_key       text,
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((api_url IS NULL) = (secret_key IS NULL))
);
CREATE UNIQUE INDEX ux_novu_removal_item ON notify.novu_removal (owner_enterprise, kind, item_key, (coalesce(api_url, '')));
CREATE INDEX ix_novu_removal_due ON notify.novu_removal (next_attempt_at, id);

ALTER TABLE notify.novu_removal ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify.novu_removal FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notify.novu_removal
    USING (owner_enterprise = notify.current_enterprise_id())
    WITH CHECK (owner_enterprise = notify.current_enterprise_id());
-- The API queues in the enterprise's scope (an upsert, hence SELECT and UPDATE); the dispatcher works the queue
-- across enterprises through the two functions below only.
GRANT SELECT, INSERT, UPDATE ON notify.novu_removal TO xnovu_api;

-- Up to p_limit removals that are due, each leased for p_lease_seconds (a replica that dies mid-way leaves it due
-- again) and its attempt counted. An enterprise being deleted waits until its purge is done: by then no workflow
-- sync or send of it is left to put back in Novu what was removed.
CREATE FUNCTION notify.claim_novu_removals(p_limit integer, p_lease_seconds integer)
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

-- Novu confirmed (deleted, or 404): the row goes. Otherwise it is due again at p_retry_at, with its error kept.
-- A row queued again meanwhile (attempts reset to 0) is not touched by the outcome of the older attempt.
CREATE FUNCTION notify.finish_novu_removal(p_id bigint, p_attempts integer, p_error text, p_retry_at timestamptz)
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

REVOKE ALL ON FUNCTION notify.claim_novu_removals(integer, integer), notify.finish_novu_removal(bigint, integer, text, timestamptz)
    FROM PUBLIC, xnovu_app;
GRANT EXECUTE ON FUNCTION notify.claim_novu_removals(integer, integer), notify.finish_novu_removal(bigint, integer, text, timestamptz)
    TO xnovu_dispatcher;
