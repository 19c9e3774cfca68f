-- Database roles (issue 11). Until now the schema belonged to whoever ran the migrations (in Local mode the
-- postgres superuser), so every SECURITY DEFINER function ran as a superuser; and both services logged in as
-- xnovu_app, so the API could claim every tenant's deliveries and the dispatcher could create keys.
--
-- From here:
--   xnovu_owner       owns the schema, its tables and its functions. No superuser and no login. BYPASSRLS,
--                     because its SECURITY DEFINER functions turn row_security off for themselves, which a
--                     role under the FORCEd policies may not do.
--   xnovu_app         what both services share: the tenant tables under row-level security and the shared
--                     functions. No login of its own in production use; the service roles inherit it.
--   xnovu_api         logs in for the API: xnovu_app, plus enterprises, keys and the operator's functions.
--   xnovu_dispatcher  logs in for the dispatcher: xnovu_app, plus claiming and completing deliveries, the
--                     rule engine and retention.
-- Passwords and LOGIN are set by the migrator from configuration, never in a script.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'xnovu_owner') THEN
        CREATE ROLE xnovu_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT BYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'xnovu_api') THEN
        CREATE ROLE xnovu_api NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS INHERIT IN ROLE xnovu_app;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'xnovu_dispatcher') THEN
        CREATE ROLE xnovu_dispatcher NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS INHERIT IN ROLE xnovu_app;
    END IF;
END
$$;

-- What the API alone may do.
REVOKE INSERT, UPDATE ON notify.enterprise FROM xnovu_app;
GRANT INSERT, UPDATE ON notify.enterprise TO xnovu_api;
REVOKE ALL ON notify.enterprise_api_key FROM xnovu_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON notify.enterprise_api_key TO xnovu_api;
REVOKE ALL ON FUNCTION notify.find_api_key(text), notify.list_enterprises(), notify.purge_idempotency_keys(double precision),
    notify.rule_engine_instances(), notify.backlog_stats(), notify.delivery_stats(), notify.retry_failed_notifications(integer)
    FROM PUBLIC, xnovu_app;
GRANT EXECUTE ON FUNCTION notify.find_api_key(text), notify.list_enterprises(), notify.purge_idempotency_keys(double precision),
    notify.rule_engine_instances(), notify.backlog_stats(), notify.delivery_stats(), notify.retry_failed_notifications(integer)
    TO xnovu_api;

-- What the dispatcher alone may do.
REVOKE ALL ON FUNCTION notify.claim_deliveries(text, integer, integer), notify.complete_deliveries(text, jsonb),
    notify.claim_deliveries(text, integer, integer, integer), notify.dispatcher_heartbeat(text, integer, integer, integer),
    notify.dispatcher_stopped(text),
    notify.refresh_notification_status(bigint[]), notify.next_delivery_due(),
    notify.schedulable_rules(), notify.fire_rule_tick(bigint, timestamptz, timestamptz), notify.skip_rule_ticks(bigint, timestamptz),
    notify.rule_engine_heartbeat(text, timestamptz, timestamptz, integer, integer), notify.rule_engine_stopped(text),
    notify.purge_notifications(double precision, integer), notify.purge_rule_ticks(double precision, integer)
    FROM PUBLIC, xnovu_app;
GRANT EXECUTE ON FUNCTION notify.claim_deliveries(text, integer, integer), notify.complete_deliveries(text, jsonb),
    notify.claim_deliveries(text, integer, integer, integer), notify.dispatcher_heartbeat(text, integer, integer, integer),
    notify.dispatcher_stopped(text),
    notify.next_delivery_due(),
    notify.schedulable_rules(), notify.fire_rule_tick(bigint, timestamptz, timestamptz), notify.skip_rule_ticks(bigint, timestamptz),
    notify.rule_engine_heartbeat(text, timestamptz, timestamptz, integer, integer), notify.rule_engine_stopped(text),
    notify.purge_notifications(double precision, integer), notify.purge_rule_ticks(double precision, integer)
    TO xnovu_dispatcher;

-- Hands the schema and everything in it to xnovu_owner. The migrator calls it after every run, so objects a
-- later script creates (as the migrating login) change hands too. It lives outside notify and only the
-- migrating login may call it.
CREATE OR REPLACE PROCEDURE public.xnovu_hand_schema_to_owner()
    LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
DECLARE
    item record;
BEGIN
    EXECUTE 'ALTER SCHEMA notify OWNER TO xnovu_owner';
    FOR item IN
        SELECT format('ALTER %s notify.%I OWNER TO xnovu_owner',
                      CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                      c.relname) AS statement
        FROM pg_class c
        WHERE c.relnamespace = 'notify'::regnamespace
          AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
          AND c.relowner <> 'xnovu_owner'::regrole
          -- A sequence owned by a column changes hands with its table.
          AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
        UNION ALL
        SELECT format('ALTER %s %s OWNER TO xnovu_owner', CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, p.oid::regprocedure)
        FROM pg_proc p
        WHERE p.pronamespace = 'notify'::regnamespace AND p.proowner <> 'xnovu_owner'::regrole
        UNION ALL
        SELECT format('ALTER TYPE notify.%I OWNER TO xnovu_owner', t.typname)
        FROM pg_type t
        WHERE t.typnamespace = 'notify'::regnamespace AND t.typtype = 'e' AND t.typowner <> 'xnovu_owner'::regrole
    LOOP
        EXECUTE item.statement;
    END LOOP;
END
$$;

REVOKE ALL ON PROCEDURE public.xnovu_hand_schema_to_owner() FROM PUBLIC;
