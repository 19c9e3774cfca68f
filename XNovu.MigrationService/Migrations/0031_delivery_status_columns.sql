-- Delivery truth (issue 28), the columns 0033_delivery_status reads, alone in their script: each ALTER TABLE
-- takes an ACCESS EXCLUSIVE lock, held until the script commits, so the script is nothing else (docs/operations.md,
-- "Migrations without downtime"). Nullable or a constant default: adding them rewrites nothing.
-- outcome: the furthest a delivery got after Novu accepted it (null: accepted; delivered, failed, seen, read).
-- enterprise.webhooks_allow_private: the admin's allowance to call private, loopback or link-local addresses.

ALTER TABLE notify.ent_notification_delivery ADD COLUMN outcome text;
ALTER TABLE notify.ent_notification_delivery ADD COLUMN outcome_at timestamptz;
ALTER TABLE notify.enterprise ADD COLUMN webhooks_allow_private boolean NOT NULL DEFAULT false;
