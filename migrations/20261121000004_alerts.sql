-- Alert ingestion: integration keys, the durable event log every accepted event lands in, and the
-- alerts (service, dedup key) those events drive.

-- How a service turns alerts into incidents (grouping, severity mapping, urgency, storm and flap
-- limits). One JSON document read by the domain type `IngestionSettings`, which fills defaults
-- and validates every field; the empty document means "all defaults".
ALTER TABLE services ADD COLUMN ingestion jsonb NOT NULL DEFAULT '{}';

-- Where an incident came from: declared by a person, opened by an alert, or the catch-all
-- incident of an alert storm. Storm control counts the alert-opened ones per service.
ALTER TABLE incidents ADD COLUMN origin text NOT NULL DEFAULT 'declared'
    CHECK (origin IN ('declared', 'alert', 'storm'));

-- A key is 32 random characters shown once; only its SHA-256 is kept. The key is high-entropy,
-- so a fast hash is enough, and the lookup by hash is an index probe (no timing oracle on the
-- secret itself).
CREATE TABLE integration_keys (
    id          uuid PRIMARY KEY,
    service_id  uuid NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('events_v2', 'alertmanager', 'generic')),
    label       text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    key_hash    bytea NOT NULL UNIQUE,
    -- The first characters, so admins can tell keys apart without the secret.
    prefix      text NOT NULL,
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX integration_keys_service_idx ON integration_keys (service_id);

-- An alert: one (service, dedup key) from the moment it fires until it resolves. A trigger after
-- the resolve opens a new row, so at most one row per key is open at any time.
CREATE TABLE alerts (
    id              bigserial PRIMARY KEY,
    service_id      uuid NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    dedup_key       text NOT NULL CHECK (length(dedup_key) BETWEEN 1 AND 255),
    status          text NOT NULL CHECK (status IN ('triggered', 'acknowledged', 'resolved')),
    severity        text NOT NULL CHECK (severity IN ('critical', 'error', 'warning', 'info')),
    summary         text NOT NULL,
    source          text NOT NULL DEFAULT '',
    incident_id     uuid REFERENCES incidents (id) ON DELETE SET NULL,
    event_count     integer NOT NULL DEFAULT 1,
    first_seen_at   timestamptz NOT NULL,
    last_seen_at    timestamptz NOT NULL,
    -- The source's own time of the latest trigger: a resolve stamped earlier is stale.
    last_fired_at   timestamptz NOT NULL,
    acknowledged_at timestamptz,
    resolved_at     timestamptz,
    -- Re-fired too often: held open; resolves are deferred until the source stays quiet.
    flapping        boolean NOT NULL DEFAULT false,
    quiet_since     timestamptz,
    -- The latest trigger's normalised event: the payload viewer shows it.
    payload         jsonb NOT NULL
);
CREATE UNIQUE INDEX alerts_open_key_idx ON alerts (service_id, dedup_key) WHERE status <> 'resolved';
CREATE INDEX alerts_key_resolved_idx ON alerts (service_id, dedup_key, resolved_at) WHERE status = 'resolved';
CREATE INDEX alerts_incident_idx ON alerts (incident_id);
CREATE INDEX alerts_service_idx ON alerts (service_id, id DESC);
CREATE INDEX alerts_flapping_idx ON alerts (quiet_since) WHERE flapping AND status <> 'resolved';

-- Every accepted event, written before the 202 (group commit: many requests share one
-- transaction and one flush). The processor applies pending events in id order and marks them;
-- processed events stay as each alert's history until the retention sweep removes them.
CREATE TABLE alert_events (
    id                 bigserial PRIMARY KEY,
    service_id         uuid NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    integration_key_id uuid REFERENCES integration_keys (id) ON DELETE SET NULL,
    action             text NOT NULL CHECK (action IN ('trigger', 'acknowledge', 'resolve')),
    dedup_key          text NOT NULL,
    received_at        timestamptz NOT NULL DEFAULT now(),
    event              jsonb NOT NULL,
    alert_id           bigint REFERENCES alerts (id) ON DELETE SET NULL,
    processed_at       timestamptz,
    -- What the processor did with it, in words (e.g. "stale resolve ignored").
    outcome            text
);
CREATE INDEX alert_events_pending_idx ON alert_events (id) WHERE processed_at IS NULL;
CREATE INDEX alert_events_alert_idx ON alert_events (alert_id, id DESC);
CREATE INDEX alert_events_processed_idx ON alert_events (processed_at) WHERE processed_at IS NOT NULL;

-- Storm control counts recent alert-opened incidents per service.
CREATE INDEX incidents_origin_created_idx ON incidents (created_at) WHERE origin <> 'declared';
