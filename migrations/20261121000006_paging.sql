-- Escalation policies and the paging engine.

-- A policy's levels are one jsonb document (domain::escalation::Policy), validated on save.
CREATE TABLE escalation_policies (
    id         uuid PRIMARY KEY,
    name       text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    policy     jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE services ADD COLUMN escalation_policy_id uuid REFERENCES escalation_policies (id) ON DELETE SET NULL;

-- One running escalation per incident. The row is the only copy of its deadline: an engine
-- claims due rows with FOR UPDATE SKIP LOCKED, pages the step, and advances next_step and
-- next_at in the same transaction, so each step happens once whatever the number of engines.
CREATE TABLE escalations (
    incident_id uuid PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    policy_id   uuid REFERENCES escalation_policies (id) ON DELETE SET NULL,
    -- The policy as it was when the escalation started: an edit does not change a running one.
    policy      jsonb NOT NULL,
    urgency     text NOT NULL CHECK (urgency IN ('high', 'low')),
    started_at  timestamptz NOT NULL,
    next_step   integer NOT NULL DEFAULT 0,
    -- NULL once ended (acknowledged, resolved, or every step done).
    next_at     timestamptz,
    ended_at    timestamptz,
    end_reason  text
);
CREATE INDEX escalations_due_idx ON escalations (next_at) WHERE next_at IS NOT NULL;

-- Everyone paged, by which step (-1: paged by hand from the incident page).
CREATE TABLE pages (
    id          bigserial PRIMARY KEY,
    incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    step        integer NOT NULL,
    level       integer,
    user_id     uuid NOT NULL REFERENCES users (id),
    role        text,
    paged_by    uuid REFERENCES users (id),
    paged_at    timestamptz NOT NULL,
    UNIQUE (incident_id, step, user_id)
);
CREATE INDEX pages_user_idx ON pages (user_id, paged_at);

CREATE TABLE contact_methods (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('email', 'webhook', 'slack')),
    label      text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    address    text NOT NULL,
    -- Webhooks: the Standard Webhooks signing secret ("whsec_" + base64), shown to its owner.
    secret     text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contact_methods_user_idx ON contact_methods (user_id);

CREATE TABLE notification_rules (
    id                uuid PRIMARY KEY,
    user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    contact_method_id uuid NOT NULL REFERENCES contact_methods (id) ON DELETE CASCADE,
    delay_secs        integer NOT NULL CHECK (delay_secs BETWEEN 0 AND 86400),
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_rules_user_idx ON notification_rules (user_id);

-- Each message to hand to a channel. Claimed with a lease (a crashed sender's rows come back),
-- retried with backoff, and folded together when one person gets several within a minute.
CREATE TABLE notifications (
    id                bigserial PRIMARY KEY,
    user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    contact_method_id uuid NOT NULL REFERENCES contact_methods (id) ON DELETE CASCADE,
    kind              text NOT NULL CHECK (kind IN ('page', 'test')),
    page_id           bigint REFERENCES pages (id) ON DELETE CASCADE,
    incident_id       uuid REFERENCES incidents (id) ON DELETE CASCADE,
    due_at            timestamptz NOT NULL,
    -- Low urgency outside the person's working hours: due at their next working morning.
    deferred          boolean NOT NULL DEFAULT false,
    status            text NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'sent', 'failed', 'cancelled', 'bundled')),
    -- For 'bundled' rows: the notification that carried them.
    bundled_into      bigint REFERENCES notifications (id),
    lease_until       timestamptz,
    attempts          integer NOT NULL DEFAULT 0,
    last_error        text,
    sent_at           timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_due_idx ON notifications (due_at) WHERE status = 'pending';
CREATE INDEX notifications_recent_idx ON notifications (user_id, contact_method_id, sent_at) WHERE status = 'sent';
CREATE INDEX notifications_incident_idx ON notifications (incident_id);
