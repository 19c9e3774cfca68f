-- Issue 32: an enterprise's own retention, shorter than the deployment's (XNovu:Retention:MaxAge), in whole days;
-- null keeps the deployment's. Set by the admin only (PUT /api/admin/enterprises/{id}/retention); the dispatchers'
-- retention pass deletes that enterprise's finished notifications past it (0066, purge_enterprise_history).
-- Alone in its script: ALTER TABLE takes an ACCESS EXCLUSIVE lock held until the script commits, and the
-- enterprise table is read by every call. A nullable column without a default rewrites nothing; the check reads
-- the few enterprise rows, whose new column is null.

ALTER TABLE notify.enterprise ADD COLUMN retention_days integer CONSTRAINT enterprise_retention_days_positive CHECK (retention_days > 0);
