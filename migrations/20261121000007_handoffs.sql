-- Shift handoffs: the incoming person is told when their shift starts. One row per schedule and
-- handoff instant, so with several engines each handoff is announced once.
CREATE TABLE shift_handoffs (
    schedule_id uuid NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    outgoing    uuid REFERENCES users (id),
    incoming    uuid NOT NULL REFERENCES users (id),
    PRIMARY KEY (schedule_id, at)
);

ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('page', 'test', 'handoff'));
-- The words of a message that is not about incidents (a handoff).
ALTER TABLE notifications ADD COLUMN note text;
