-- The weekly retro: what a team marks on each page of its week (was the fix documented, is it
-- automated), its notes, actions and mood check (kept per person, shown only as an aggregate),
-- and whether the retro was held and who came. A week is an ISO week ("2026-W48") counted in
-- the team's time zone.

CREATE TABLE retro_page_marks (
    page_id     bigint PRIMARY KEY REFERENCES pages (id) ON DELETE CASCADE,
    documented  boolean NOT NULL DEFAULT false,
    runbook_url text CHECK (runbook_url IS NULL OR length(runbook_url) BETWEEN 1 AND 2000),
    automation  text NOT NULL DEFAULT 'no' CHECK (automation IN ('no', 'needs_automation', 'automated')),
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    updated_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE retro_notes (
    id         uuid PRIMARY KEY,
    team_id    uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    week       text NOT NULL CHECK (week ~ '^[0-9]{4}-W[0-9]{2}$'),
    body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    author_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX retro_notes_week_idx ON retro_notes (team_id, week, created_at);

CREATE TABLE retro_actions (
    id         uuid PRIMARY KEY,
    team_id    uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    week       text NOT NULL CHECK (week ~ '^[0-9]{4}-W[0-9]{2}$'),
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    owner_id   uuid REFERENCES users (id) ON DELETE SET NULL,
    due_on     date NOT NULL,
    done_at    timestamptz,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX retro_actions_week_idx ON retro_actions (team_id, week);
CREATE INDEX retro_actions_open_idx ON retro_actions (team_id, due_on) WHERE done_at IS NULL;

CREATE TABLE retro_moods (
    team_id    uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    week       text NOT NULL CHECK (week ~ '^[0-9]{4}-W[0-9]{2}$'),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    mood       smallint NOT NULL CHECK (mood BETWEEN 1 AND 5),
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (team_id, week, user_id)
);

CREATE TABLE retro_meetings (
    team_id   uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    week      text NOT NULL CHECK (week ~ '^[0-9]{4}-W[0-9]{2}$'),
    held_at   timestamptz NOT NULL,
    held_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    attendees uuid[] NOT NULL,
    PRIMARY KEY (team_id, week)
);
