-- The notify schema and the original system's enums.
-- Enum values are the wire values the original's users relied on; never rename one, only add.

CREATE SCHEMA IF NOT EXISTS notify;

CREATE TYPE notify.notification_channel_type AS ENUM ('IN_APP', 'EMAIL', 'SMS', 'CHAT', 'PUSH');

CREATE TYPE notify.notification_workflow_type AS ENUM ('STATIC', 'DYNAMIC');

CREATE TYPE notify.notification_status AS ENUM ('PENDING', 'PROCESSING', 'SENT', 'FAILED', 'RETRACTED');

CREATE TYPE notify.publish_status AS ENUM ('NONE', 'DRAFT', 'DISCARD', 'PUBLISH', 'DELETED', 'REVIEW');
