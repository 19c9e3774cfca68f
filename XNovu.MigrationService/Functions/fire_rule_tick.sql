-- Fires one tick of one rule, once. p_rule_updated_at is the version of the rule the caller planned with:
-- a caller that has not seen the rule's latest change is told 'stale' and fires nothing.
-- Outcomes: fired (this call created the notification), duplicate (another call did), paused (the rule is
-- no longer published, active and enabled), stale.
-- (reasons first written in 0007_rule_engine)
-- History: 0007_rule_engine. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION notify.fire_rule_tick(p_rule_id bigint, p_tick_at timestamp with time zone, p_rule_updated_at timestamp with time zone)
 RETURNS TABLE(outcome text, notification_id bigint, transaction_id text)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'notify'
 SET row_security TO 'off'
AS $function$
#variable_conflict use_column
DECLARE
    v_rule record;
    v_transaction text := 'rule-' || p_rule_id || '-' || floor(extract(epoch FROM p_tick_at))::bigint;
    v_notification bigint;
BEGIN
    -- FOR SHARE: a concurrent deactivation waits for this tick, or this tick sees it.
    SELECT r.enterprise_id, r.updated_at, r.rule_payload, w.id AS workflow_id, w.workflow_key, w.version,
           w.notification_category_id,
           r.trigger_type IN ('CRON', 'SCHEDULE') AND r.publish_status = 'PUBLISH' AND NOT r.deactivated
               AND coalesce((r.trigger_config ->> 'enabled')::boolean, true) AS fireable
    INTO v_rule
    FROM notify.ent_notification_rule r
    JOIN notify.ent_notification_workflow w ON w.id = r.notification_workflow_id
    WHERE r.id = p_rule_id
    FOR SHARE OF r;

    IF NOT FOUND OR NOT v_rule.fireable THEN
        RETURN QUERY SELECT 'paused'::text, NULL::bigint, NULL::text;
        RETURN;
    END IF;

    IF v_rule.updated_at <> p_rule_updated_at THEN
        RETURN QUERY SELECT 'stale'::text, NULL::bigint, NULL::text;
        RETURN;
    END IF;

    INSERT INTO notify.rule_tick (rule_id, tick_at, enterprise_id)
    VALUES (p_rule_id, p_tick_at, v_rule.enterprise_id)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'duplicate'::text, t.notification_id, v_transaction
                     FROM notify.rule_tick t WHERE t.rule_id = p_rule_id AND t.tick_at = p_tick_at;
        RETURN;
    END IF;

    -- The transaction id is claimed first (unique across the history's day partitions, issue 32); one already used
    -- inserts nothing, as the old unique index's ON CONFLICT did. The deliveries follow from the insert trigger,
    -- which also wakes the dispatchers.
    INSERT INTO notify.notification_transaction AS k (enterprise_id, transaction_id, notification_id)
    VALUES (v_rule.enterprise_id, v_transaction, notify.new_notification_id())
    ON CONFLICT DO NOTHING
    RETURNING k.notification_id INTO v_notification;

    INSERT INTO notify.ent_notification
        (id, enterprise_id, workflow_key, notification_workflow_id, workflow_version, notification_rule_id,
         notification_status, payload, recipients, overrides, transaction_id, notification_category_id)
    OVERRIDING SYSTEM VALUE
    SELECT v_notification, v_rule.enterprise_id, v_rule.workflow_key, v_rule.workflow_id, v_rule.version, p_rule_id,
            'PENDING',
            CASE WHEN jsonb_typeof(v_rule.rule_payload -> 'payload') = 'object' THEN v_rule.rule_payload -> 'payload' ELSE '{}' END,
            CASE WHEN jsonb_typeof(v_rule.rule_payload -> 'recipients') = 'array' THEN v_rule.rule_payload -> 'recipients' ELSE '[]' END,
            CASE WHEN jsonb_typeof(v_rule.rule_payload -> 'overrides') = 'object' THEN v_rule.rule_payload -> 'overrides' END,
            v_transaction, v_rule.notification_category_id
    WHERE v_notification IS NOT NULL;

    UPDATE notify.rule_tick t SET notification_id = v_notification
    WHERE t.rule_id = p_rule_id AND t.tick_at = p_tick_at;

    INSERT INTO notify.rule_state AS s
        (rule_id, enterprise_id, last_tick_at, last_run_at, last_outcome, last_notification_id, last_transaction_id, fired_count)
    VALUES (p_rule_id, v_rule.enterprise_id, p_tick_at, now(), 'fired', v_notification, v_transaction, 1)
    ON CONFLICT (rule_id) DO UPDATE
        SET last_tick_at = greatest(s.last_tick_at, excluded.last_tick_at),
            last_run_at = excluded.last_run_at,
            last_outcome = excluded.last_outcome,
            last_notification_id = excluded.last_notification_id,
            last_transaction_id = excluded.last_transaction_id,
            fired_count = s.fired_count + 1;

    RETURN QUERY SELECT 'fired'::text, v_notification, v_transaction;
END
$function$;
REVOKE ALL ON FUNCTION notify.fire_rule_tick(bigint,timestamp with time zone,timestamp with time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify.fire_rule_tick(bigint,timestamp with time zone,timestamp with time zone) TO xnovu_dispatcher;
