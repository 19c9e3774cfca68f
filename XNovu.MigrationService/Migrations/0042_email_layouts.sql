-- Email layouts and branding (issue 30): an enterprise's layouts (header, footer, logo URL, colours, sender name)
-- that an email template names and is rendered inside. A layout row is its draft, as a template's is; a publish
-- copies it into ent_layout_version and makes that version live, so a layout change is versioned like a template.
-- A template's (and a template version's) layout_key is nullable: no layout, as before.

CREATE TABLE notify.ent_email_layout (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id    uuid NOT NULL REFERENCES notify.enterprise (id),
    layout_key       text NOT NULL CHECK (length(layout_key) BETWEEN 1 AND 200),
    name             text NOT NULL,
    header_html      text NOT NULL DEFAULT '',
    footer_html      text NOT NULL DEFAULT '',
    logo_url         text,
    primary_color    text,
    background_color text,
    sender_name      text,
    live_version     integer,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text,
    updated_by       text,
    UNIQUE (enterprise_id, layout_key)
);

CREATE TABLE notify.ent_layout_version (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id    uuid NOT NULL REFERENCES notify.enterprise (id),
    layout_key       text NOT NULL,
    version          integer NOT NULL CHECK (version > 0),
    header_html      text NOT NULL,
    footer_html      text NOT NULL,
    logo_url         text,
    primary_color    text,
    background_color text,
    sender_name      text,
    note             text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text,
    UNIQUE (enterprise_id, layout_key, version)
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['ent_email_layout', 'ent_layout_version']
    LOOP
        EXECUTE format('ALTER TABLE notify.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE notify.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON notify.%I USING (enterprise_id = notify.current_enterprise_id()) '
            'WITH CHECK (enterprise_id = notify.current_enterprise_id())', t);
    END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON notify.ent_email_layout TO xnovu_app;
GRANT SELECT, INSERT ON notify.ent_layout_version TO xnovu_app;

CREATE TRIGGER audit_authors BEFORE INSERT OR UPDATE ON notify.ent_email_layout
    FOR EACH ROW EXECUTE FUNCTION notify.audit_write('layout', 'layout_key');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON notify.ent_email_layout
    FOR EACH ROW EXECUTE FUNCTION notify.audit_write('layout', 'layout_key');
CREATE TRIGGER audit_authors BEFORE INSERT OR UPDATE ON notify.ent_layout_version
    FOR EACH ROW EXECUTE FUNCTION notify.audit_write('layout-version', 'layout_key');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON notify.ent_layout_version
    FOR EACH ROW EXECUTE FUNCTION notify.audit_write('layout-version', 'layout_key');

-- Last, so that the templates are locked (ACCESS EXCLUSIVE) only for the commit.
ALTER TABLE notify.ent_notification_template ADD COLUMN layout_key text;
ALTER TABLE notify.ent_template_version ADD COLUMN layout_key text;
