-- Versions and locales (issue 30), the columns 0041_versions_locales_audit reads, alone in their script: each
-- ALTER TABLE takes an ACCESS EXCLUSIVE lock, held until the script commits, so the script is nothing else
-- (docs/operations.md, "Migrations without downtime"). What each means: 0041's header.

ALTER TABLE notify.ent_notification_template
    ADD COLUMN live_version integer,
    ADD COLUMN locales jsonb NOT NULL DEFAULT '{}';

ALTER TABLE notify.enterprise ADD COLUMN default_locale text;

ALTER TABLE notify.ent_notification_delivery ADD COLUMN rendering jsonb;
