-- What the original XNovu's schema.sql (psychomelet/xnovu, supabase/sql/schema.sql at commit 86f4b06) needs from
-- the platform it was written for, and which that repository does not contain: the schemas it names, the
-- shared_types.publish_status enum, shared_types.ensure_enum_values, func.normalize_repr, auth.user_id(), ltree,
-- and for permission.sql func.supabase_expose_schema and func.create_result_views.
--
-- REPRODUCED MINIMALLY for tests, not copied: their real bodies are not public. The publish_status labels are the
-- ones the original's generated types list (lib/supabase/database.types.ts at 86f4b06); the rest is the least that
-- lets the real schema load and behave as its columns say (a generated repr, a created_by default). The two
-- permission helpers do nothing here: PostgREST exposure and result views play no part in the tests.

CREATE SCHEMA notify;
CREATE SCHEMA base;
CREATE SCHEMA extensions;
CREATE SCHEMA shared_types;
CREATE SCHEMA func;
CREATE SCHEMA auth;

CREATE EXTENSION ltree SCHEMA extensions;

CREATE TYPE shared_types.publish_status AS ENUM ('NONE', 'DRAFT', 'DISCARD', 'PUBLISH', 'DELETED', 'REVIEW');

-- Creates shared_types.<enum_name> with the values, or adds the missing ones to it.
CREATE FUNCTION shared_types.ensure_enum_values(enum_name text, enum_values text[]) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    v text;
BEGIN
    IF to_regtype('shared_types.' || quote_ident(enum_name)) IS NULL THEN
        EXECUTE format('CREATE TYPE shared_types.%I AS ENUM (%s)', enum_name,
                       (SELECT string_agg(quote_literal(x), ', ') FROM unnest(enum_values) x));
    ELSE
        FOREACH v IN ARRAY enum_values LOOP
            EXECUTE format('ALTER TYPE shared_types.%I ADD VALUE IF NOT EXISTS %L', enum_name, v);
        END LOOP;
    END IF;
END
$$;

-- Used by GENERATED ... STORED columns, so it must be immutable.
CREATE FUNCTION func.normalize_repr(value text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT lower(regexp_replace(btrim(value), '\s+', ' ', 'g')) $$;

-- The signed-in user; null for a service connection (as the original's workers were).
CREATE FUNCTION auth.user_id() RETURNS uuid
    LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;

CREATE FUNCTION func.supabase_expose_schema() RETURNS void LANGUAGE sql AS $$ SELECT $$;
CREATE FUNCTION func.create_result_views() RETURNS void LANGUAGE sql AS $$ SELECT $$;
