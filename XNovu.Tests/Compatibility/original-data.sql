-- One enterprise of the original XNovu, in its real schema (original-schema.sql, psychomelet/xnovu 86f4b06), as
-- its users and its own code wrote it: Acme is 1111..., Globex (which the import must never touch) 2222....
-- Categories with and without codes (an ltree path), priorities, templates of every channel (payload keys at the
-- root, both include syntaxes), DYNAMIC and STATIC workflows (template_overrides by template id), CRON, SCHEDULE
-- and EVENT rules (rule_payload flat, as the original's rule activity read it: recipients beside the payload),
-- and notifications in every status, recipients UUID[], two scheduled for later. Ids are given so the tests can
-- name them (OVERRIDING SYSTEM VALUE: the original's ids are GENERATED ALWAYS).
SET search_path = notify, base, extensions, shared_types;

INSERT INTO notify.typ_notification_category (id, code, name, description, path, sort_order, publish_status, enterprise_id)
OVERRIDING SYSTEM VALUE VALUES
    (10, 'orders', 'Orders', 'Order updates', 'orders', 1, 'PUBLISH', '11111111-1111-1111-1111-111111111111'),
    (11, NULL, 'Fire Safety', 'Everything about fire', 'safety.fire', 2, 'PUBLISH', '11111111-1111-1111-1111-111111111111'),
    (13, NULL, 'Fire Drill', NULL, 'safety.fire.drill', 3, 'PUBLISH', '11111111-1111-1111-1111-111111111111'),
    (14, NULL, 'Duty Roster', NULL, NULL, 4, 'DRAFT', '11111111-1111-1111-1111-111111111111'),
    (12, 'old', 'Old', NULL, NULL, 5, 'DELETED', '11111111-1111-1111-1111-111111111111'),
    (15, 'globex-only', 'Globex', NULL, NULL, 1, 'PUBLISH', '22222222-2222-2222-2222-222222222222');

INSERT INTO notify.typ_notification_priority (id, code, name, sort_order, publish_status, enterprise_id)
OVERRIDING SYSTEM VALUE VALUES
    (20, 'high', 'High', 3, 'PUBLISH', '11111111-1111-1111-1111-111111111111'),
    (21, NULL, 'Normal', 2, 'PUBLISH', '11111111-1111-1111-1111-111111111111');

INSERT INTO notify.ent_notification_template
    (id, template_key, name, channel_type, subject_template, body_template, variables_description, typ_notification_category_id, publish_status, deactivated, enterprise_id)
OVERRIDING SYSTEM VALUE VALUES
    (100, 'order-shipped-email', 'Order shipped (email)', 'EMAIL', 'Order {{ orderId }} shipped',
     '<p>Hello {{ userName }},</p>{{ xnovu_render(''signature'', { team: ''Acme Support'' }) }}',
     '{"userName": "the customer''s name", "orderId": "the order number"}', 10, 'PUBLISH', false, '11111111-1111-1111-1111-111111111111'),
    (101, 'signature', 'Signature', 'EMAIL', NULL, '<p>Regards, {{ team }}</p>', NULL, NULL, 'PUBLISH', false, '11111111-1111-1111-1111-111111111111'),
    (102, 'order-shipped-in-app', 'Order shipped (in-app)', 'IN_APP', NULL, 'Order {{ orderId }} is on its way, {{ userName }}.', NULL, 10, 'PUBLISH', false, '11111111-1111-1111-1111-111111111111'),
    (106, 'fire-drill-sms', 'Fire drill (SMS)', 'SMS', NULL, 'Fire drill at {{ building }} on {{ drillDate }}.', '{"building": "where", "drillDate": "when"}', 13, 'PUBLISH', false, '11111111-1111-1111-1111-111111111111'),
    (107, 'fire-drill-chat', 'Fire drill (chat)', 'CHAT', NULL, '*Fire drill* in {{ building }}: assemble at {{ assemblyPoint | default: "the car park" }}.', NULL, 13, 'PUBLISH', false, '11111111-1111-1111-1111-111111111111'),
    (108, 'fire-drill-push', 'Fire drill (push)', 'PUSH', 'Fire drill', 'Drill in {{ building }} today', NULL, 13, 'PUBLISH', false, '11111111-1111-1111-1111-111111111111'),
    (109, 'digest-in-app', 'Digest (in-app)', 'IN_APP', NULL, 'Happy new year, {{ userName }}: {{ orderId }} orders.', NULL, NULL, 'PUBLISH', false, '11111111-1111-1111-1111-111111111111'),
    (103, 'old-template', 'Old', 'SMS', NULL, 'old', NULL, NULL, 'DELETED', false, '11111111-1111-1111-1111-111111111111'),
    (104, 'nested-include', 'Nested include', 'EMAIL', NULL, '{{ xnovu_render(''signature'', { team: { name: ''x'' } }) }}', NULL, NULL, 'DRAFT', false, '11111111-1111-1111-1111-111111111111'),
    (105, 'retired-sms', 'Retired SMS', 'SMS', NULL, 'Hi {{ userName }}', NULL, NULL, 'PUBLISH', true, '11111111-1111-1111-1111-111111111111'),
    (200, 'globex-email', 'Globex email', 'EMAIL', 'x', 'Globex', NULL, NULL, 'PUBLISH', false, '22222222-2222-2222-2222-222222222222');

INSERT INTO notify.ent_notification_workflow
    (id, workflow_key, name, workflow_type, default_channels, payload_schema, template_overrides, typ_notification_category_id, publish_status, enterprise_id)
OVERRIDING SYSTEM VALUE VALUES
    (300, 'order-shipped', 'Order shipped', 'DYNAMIC', '{EMAIL,IN_APP}',
     '{"type": "object", "required": ["userName", "orderId"], "properties": {"userName": {"type": "string"}, "orderId": {"type": "integer"}}}',
     '{"emailTemplateId": 100, "inAppTemplateId": "102"}', 10, 'PUBLISH', '11111111-1111-1111-1111-111111111111'),
    (301, 'fire-drill', 'Fire drill', 'DYNAMIC', '{SMS,CHAT,PUSH}', NULL,
     '{"smsTemplateId": 106, "chatTemplateId": 107, "pushTemplateId": 108}', 13, 'PUBLISH', '11111111-1111-1111-1111-111111111111'),
    (304, 'new-year-digest', 'New year digest', 'DYNAMIC', '{IN_APP}', NULL, '{"IN_APP": "digest-in-app"}', NULL, 'PUBLISH', '11111111-1111-1111-1111-111111111111'),
    (305, 'default-email', 'Default email', 'STATIC', '{EMAIL}', NULL, NULL, NULL, 'PUBLISH', '11111111-1111-1111-1111-111111111111'),
    (302, 'legacy-static', 'Coded in the original', 'STATIC', '{EMAIL}', NULL, NULL, NULL, 'PUBLISH', '11111111-1111-1111-1111-111111111111'),
    (303, 'borrowed', 'Names another enterprise''s template', 'DYNAMIC', '{EMAIL}', NULL, '{"emailTemplateId": 200}', NULL, 'DRAFT', '11111111-1111-1111-1111-111111111111'),
    (400, 'globex-flow', 'Globex', 'DYNAMIC', '{EMAIL}', NULL, '{"emailTemplateId": 200}', NULL, 'PUBLISH', '22222222-2222-2222-2222-222222222222');

INSERT INTO notify.ent_notification_rule
    (id, name, notification_workflow_id, trigger_type, trigger_config, rule_payload, publish_status, enterprise_id)
OVERRIDING SYSTEM VALUE VALUES
    (500, 'New year digest', 304, 'CRON', '{"cron": "0 9 1 1 *", "timezone": "Europe/Paris", "enabled": true}',
     '{"recipients": ["aaaaaaaa-0000-4000-8000-000000000001"], "userName": "Ann", "orderId": 7}', 'PUBLISH', '11111111-1111-1111-1111-111111111111'),
    (501, 'On shipment', 300, 'EVENT', '{"event_name": "order.shipped"}',
     '{"recipient": "aaaaaaaa-0000-4000-8000-000000000001", "userName": "Ann", "orderId": 1}', 'PUBLISH', '11111111-1111-1111-1111-111111111111'),
    (502, 'Spring drill', 301, 'SCHEDULE', '{"scheduled_for": "2031-03-02T09:00:00Z", "building": "B"}',
     '{"recipients": ["aaaaaaaa-0000-4000-8000-000000000002"], "building": "HQ", "drillDate": "2 March"}', 'DRAFT', '11111111-1111-1111-1111-111111111111'),
    (503, 'Hourly poke', 304, 'WEBHOOK', '{}', '{}', 'DRAFT', '11111111-1111-1111-1111-111111111111'),
    (600, 'Globex rule', 400, 'CRON', '{"cron": "0 9 * * *"}', '{}', 'PUBLISH', '22222222-2222-2222-2222-222222222222');

-- Notifications in every status. Only PENDING + PUBLISH rows were ever sent by the original's worker.
INSERT INTO notify.ent_notification
    (id, name, notification_workflow_id, notification_rule_id, notification_status, publish_status, payload, recipients, channels,
     tags, transaction_id, scheduled_for, typ_notification_category_id, typ_notification_priority_id, enterprise_id)
OVERRIDING SYSTEM VALUE VALUES
    (700, 'Order 42 shipped', 300, NULL, 'PENDING', 'PUBLISH', '{"userName": "Ann", "orderId": 42}',
     '{aaaaaaaa-0000-4000-8000-000000000001}', '{EMAIL,IN_APP}', '{orders}', 'orig-tx-700', NULL, 10, 20, '11111111-1111-1111-1111-111111111111'),
    (701, 'Drill soon', 301, NULL, 'PENDING', 'PUBLISH', '{"building": "HQ", "drillDate": "today"}',
     '{aaaaaaaa-0000-4000-8000-000000000001,aaaaaaaa-0000-4000-8000-000000000002}', '{SMS,CHAT,PUSH}', NULL, 'orig-tx-701',
     now() + interval '30 seconds', 13, 21, '11111111-1111-1111-1111-111111111111'),
    (702, 'Drill next year', 301, NULL, 'PENDING', 'PUBLISH', '{"building": "Annex", "drillDate": "1 June"}',
     '{aaaaaaaa-0000-4000-8000-000000000002}', '{SMS}', NULL, NULL, '2031-06-01T08:00:00Z', 13, NULL, '11111111-1111-1111-1111-111111111111'),
    (703, 'Welcome mail', 305, NULL, 'PENDING', 'PUBLISH', '{"subject": "Welcome", "body": "Hello from Acme"}',
     '{aaaaaaaa-0000-4000-8000-000000000003}', '{EMAIL}', NULL, NULL, NULL, NULL, NULL, '11111111-1111-1111-1111-111111111111'),
    (704, 'Draft note', 300, NULL, 'PENDING', 'DRAFT', '{"userName": "Cy", "orderId": 1}',
     '{aaaaaaaa-0000-4000-8000-000000000003}', '{IN_APP}', NULL, NULL, NULL, NULL, NULL, '11111111-1111-1111-1111-111111111111'),
    (705, 'Coded workflow', 302, NULL, 'PENDING', 'PUBLISH', '{}',
     '{aaaaaaaa-0000-4000-8000-000000000003}', '{EMAIL}', NULL, NULL, NULL, NULL, NULL, '11111111-1111-1111-1111-111111111111'),
    (706, 'In flight', 300, NULL, 'PROCESSING', 'PUBLISH', '{"userName": "Di", "orderId": 2}',
     '{aaaaaaaa-0000-4000-8000-000000000004}', '{EMAIL}', NULL, 'orig-tx-706', NULL, NULL, NULL, '11111111-1111-1111-1111-111111111111'),
    (707, 'Scheduled: New year digest', 304, 500, 'SENT', 'PUBLISH', '{"userName": "Ann", "orderId": 7}',
     '{aaaaaaaa-0000-4000-8000-000000000001}', '{IN_APP}', NULL, 'orig-tx-707', NULL, NULL, NULL, '11111111-1111-1111-1111-111111111111'),
    (708, 'Bounced', 300, NULL, 'FAILED', 'PUBLISH', '{"userName": "Ed", "orderId": 3}',
     '{aaaaaaaa-0000-4000-8000-000000000005}', '{EMAIL}', NULL, 'orig-tx-708', NULL, NULL, NULL, '11111111-1111-1111-1111-111111111111'),
    (709, 'Sent by mistake', 300, NULL, 'RETRACTED', 'PUBLISH', '{"userName": "Fay", "orderId": 4}',
     '{aaaaaaaa-0000-4000-8000-000000000006}', '{EMAIL}', NULL, 'orig-tx-709', NULL, NULL, NULL, '11111111-1111-1111-1111-111111111111'),
    (800, 'Globex pending', 400, NULL, 'PENDING', 'PUBLISH', '{}',
     '{bbbbbbbb-0000-4000-8000-000000000001}', '{EMAIL}', NULL, 'globex-tx-800', NULL, NULL, NULL, '22222222-2222-2222-2222-222222222222');

UPDATE notify.ent_notification SET retracted_at = now(), retraction_reason = 'wrong recipient' WHERE id = 709;
UPDATE notify.ent_notification SET error_details = '{"message": "Novu refused", "attempts": 3}' WHERE id = 708;
