-- xnovu:requires 0033_delivery_status
-- How far a delivery got, as the events Novu reports rank it: the outcome kept is the highest one received, so
-- events applied in any order end in the same outcome. A failure outranks "sent" (the provider gave up after
-- Novu handed the message over) but not "delivered": a late failure of one channel does not undo another's
-- delivery. Events that say nothing about delivery (unread, archived, ...) rank 0 and stay in the timeline only.
-- (reasons first written in 0033_delivery_status)
-- History: 0033_delivery_status. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.delivery_outcome_rank(p_event text)
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE
AS $function$
    SELECT CASE p_event WHEN 'sent' THEN 1 WHEN 'failed' THEN 2 WHEN 'delivered' THEN 3 WHEN 'seen' THEN 4 WHEN 'read' THEN 5 ELSE 0 END
$function$;
