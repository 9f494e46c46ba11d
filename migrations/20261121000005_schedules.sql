-- On-call schedules. A layer's rotation rules (participants, unit, length, handoff, start,
-- end, restrictions) are one jsonb document: they are read and written whole, validated by
-- domain::schedule::ScheduleInput, and every computation over them happens in Rust.
CREATE TABLE schedules (
    id         uuid PRIMARY KEY,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    team_id    uuid REFERENCES teams (id),
    time_zone  text NOT NULL,
    fairness   jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX schedules_team_idx ON schedules (team_id);

CREATE TABLE schedule_layers (
    id          uuid PRIMARY KEY,
    schedule_id uuid NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    -- Bottom to top: a higher position wins where it has someone on call.
    position    integer NOT NULL,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    tier        text NOT NULL CHECK (tier IN ('primary', 'secondary')),
    rotation    jsonb NOT NULL,
    -- Deferred: saving a reordered schedule swaps positions inside one transaction.
    UNIQUE (schedule_id, position) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE schedule_overrides (
    id          uuid PRIMARY KEY,
    schedule_id uuid NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    -- NULL: the whole schedule (its primary stack).
    layer_id    uuid REFERENCES schedule_layers (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id),
    start_at    timestamptz NOT NULL,
    end_at      timestamptz NOT NULL,
    created_by  uuid REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (end_at > start_at)
);
CREATE INDEX schedule_overrides_schedule_idx ON schedule_overrides (schedule_id, end_at);

-- Calendar feed tokens are an HMAC of the user and this generation under the server's secret:
-- nothing secret is stored, the URL can be shown again, and rotating bumps the generation so
-- every old URL stops working.
CREATE TABLE calendar_feeds (
    user_id    uuid PRIMARY KEY REFERENCES users (id),
    generation integer NOT NULL DEFAULT 1,
    rotated_at timestamptz NOT NULL DEFAULT now()
);
