-- Response analytics: a team's zone and working hours (interruptions are classed by them), and
-- one narrow row of facts per incident, kept by the engine from the incident, its timeline and
-- its pages, so a year of figures never reads the timeline.

ALTER TABLE teams
    ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC',
    -- domain::analytics::WorkingHours; the defaults are weekdays 08:00-18:00, sleep 22:00-08:00.
    ADD COLUMN working_hours jsonb NOT NULL DEFAULT
        '{"days": [0, 1, 2, 3, 4], "start_minute": 480, "end_minute": 1080, "sleep_start_minute": 1320, "sleep_end_minute": 480}';

CREATE TABLE incident_facts (
    incident_id        uuid PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    number             bigint NOT NULL,
    created_at         timestamptz NOT NULL,
    -- Slugs of the affected services and of the teams owning them.
    services           text[] NOT NULL,
    teams              text[] NOT NULL,
    declared_severity  smallint NOT NULL,
    current_severity   smallint NOT NULL,
    highest_severity   smallint NOT NULL,
    -- Seconds from creation; NULL until it happened.
    to_acknowledge     integer,
    to_mitigate        integer,
    to_resolve         integer,
    no_responder       boolean NOT NULL,
    escalated          boolean NOT NULL,
    resolved_by_source boolean NOT NULL,
    alerts             integer NOT NULL,
    pages              integer NOT NULL
);
CREATE INDEX incident_facts_created_idx ON incident_facts (created_at);

-- How far the facts have followed the timeline: every change to an incident writes a timeline
-- event, so the incidents with events after `timeline_id` are the ones to refresh. One row,
-- locked by whichever instance refreshes.
CREATE TABLE analytics_state (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    timeline_id bigint NOT NULL DEFAULT 0
);
INSERT INTO analytics_state DEFAULT VALUES;
