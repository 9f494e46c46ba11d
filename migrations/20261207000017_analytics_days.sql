-- Per-day rollups of the response analytics, so a year of figures reads 365 rows however many
-- incidents it holds. One row per UTC day: that day's incidents (by creation) and the page
-- notifications that reached someone that day, as compact records (`domain::analytics::rollup`)
-- exact to the millisecond, so a window in any zone is cut exactly at its edges.
CREATE TABLE analytics_days (
    day         date PRIMARY KEY,
    -- The dictionaries the records point into, by position.
    services    uuid[] NOT NULL,
    users       uuid[] NOT NULL,
    rules       text[] NOT NULL,
    incidents   bytea NOT NULL,
    engagements bytea NOT NULL,
    rule_counts bytea NOT NULL,
    pages       bytea NOT NULL
);
-- Read whole and often: uncompressed, so reading a value is a copy rather than a decompression.
ALTER TABLE analytics_days
    ALTER COLUMN incidents SET STORAGE EXTERNAL,
    ALTER COLUMN engagements SET STORAGE EXTERNAL,
    ALTER COLUMN rule_counts SET STORAGE EXTERNAL,
    ALTER COLUMN pages SET STORAGE EXTERNAL;

-- Each incident's engagements (who acknowledged it or took a role, and when) and resolution
-- kept with its facts, so a day's rollup is built from the facts alone; `last_event` (the newest
-- timeline event read) tells a real change from the same events read again.
ALTER TABLE incident_facts
    ADD COLUMN resolved_at   timestamptz,
    ADD COLUMN engaged_users uuid[] NOT NULL DEFAULT '{}',
    ADD COLUMN engaged_at    timestamptz[] NOT NULL DEFAULT '{}',
    ADD COLUMN engaged_ack   boolean[] NOT NULL DEFAULT '{}',
    ADD COLUMN last_event    bigint NOT NULL DEFAULT 0;
-- Facts written before these columns are read again from the whole timeline.
UPDATE analytics_state SET timeline_id = 0;

-- Days whose rollup is stale. Incidents reach the rollup through the timeline (the facts'
-- watermark); page notifications change without a timeline event, so they mark their day here.
-- Append-only, no key: concurrent senders never wait on each other; the engine drains it.
CREATE TABLE analytics_dirty_days (day date NOT NULL);

CREATE FUNCTION analytics_mark_page_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO analytics_dirty_days (day)
    SELECT DISTINCT (COALESCE(c.sent_at, n.sent_at) AT TIME ZONE 'UTC')::date
    FROM changed n
    LEFT JOIN notifications c ON c.id = n.bundled_into AND c.status = 'sent'
    WHERE n.kind = 'page' AND (n.status = 'sent' OR (n.status = 'bundled' AND c.id IS NOT NULL));
    RETURN NULL;
END $$;

CREATE TRIGGER notifications_analytics_insert AFTER INSERT ON notifications
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_page_days();
CREATE TRIGGER notifications_analytics_update AFTER UPDATE ON notifications
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_page_days();

-- A day's page notifications: those sent, and those bundled into one sent.
CREATE INDEX notifications_sent_at_idx ON notifications (sent_at) WHERE status = 'sent';
CREATE INDEX notifications_bundled_into_idx ON notifications (bundled_into) WHERE bundled_into IS NOT NULL;

-- Every day with data is stale until the engine has built it.
INSERT INTO analytics_dirty_days (day)
SELECT DISTINCT (created_at AT TIME ZONE 'UTC')::date FROM incident_facts
UNION
SELECT DISTINCT (sent_at AT TIME ZONE 'UTC')::date FROM notifications
WHERE kind = 'page' AND status = 'sent';
