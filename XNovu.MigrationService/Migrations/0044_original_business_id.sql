-- The original XNovu's business link (issue 34), kept on the notification; only original_compat.ent_notification
-- (0045) writes it. Alone in its script: the ALTER TABLE takes an ACCESS EXCLUSIVE lock on the notifications, held
-- until the script commits (docs/operations.md, "Migrations without downtime"). Nullable: adding it rewrites nothing.

ALTER TABLE notify.ent_notification ADD COLUMN business_id uuid;
