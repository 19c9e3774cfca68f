-- Enterprises, their API keys, and the original's model, each row owned by one enterprise.
-- Keys (workflow_key, template_key, codes) are unique per enterprise, not across enterprises.

CREATE TYPE notify.rule_trigger_type AS ENUM ('EVENT', 'SCHEDULE', 'CRON');

CREATE TABLE notify.enterprise (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text,
    deactivated boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notify.enterprise_api_key (
    id            uuid PRIMARY KEY,
    enterprise_id uuid NOT NULL REFERENCES notify.enterprise (id),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- The first characters of the key, shown in listings and used to find the row; the rest is secret.
    key_prefix    text NOT NULL UNIQUE,
    -- SHA-256 of the whole key: keys are long random strings, so a fast hash is safe and cheap to check.
    key_hash      bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz,
    last_used_at  timestamptz
);
CREATE INDEX ix_enterprise_api_key_enterprise ON notify.enterprise_api_key (enterprise_id);

CREATE TABLE notify.typ_notification_category (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  uuid NOT NULL REFERENCES notify.enterprise (id),
    code           text NOT NULL CHECK (length(code) BETWEEN 1 AND 100),
    name           text NOT NULL,
    description    text,
    sort_order     integer NOT NULL DEFAULT 0,
    publish_status notify.publish_status NOT NULL DEFAULT 'DRAFT',
    deactivated    boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    created_by     text,
    updated_by     text,
    UNIQUE (enterprise_id, code),
    UNIQUE (enterprise_id, id)
);

CREATE TABLE notify.typ_notification_priority (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id  uuid NOT NULL REFERENCES notify.enterprise (id),
    code           text NOT NULL CHECK (length(code) BETWEEN 1 AND 100),
    name           text NOT NULL,
    description    text,
    sort_order     integer NOT NULL DEFAULT 0,
    publish_status notify.publish_status NOT NULL DEFAULT 'DRAFT',
    deactivated    boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    created_by     text,
    updated_by     text,
    UNIQUE (enterprise_id, code),
    UNIQUE (enterprise_id, id)
);

CREATE TABLE notify.ent_notification_template (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id            uuid NOT NULL REFERENCES notify.enterprise (id),
    template_key             text NOT NULL CHECK (length(template_key) BETWEEN 1 AND 200),
    name                     text NOT NULL,
    description              text,
    channel_type             notify.notification_channel_type NOT NULL,
    subject_template         text,
    body_template            text NOT NULL,
    variables_description    jsonb,
    notification_category_id bigint,
    publish_status           notify.publish_status NOT NULL DEFAULT 'DRAFT',
    deactivated              boolean NOT NULL DEFAULT false,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    created_by               text,
    updated_by               text,
    UNIQUE (enterprise_id, template_key),
    -- A category of the same enterprise only.
    FOREIGN KEY (enterprise_id, notification_category_id) REFERENCES notify.typ_notification_category (enterprise_id, id)
);

CREATE TABLE notify.ent_notification_workflow (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id            uuid NOT NULL REFERENCES notify.enterprise (id),
    workflow_key             text NOT NULL CHECK (length(workflow_key) BETWEEN 1 AND 200),
    name                     text NOT NULL,
    description              text,
    workflow_type            notify.notification_workflow_type NOT NULL DEFAULT 'DYNAMIC',
    default_channels         notify.notification_channel_type[] NOT NULL DEFAULT '{}',
    payload_schema           jsonb,
    control_schema           jsonb,
    -- Which template serves which channel: {"EMAIL": "welcome-email", ...}.
    template_overrides       jsonb NOT NULL DEFAULT '{}',
    notification_category_id bigint,
    publish_status           notify.publish_status NOT NULL DEFAULT 'DRAFT',
    deactivated              boolean NOT NULL DEFAULT false,
    version                  integer NOT NULL DEFAULT 1,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    created_by               text,
    updated_by               text,
    UNIQUE (enterprise_id, workflow_key),
    UNIQUE (enterprise_id, id),
    FOREIGN KEY (enterprise_id, notification_category_id) REFERENCES notify.typ_notification_category (enterprise_id, id)
);

CREATE TABLE notify.ent_notification_rule (
    id                        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id             uuid NOT NULL REFERENCES notify.enterprise (id),
    name                      text NOT NULL,
    description               text,
    notification_workflow_id  bigint NOT NULL,
    trigger_type              notify.rule_trigger_type NOT NULL,
    -- CRON: {cron, timezone, enabled, misfirePolicy}; SCHEDULE: {at}; EVENT: {eventName}.
    trigger_config            jsonb NOT NULL DEFAULT '{}',
    -- {recipients, payload, overrides}
    rule_payload              jsonb NOT NULL DEFAULT '{}',
    publish_status            notify.publish_status NOT NULL DEFAULT 'DRAFT',
    deactivated               boolean NOT NULL DEFAULT false,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    created_by                text,
    updated_by                text,
    UNIQUE (enterprise_id, id),
    FOREIGN KEY (enterprise_id, notification_workflow_id) REFERENCES notify.ent_notification_workflow (enterprise_id, id)
);

CREATE TABLE notify.ent_notification (
    id                          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id               uuid NOT NULL REFERENCES notify.enterprise (id),
    name                        text,
    description                 text,
    -- The workflow key is kept as given, so static workflows (no row) and SQL inserts both work.
    workflow_key                text NOT NULL,
    notification_workflow_id    bigint,
    notification_rule_id        bigint,
    notification_status         notify.notification_status NOT NULL DEFAULT 'PENDING',
    payload                     jsonb NOT NULL DEFAULT '{}',
    recipients                  jsonb NOT NULL DEFAULT '[]',
    channels                    notify.notification_channel_type[],
    overrides                   jsonb,
    tags                        text[],
    transaction_id              text,
    scheduled_for               timestamptz,
    processed_at                timestamptz,
    retracted_at                timestamptz,
    retraction_reason           text,
    error_details               jsonb,
    workflow_version            integer,
    notification_category_id    bigint,
    notification_priority_id    bigint,
    publish_status              notify.publish_status NOT NULL DEFAULT 'NONE',
    deactivated                 boolean NOT NULL DEFAULT false,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now(),
    created_by                  text,
    updated_by                  text,
    UNIQUE (enterprise_id, id),
    FOREIGN KEY (enterprise_id, notification_rule_id) REFERENCES notify.ent_notification_rule (enterprise_id, id),
    FOREIGN KEY (enterprise_id, notification_category_id) REFERENCES notify.typ_notification_category (enterprise_id, id),
    FOREIGN KEY (enterprise_id, notification_priority_id) REFERENCES notify.typ_notification_priority (enterprise_id, id)
);

-- The seed's indexes.
CREATE INDEX idx_notification_enterprise_status ON notify.ent_notification (enterprise_id, notification_status);
CREATE INDEX idx_notification_workflow_enterprise ON notify.ent_notification_workflow (enterprise_id, publish_status) WHERE deactivated = false;
CREATE INDEX idx_template_enterprise_publish ON notify.ent_notification_template (enterprise_id, publish_status) WHERE deactivated = false;
CREATE INDEX idx_notification_created_at ON notify.ent_notification (created_at DESC);
CREATE INDEX idx_notification_enterprise_created ON notify.ent_notification (enterprise_id, created_at DESC, id DESC);
CREATE INDEX idx_rule_enterprise ON notify.ent_notification_rule (enterprise_id, trigger_type) WHERE deactivated = false;

-- The seed's monitoring views. security_invoker: a view reads with its caller's rights, so RLS applies.
CREATE VIEW notify.v_workflow_stats WITH (security_invoker = true) AS
SELECT enterprise_id,
       workflow_type,
       count(*) AS workflow_count,
       count(*) FILTER (WHERE publish_status = 'PUBLISH') AS published_count
FROM notify.ent_notification_workflow
WHERE deactivated = false
GROUP BY enterprise_id, workflow_type;

CREATE VIEW notify.v_notification_stats WITH (security_invoker = true) AS
SELECT enterprise_id,
       notification_status,
       count(*) AS notification_count,
       date_trunc('hour', created_at) AS hour_bucket
FROM notify.ent_notification
WHERE created_at >= now() - interval '24 hours'
GROUP BY enterprise_id, notification_status, hour_bucket;
