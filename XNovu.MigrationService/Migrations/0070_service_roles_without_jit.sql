-- The services' logins run without JIT compilation (issue 32, found by the history-at-scale benchmark).
--
-- With the history partitioned by day, the claim's generic plan covers every partition of three tables, and its
-- estimated cost passes jit_above_cost (100,000): PostgreSQL then compiled 189 functions with LLVM on every claim,
-- about 5.9 s of CPU on our two cores (EXPLAIN ANALYZE: "JIT: Functions: 189 ... Total 5899 ms"), for a claim that
-- runs in 40 ms without it. Dispatch fell to 68 deliveries/s; the API's inserts and reads paid the same way. JIT
-- pays off for long analytic queries, never for this OLTP work, whose every statement touches a few rows through
-- an index: the service logins turn it off. A login's settings apply from its next connection, so the pools
-- pick this up as their connections are renewed (and at once after a restart).
-- Only roles that exist are touched (xnovu_writer exists where the original-compat writer was installed).
DO $$
DECLARE
    v_role text;
BEGIN
    FOREACH v_role IN ARRAY ARRAY['xnovu_app', 'xnovu_api', 'xnovu_dispatcher', 'xnovu_console', 'xnovu_writer'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = v_role) THEN
            EXECUTE format('ALTER ROLE %I SET jit = off', v_role);
        END IF;
    END LOOP;
END
$$;
