-- What of a trigger's payload goes to Novu beside the rendered content under `xnovu`: the workflow names the
-- fields (dotted paths into the payload object, `order.id`), none by default. Everything else stays in XNovu,
-- so an event stays within Novu's 512 KB limit. The API checks each path's shape (NovuPayloadPaths); the
-- database keeps the count bounded whoever writes the row.
ALTER TABLE notify.ent_notification_workflow
    ADD COLUMN novu_payload text[] NOT NULL DEFAULT '{}'
        CONSTRAINT ent_notification_workflow_novu_payload_check CHECK (cardinality(novu_payload) <= 20);
