-- Subscribing to one public incident (its updates only), and reminding subscribers of a
-- maintenance ahead of its window.
ALTER TABLE status_subscribers
    ADD COLUMN incident_id uuid REFERENCES public_incidents (id) ON DELETE CASCADE,
    DROP CONSTRAINT status_subscribers_kind_address_key;
-- One subscription to the page per address, and one per incident it follows (an expression, not
-- NULLS NOT DISTINCT: PostgreSQL 13 and 14 are supported).
CREATE UNIQUE INDEX status_subscribers_kind_address_incident_key
    ON status_subscribers (kind, address, coalesce(incident_id, '00000000-0000-0000-0000-000000000000'::uuid));

-- Hours before a maintenance's window its subscribers are reminded; 0: no reminder.
ALTER TABLE status_page
    ADD COLUMN reminder_hours integer NOT NULL DEFAULT 24 CHECK (reminder_hours BETWEEN 0 AND 168);

-- When the reminder went out: the engine sends it once, whatever the number of instances.
ALTER TABLE public_incidents ADD COLUMN reminded_at timestamptz;

ALTER TABLE status_messages DROP CONSTRAINT status_messages_kind_check,
    ADD CONSTRAINT status_messages_kind_check CHECK (kind IN ('confirm', 'update', 'reminder'));
