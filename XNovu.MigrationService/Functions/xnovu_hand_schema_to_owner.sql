-- Hands the schema and everything in it to xnovu_owner. The migrator calls it after every run, so objects a
-- later script creates (as the migrating login) change hands too. It lives outside notify and only the
-- migrating login may call it.
-- (reasons first written in 0013_service_roles)
-- History: 0013_service_roles. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE PROCEDURE public.xnovu_hand_schema_to_owner()
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog'
AS $procedure$
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
$procedure$;
REVOKE ALL ON PROCEDURE xnovu_hand_schema_to_owner() FROM PUBLIC;
