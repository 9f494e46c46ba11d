-- Incidents: the core record, the services it affects, and its append-only timeline.

-- Numbers come from a sequence: never reused, and safe when many incidents open at once.
CREATE SEQUENCE incident_numbers;

CREATE TABLE incidents (
    id                uuid PRIMARY KEY,
    number            bigint NOT NULL UNIQUE DEFAULT nextval('incident_numbers'),
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description       text NOT NULL DEFAULT '',
    severity          smallint NOT NULL CHECK (severity BETWEEN 1 AND 5),
    status            text NOT NULL
                      CHECK (status IN ('triggered', 'acknowledged', 'mitigated', 'resolved', 'no_responder')),
    customer_impact   boolean NOT NULL DEFAULT false,
    declared_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    acknowledged_at   timestamptz,
    mitigated_at      timestamptz,
    resolved_at       timestamptz,
    -- The declared customer-impact window; may differ from when the incident was opened.
    impact_started_at timestamptz,
    impact_ended_at   timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (impact_ended_at IS NULL OR impact_started_at IS NULL OR impact_ended_at >= impact_started_at)
);
-- The dashboard: open incidents by severity then age.
CREATE INDEX incidents_open_idx ON incidents (severity, created_at)
    WHERE status IN ('triggered', 'acknowledged', 'mitigated');
CREATE INDEX incidents_created_idx ON incidents (created_at DESC, number DESC);

CREATE TABLE incident_services (
    incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    service_id  uuid NOT NULL REFERENCES services (id),
    PRIMARY KEY (incident_id, service_id)
);
CREATE INDEX incident_services_service_idx ON incident_services (service_id);

-- Append-only: corrections are new entries. Only `pin` changes after insert.
CREATE TABLE timeline_events (
    id          bigserial PRIMARY KEY,
    incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    author_id   uuid REFERENCES users (id) ON DELETE SET NULL,
    author_label text NOT NULL,
    kind        text NOT NULL,
    body        text NOT NULL DEFAULT '',
    data        jsonb,
    pin         text CHECK (pin IN ('papertrail', 'follow_up'))
);
CREATE INDEX timeline_events_incident_idx ON timeline_events (incident_id, id);
