-- The public status page: its settings, components in groups, every component state change (the
-- only source of uptime), public incidents and maintenances with their updates. The public side
-- holds only what was written for it; the link to an internal incident is never published.

CREATE TABLE status_page (
    -- One page per installation.
    singleton          boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    -- The page's public id in Statuspage-shaped JSON (`page.id`, `page_id`).
    public_id          text NOT NULL,
    name               text NOT NULL DEFAULT 'Status' CHECK (length(name) BETWEEN 1 AND 100),
    -- Uptime days are days in this zone.
    time_zone          text NOT NULL DEFAULT 'UTC',
    support_url        text,
    banner             text,
    maintenance_counts boolean NOT NULL DEFAULT false,
    partial_weight     double precision NOT NULL DEFAULT 0.3 CHECK (partial_weight BETWEEN 0 AND 1),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
INSERT INTO status_page (public_id) VALUES (substr(md5(random()::text || clock_timestamp()::text), 1, 12));

CREATE TABLE status_groups (
    id         uuid PRIMARY KEY,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    position   integer NOT NULL DEFAULT 0,
    collapsed  boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE status_components (
    id                    uuid PRIMARY KEY,
    group_id              uuid REFERENCES status_groups (id) ON DELETE SET NULL,
    name                  text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description           text NOT NULL DEFAULT '',
    position              integer NOT NULL DEFAULT 0,
    only_show_if_degraded boolean NOT NULL DEFAULT false,
    status                text NOT NULL DEFAULT 'operational' CHECK (status IN
                          ('operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance')),
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL
);

-- A component may stand for one or more services.
CREATE TABLE status_component_services (
    component_id uuid NOT NULL REFERENCES status_components (id) ON DELETE CASCADE,
    service_id   uuid NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    PRIMARY KEY (component_id, service_id)
);
CREATE INDEX status_component_services_service_idx ON status_component_services (service_id);

-- Every state a component was in, from when until when (open while it lasts).
CREATE TABLE status_component_log (
    id           bigserial PRIMARY KEY,
    component_id uuid NOT NULL REFERENCES status_components (id) ON DELETE CASCADE,
    status       text NOT NULL CHECK (status IN
                 ('operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance')),
    from_at      timestamptz NOT NULL,
    until_at     timestamptz,
    CHECK (until_at IS NULL OR until_at >= from_at)
);
CREATE INDEX status_component_log_idx ON status_component_log (component_id, from_at);
-- At most one open stretch per component.
CREATE UNIQUE INDEX status_component_log_open_idx ON status_component_log (component_id) WHERE until_at IS NULL;

-- Public incidents and scheduled maintenances (Statuspage keeps both as incidents).
CREATE TABLE public_incidents (
    id              uuid PRIMARY KEY,
    -- Short and unguessable: the id in public URLs and JSON.
    public_id       text NOT NULL UNIQUE,
    kind            text NOT NULL CHECK (kind IN ('incident', 'maintenance')),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status          text NOT NULL CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved',
                    'postmortem', 'scheduled', 'in_progress', 'verifying', 'completed')),
    impact          text NOT NULL CHECK (impact IN ('none', 'minor', 'major', 'critical', 'maintenance')),
    -- The internal incident it tells customers about; never shown publicly.
    incident_id     uuid REFERENCES incidents (id) ON DELETE SET NULL,
    scheduled_for   timestamptz,
    scheduled_until timestamptz,
    auto_start      boolean NOT NULL DEFAULT true,
    auto_complete   boolean NOT NULL DEFAULT true,
    started_at      timestamptz NOT NULL,
    monitoring_at   timestamptz,
    resolved_at     timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CHECK (kind = 'incident' OR (scheduled_for IS NOT NULL AND scheduled_until > scheduled_for))
);
CREATE INDEX public_incidents_started_idx ON public_incidents (started_at DESC);
CREATE INDEX public_incidents_incident_idx ON public_incidents (incident_id) WHERE incident_id IS NOT NULL;

-- The components a public incident affects.
CREATE TABLE public_incident_components (
    public_incident_id uuid NOT NULL REFERENCES public_incidents (id) ON DELETE CASCADE,
    component_id       uuid NOT NULL REFERENCES status_components (id) ON DELETE CASCADE,
    PRIMARY KEY (public_incident_id, component_id)
);

CREATE TABLE public_incident_updates (
    id                 uuid PRIMARY KEY,
    public_id          text NOT NULL UNIQUE,
    public_incident_id uuid NOT NULL REFERENCES public_incidents (id) ON DELETE CASCADE,
    status             text NOT NULL,
    -- Markdown as written, and the sanitised HTML it renders to.
    body               text NOT NULL CHECK (length(body) <= 20000),
    body_html          text NOT NULL,
    display_at         timestamptz NOT NULL,
    created_at         timestamptz NOT NULL,
    author_id          uuid REFERENCES users (id) ON DELETE SET NULL,
    -- The states this update set: [{"component_id", "name", "old_status", "new_status"}].
    affected           jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX public_incident_updates_incident_idx ON public_incident_updates (public_incident_id, display_at);
