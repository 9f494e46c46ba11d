-- Running an incident: roles, links, related incidents, root-cause tags, and what the responder
-- dashboard needs to filter and page through a million incidents.

-- One holder per role per incident; reassigning replaces the row.
CREATE TABLE incident_roles (
    incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('commander', 'communicator', 'scribe', 'fixer')),
    user_id     uuid NOT NULL REFERENCES users (id),
    assigned_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (incident_id, role)
);
-- "Role holder = me" and shift handover look incidents up by holder.
CREATE INDEX incident_roles_user_idx ON incident_roles (user_id);

CREATE TABLE incident_links (
    id          bigserial PRIMARY KEY,
    incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    url         text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    label       text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    added_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incident_links_incident_idx ON incident_links (incident_id);

-- Stored once per pair, both directions read by the queries.
CREATE TABLE incident_relations (
    incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    related_id  uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    added_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (incident_id, related_id),
    CHECK (incident_id <> related_id)
);
CREATE INDEX incident_relations_related_idx ON incident_relations (related_id);

ALTER TABLE incidents ADD COLUMN root_cause_tags text[] NOT NULL DEFAULT '{}';

-- The dashboard order as one key: open incidents first (most severe first), then closed ones,
-- newest first within each group. Numbers grow with time, so "newest" is the higher number.
-- One bigint makes keyset pagination a single index range scan: WHERE dashboard_key > $cursor.
ALTER TABLE incidents ADD COLUMN dashboard_key bigint GENERATED ALWAYS AS (
    (CASE WHEN status IN ('triggered', 'acknowledged', 'mitigated') THEN severity ELSE 6 END)::bigint
        * 1000000000000000 - number
) STORED;
CREATE UNIQUE INDEX incidents_dashboard_idx ON incidents (dashboard_key);
DROP INDEX incidents_open_idx;

-- Text search over title and description. 'simple' keeps words as written (no stemming), which
-- suits host names, error codes and service names better than an English dictionary.
ALTER TABLE incidents ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', title || ' ' || description)
) STORED;
CREATE INDEX incidents_search_idx ON incidents USING gin (search);

-- An incident with everything a page or the API shows, in one row: the services, roles, links and
-- related incidents aggregated. Every read of incidents goes through it, so the list and the
-- detail cannot drift apart.
CREATE VIEW incident_details AS
SELECT
    i.id, i.number, i.title, i.description, i.severity, i.status, i.customer_impact,
    u.name AS declared_by,
    i.created_at, i.acknowledged_at, i.mitigated_at, i.resolved_at,
    i.impact_started_at, i.impact_ended_at, i.updated_at, i.root_cause_tags,
    i.dashboard_key, i.search,
    COALESCE((SELECT array_agg(s.slug ORDER BY s.slug)
              FROM incident_services x JOIN services s ON s.id = x.service_id
              WHERE x.incident_id = i.id), '{}') AS services,
    COALESCE((SELECT jsonb_agg(jsonb_build_object('role', r.role, 'user_id', r.user_id, 'name', ru.name)
                               ORDER BY array_position(ARRAY['commander', 'communicator', 'scribe', 'fixer'], r.role))
              FROM incident_roles r JOIN users ru ON ru.id = r.user_id
              WHERE r.incident_id = i.id), '[]') AS roles,
    COALESCE((SELECT jsonb_agg(jsonb_build_object('url', l.url, 'label', l.label) ORDER BY l.id)
              FROM incident_links l WHERE l.incident_id = i.id), '[]') AS links,
    COALESCE((SELECT jsonb_agg(jsonb_build_object('number', 'INC-' || o.number, 'title', o.title, 'reason', x.reason)
                               ORDER BY o.number)
              FROM incident_relations x
              JOIN incidents o ON o.id = CASE WHEN x.incident_id = i.id THEN x.related_id ELSE x.incident_id END
              WHERE x.incident_id = i.id OR x.related_id = i.id), '[]') AS related
FROM incidents i
LEFT JOIN users u ON u.id = i.declared_by;
