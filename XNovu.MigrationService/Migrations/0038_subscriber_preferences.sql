-- Subscriber preferences (issue 29). Three kinds of rows, each read by the dispatcher for a claimed batch in one
-- round trip per enterprise and decided per channel by PreferenceResolver (XNovu.Core/Preferences):
--   workflow_preference   a workflow's own defaults (Novu's workflow `preferences`): channels, read-only, critical;
--   preference_default    the enterprise's defaults per workflow or per category, each of which may be forced;
--   subscriber_preference a subscriber's choices, global (workflow_key '') or per workflow.
-- Channels are stored as Novu spells them ({"email":false,"in_app":true}); a channel left out is not stated.

CREATE TABLE notify.workflow_preference (
    enterprise_id   uuid NOT NULL REFERENCES notify.enterprise (id),
    workflow_key    text NOT NULL CHECK (length(workflow_key) BETWEEN 1 AND 200),
    channels        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(channels) = 'object'),
    -- Novu's `all.readOnly`: subscribers' choices do not count for this workflow.
    read_only       boolean NOT NULL DEFAULT false,
    -- No preference or default silences a critical workflow (password resets, security notices).
    critical        boolean NOT NULL DEFAULT false,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (enterprise_id, workflow_key)
);

CREATE TABLE notify.preference_default (
    enterprise_id   uuid NOT NULL REFERENCES notify.enterprise (id),
    scope           text NOT NULL CHECK (scope IN ('workflow', 'category')),
    scope_key       text NOT NULL CHECK (length(scope_key) BETWEEN 1 AND 200),
    channels        jsonb NOT NULL CHECK (jsonb_typeof(channels) = 'object'),
    forced          boolean NOT NULL DEFAULT false,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (enterprise_id, scope, scope_key)
);

-- A subscriber's choices go with the subscriber (erasure, deletion).
CREATE TABLE notify.subscriber_preference (
    enterprise_id   uuid NOT NULL,
    subscriber_id   text NOT NULL,
    -- '' is the subscriber's global preference.
    workflow_key    text NOT NULL CHECK (length(workflow_key) <= 200),
    channels        jsonb NOT NULL CHECK (jsonb_typeof(channels) = 'object'),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- Its foreign key to the subscriber is added last (below), so that the subscribers are locked only for the commit.
    PRIMARY KEY (enterprise_id, subscriber_id, workflow_key)
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['workflow_preference', 'preference_default', 'subscriber_preference']
    LOOP
        EXECUTE format('ALTER TABLE notify.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE notify.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON notify.%I USING (enterprise_id = notify.current_enterprise_id()) '
            'WITH CHECK (enterprise_id = notify.current_enterprise_id())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON notify.%I TO xnovu_app', t);
    END LOOP;
END
$$;

-- Last, so that the locks these take on tables the trigger path writes are held only for the commit.
ALTER TABLE notify.subscriber_preference ADD CONSTRAINT subscriber_preference_enterprise_id_subscriber_id_fkey
    FOREIGN KEY (enterprise_id, subscriber_id) REFERENCES notify.subscriber (enterprise_id, subscriber_id) ON DELETE CASCADE;

-- Which channels a preference silenced on this delivery, and why: {"EMAIL":{"source":"subscriber-workflow","reason":"..."}}.
-- Null when nothing was silenced. Nullable without a default: adding it rewrites nothing.
ALTER TABLE notify.ent_notification_delivery ADD COLUMN skipped_channels jsonb;
