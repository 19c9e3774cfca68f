-- The original XNovu's permissions, VERBATIM: psychomelet/xnovu, supabase/sql/permission.sql at commit
-- 86f4b0619c6f16749b9520d69d71a189f44036d3 (its helpers are stand-ins in original-platform.sql).

set
  search_path = notify;

select
  func.supabase_expose_schema ();

-- create result views
select
  func.create_result_views ();

notify pgrst,
'reload schema';