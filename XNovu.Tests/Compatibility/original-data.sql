-- One enterprise of the original XNovu as its users wrote it: templates with payload keys at the root and
-- the legacy include, a workflow whose template_overrides name templates by id, a CRON rule; plus what the
-- import must skip or report (a deleted template, a STATIC workflow, an include it cannot express, an
-- override naming another enterprise's template). Acme is 1111..., Globex 2222....

INSERT INTO notify.typ_notification_category (id, code, name, description, sort_order, publish_status, enterprise_id) VALUES
    (10, 'orders', 'Orders', 'Order updates', 1, 'PUBLISH', '11111111-1111-1111-1111-111111111111'),
    (11, 'old', 'Old', NULL, 2, 'DELETED', '11111111-1111-1111-1111-111111111111'),
    (12, 'globex-only', 'Globex', NULL, 1, 'PUBLISH', '22222222-2222-2222-2222-222222222222');

INSERT INTO notify.typ_notification_priority (id, code, name, sort_order, publish_status, enterprise_id) VALUES
    (20, 'high', 'High', 1, 'PUBLISH', '11111111-1111-1111-1111-111111111111');

INSERT INTO notify.ent_notification_template
    (id, template_key, name, channel_type, subject_template, body_template, variables_description, notification_category_id, publish_status, deactivated, enterprise_id) VALUES
    (100, 'order-shipped-email', 'Order shipped (email)', 'EMAIL', 'Order {{ orderId }} shipped',
     '<p>Hello {{ userName }},</p>{{ xnovu_render(''signature'', { team: ''Acme Support'' }) }}',
     '{"userName": "the customer''s name", "orderId": "the order number"}', 10, 'PUBLISH', false, '11111111-1111-1111-1111-111111111111'),
    (101, 'signature', 'Signature', 'EMAIL', NULL, '<p>Regards, {{ team }}</p>', NULL, NULL, 'PUBLISH', false, '11111111-1111-1111-1111-111111111111'),
    (102, 'order-shipped-in-app', 'Order shipped (in-app)', 'IN_APP', NULL, 'Order {{ orderId }} is on its way, {{ userName }}.', NULL, 10, 'PUBLISH', false, '11111111-1111-1111-1111-111111111111'),
    (103, 'old-template', 'Old', 'SMS', NULL, 'old', NULL, NULL, 'DELETED', false, '11111111-1111-1111-1111-111111111111'),
    (104, 'nested-include', 'Nested include', 'EMAIL', NULL, '{{ xnovu_render(''signature'', { team: { name: ''x'' } }) }}', NULL, NULL, 'DRAFT', false, '11111111-1111-1111-1111-111111111111'),
    (105, 'retired-sms', 'Retired SMS', 'SMS', NULL, 'Hi {{ userName }}', NULL, NULL, 'PUBLISH', true, '11111111-1111-1111-1111-111111111111'),
    (200, 'globex-email', 'Globex email', 'EMAIL', 'x', 'Globex', NULL, NULL, 'PUBLISH', false, '22222222-2222-2222-2222-222222222222');

INSERT INTO notify.ent_notification_workflow
    (id, workflow_key, name, workflow_type, default_channels, payload_schema, template_overrides, notification_category_id, publish_status, enterprise_id) VALUES
    (300, 'order-shipped', 'Order shipped', 'DYNAMIC', '{EMAIL,IN_APP}',
     '{"type": "object", "required": ["userName", "orderId"], "properties": {"userName": {"type": "string"}, "orderId": {"type": "integer"}}}',
     '{"emailTemplateId": 100, "inAppTemplateId": "102"}', 10, 'PUBLISH', '11111111-1111-1111-1111-111111111111'),
    (301, 'weekly-digest', 'Weekly digest', 'DYNAMIC', '{IN_APP}', NULL, '{"IN_APP": "order-shipped-in-app"}', NULL, 'PUBLISH', '11111111-1111-1111-1111-111111111111'),
    (302, 'legacy-static', 'Coded in the original', 'STATIC', '{EMAIL}', NULL, NULL, NULL, 'PUBLISH', '11111111-1111-1111-1111-111111111111'),
    (303, 'borrowed', 'Names another enterprise''s template', 'DYNAMIC', '{EMAIL}', NULL, '{"emailTemplateId": 200}', NULL, 'DRAFT', '11111111-1111-1111-1111-111111111111'),
    (400, 'globex-flow', 'Globex', 'DYNAMIC', '{EMAIL}', NULL, '{"emailTemplateId": 200}', NULL, 'PUBLISH', '22222222-2222-2222-2222-222222222222');

INSERT INTO notify.ent_notification_rule
    (id, name, notification_workflow_id, trigger_type, trigger_config, rule_payload, publish_status, enterprise_id) VALUES
    (500, 'New year digest', 301, 'CRON', '{"cron": "0 9 1 1 *", "timezone": "Europe/Paris", "enabled": true}',
     '{"recipients": ["ann"], "payload": {"userName": "Ann", "orderId": 7}}', 'PUBLISH', '11111111-1111-1111-1111-111111111111'),
    (501, 'On shipment', 300, 'EVENT', '{"eventType": "order.shipped"}', '{"payload": {"userName": "Ann"}, "source": "erp"}', 'DRAFT', '11111111-1111-1111-1111-111111111111'),
    (600, 'Globex rule', 400, 'CRON', '{"cron": "0 9 * * *"}', '{}', 'PUBLISH', '22222222-2222-2222-2222-222222222222');
