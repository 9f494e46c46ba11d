-- People and systems told of every status page update: by email (double opt-in: nothing is sent
-- before the confirmation link is followed) or by a signed webhook (added by an admin).
CREATE TABLE status_subscribers (
    id           uuid PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('email', 'webhook')),
    address      text NOT NULL,
    -- Webhooks: the Standard Webhooks signing secret.
    secret       text,
    -- The components whose updates it wants; empty means all.
    components   uuid[] NOT NULL DEFAULT '{}',
    -- The credential in every link to it (confirm, unsubscribe): every message must carry it.
    token        text NOT NULL UNIQUE,
    confirmed_at timestamptz,
    created_at   timestamptz NOT NULL,
    UNIQUE (kind, address)
);

-- Messages to subscribers, delivered by the engine like pages: leased, retried, recorded.
CREATE TABLE status_messages (
    id            bigserial PRIMARY KEY,
    subscriber_id uuid NOT NULL REFERENCES status_subscribers (id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('confirm', 'update')),
    subject       text NOT NULL,
    body          text NOT NULL,
    html          text NOT NULL,
    -- The link that ends the subscription (List-Unsubscribe), and the JSON a webhook gets.
    unsubscribe   text NOT NULL,
    payload       jsonb,
    due_at        timestamptz NOT NULL,
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts      integer NOT NULL DEFAULT 0,
    lease_until   timestamptz,
    last_error    text,
    sent_at       timestamptz,
    created_at    timestamptz NOT NULL
);
CREATE INDEX status_messages_due_idx ON status_messages (due_at) WHERE status = 'pending';

-- Subscription requests per client address, for the per-address limit.
CREATE TABLE status_subscribe_attempts (
    ip text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX status_subscribe_attempts_idx ON status_subscribe_attempts (ip, at);
