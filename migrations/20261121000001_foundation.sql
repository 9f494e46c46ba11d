-- Foundation: people, their sessions' rate limits, API tokens and the audit log.
CREATE EXTENSION IF NOT EXISTS citext;

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    -- citext: one account per address whatever its case.
    email         citext NOT NULL UNIQUE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    role          text NOT NULL CHECK (role IN ('admin', 'responder', 'viewer')),
    time_zone     text NOT NULL DEFAULT 'UTC',
    password_hash text NOT NULL,
    disabled      boolean NOT NULL DEFAULT false,
    -- Sessions issued before this instant are void: set when the password changes.
    sessions_valid_after timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label        text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    -- SHA-256 of the whole token. Tokens carry 190 bits of entropy, so a fast hash is enough and
    -- lets a request find its token with one index lookup.
    token_hash   bytea NOT NULL UNIQUE,
    prefix       text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- Failed logins, kept in the database so that every instance sees the same count.
CREATE TABLE login_failures (
    id    bigserial PRIMARY KEY,
    ip    text NOT NULL,
    email citext NOT NULL,
    at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_ip_idx ON login_failures (ip, at);
CREATE INDEX login_failures_email_idx ON login_failures (email, at);

CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    -- NULL when the command line or the system acted.
    actor_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    actor_label text NOT NULL,
    action      text NOT NULL,
    entity_type text NOT NULL,
    entity_id   text NOT NULL,
    before      jsonb,
    after       jsonb,
    request_id  text
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, at DESC);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);

-- Teams and services: the minimum the demo data needs; the incidents work adds their admin pages.
CREATE TABLE teams (
    id         uuid PRIMARY KEY,
    name       text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE team_members (
    team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    text NOT NULL CHECK (role IN ('lead', 'member')),
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user_idx ON team_members (user_id);

CREATE TABLE services (
    id          uuid PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    team_id     uuid NOT NULL REFERENCES teams (id),
    description text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX services_team_idx ON services (team_id);
