-- Sessions live on the server, so logging out, changing one's password or being disabled ends
-- them at once, everywhere. The cookie carries a short-lived JWT naming its session; the row
-- holds the absolute end that no renewal carries a session past.
CREATE TABLE sessions (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    ended_at     timestamptz,
    -- Where the login came from (the client address as trusted proxies report it).
    ip           text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE ended_at IS NULL;

-- Replaced by ending the rows above; sessions from before this release end with it.
ALTER TABLE users DROP COLUMN sessions_valid_after;

-- Tokens may carry an end; past it they authenticate nothing.
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
