-- The console's Data Protection key ring (issue 26).
--
-- The console signs its session cookie and its antiforgery tokens with Data Protection. Its keys lived on the
-- pod's own disk, so a restart or a second replica signed everyone out. They now live here, read and added
-- by a login of the console's own, xnovu_console, which may touch nothing else: it is not xnovu_app, so no
-- tenant table, function or other key ring (the services' ring in data_protection_key encrypts enterprises'
-- Novu secret keys) is within its reach. A separate table, not a column of data_protection_key: the services'
-- ring then stays out of the console's sight without a policy to get right.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'xnovu_console') THEN
        CREATE ROLE xnovu_console NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
    END IF;
END
$$;

-- One XML element per key, never updated or deleted (as notify.data_protection_key).
CREATE TABLE notify.console_data_protection_key (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    friendly_name text NOT NULL UNIQUE,
    xml           text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
GRANT USAGE ON SCHEMA notify TO xnovu_console;
GRANT SELECT, INSERT ON notify.console_data_protection_key TO xnovu_console;
