-- History: 0003_row_level_security. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.current_enterprise_id()
 RETURNS uuid
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$ SELECT nullif(current_setting('app.current_enterprise_id', true), '')::uuid $function$;
GRANT EXECUTE ON FUNCTION notify.current_enterprise_id() TO PUBLIC;
GRANT EXECUTE ON FUNCTION notify.current_enterprise_id() TO xnovu_app;
