-- Postmortems: one per incident at most, their reviews, timeline, corrective actions and the
-- earlier incidents confirmed as the same problem recurring.

-- The one policy: which severities get a postmortem on resolution, how many approvals publish
-- one, how long it may take, and the due windows of corrective actions per priority.
CREATE TABLE postmortem_policy (
    id                 boolean PRIMARY KEY DEFAULT true CHECK (id),
    severities         text[] NOT NULL DEFAULT '{SEV1,SEV2}',
    business_days      integer NOT NULL DEFAULT 5 CHECK (business_days BETWEEN 1 AND 60),
    required_approvals integer NOT NULL DEFAULT 1 CHECK (required_approvals BETWEEN 1 AND 10),
    high_days          integer NOT NULL DEFAULT 28 CHECK (high_days BETWEEN 1 AND 365),
    other_days         integer NOT NULL DEFAULT 56 CHECK (other_days BETWEEN 1 AND 365),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
INSERT INTO postmortem_policy DEFAULT VALUES;

-- Section sets, one per range of severities; the one with no severities serves the rest.
CREATE TABLE postmortem_templates (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    severities text[] NOT NULL DEFAULT '{}',
    -- [{"key", "title", "prompt"}] in order.
    sections   jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE postmortems (
    id                uuid PRIMARY KEY,
    incident_id       uuid NOT NULL UNIQUE REFERENCES incidents (id) ON DELETE CASCADE,
    status            text NOT NULL DEFAULT 'draft'
                      CHECK (status IN ('draft', 'in_review', 'changes_requested', 'approved', 'published')),
    owner_id          uuid REFERENCES users (id) ON DELETE SET NULL,
    due_at            timestamptz NOT NULL,
    review_meeting_at timestamptz,
    -- The template's sections as they were when it was created: later template edits leave it be.
    template          jsonb NOT NULL,
    sections          jsonb NOT NULL DEFAULT '{}',
    -- Every save: a save must name the version it edited.
    version           integer NOT NULL DEFAULT 1,
    -- Every edit after approval starts a new revision, which needs approval again.
    revision          integer NOT NULL DEFAULT 1,
    -- Every request for review starts a round; approvals count within the current one.
    review_round      integer NOT NULL DEFAULT 0,
    approved_revision integer,
    approved_sections jsonb,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    published_at      timestamptz,
    -- When its owner was told it is due tomorrow, and that it is overdue (each once).
    due_soon_told_at  timestamptz,
    overdue_told_at   timestamptz
);
CREATE INDEX postmortems_status_idx ON postmortems (status, due_at);
CREATE INDEX postmortems_owner_idx ON postmortems (owner_id);

CREATE TABLE postmortem_reviewers (
    postmortem_id uuid NOT NULL REFERENCES postmortems (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (postmortem_id, user_id)
);
CREATE INDEX postmortem_reviewers_user_idx ON postmortem_reviewers (user_id);

CREATE TABLE postmortem_reviews (
    id            uuid PRIMARY KEY,
    postmortem_id uuid NOT NULL REFERENCES postmortems (id) ON DELETE CASCADE,
    reviewer_id   uuid REFERENCES users (id) ON DELETE SET NULL,
    revision      integer NOT NULL,
    round         integer NOT NULL,
    verdict       text NOT NULL CHECK (verdict IN ('approve', 'request_changes')),
    comment       text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL
);
CREATE INDEX postmortem_reviews_idx ON postmortem_reviews (postmortem_id, created_at);

CREATE TABLE postmortem_comments (
    id            uuid PRIMARY KEY,
    postmortem_id uuid NOT NULL REFERENCES postmortems (id) ON DELETE CASCADE,
    author_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    -- The section it is about, if any.
    section       text,
    body          text NOT NULL,
    created_at    timestamptz NOT NULL
);
CREATE INDEX postmortem_comments_idx ON postmortem_comments (postmortem_id, created_at);

CREATE TABLE postmortem_timeline (
    id            uuid PRIMARY KEY,
    postmortem_id uuid NOT NULL REFERENCES postmortems (id) ON DELETE CASCADE,
    at            timestamptz NOT NULL,
    text          text NOT NULL,
    -- The incident's timeline event it was taken from.
    source        bigint REFERENCES timeline_events (id) ON DELETE SET NULL
);
CREATE INDEX postmortem_timeline_idx ON postmortem_timeline (postmortem_id, at);

CREATE TABLE postmortem_actions (
    id            uuid PRIMARY KEY,
    postmortem_id uuid NOT NULL REFERENCES postmortems (id) ON DELETE CASCADE,
    title         text NOT NULL,
    owner_id      uuid REFERENCES users (id) ON DELETE SET NULL,
    due_on        date NOT NULL,
    priority      text NOT NULL CHECK (priority IN ('high', 'medium', 'low')),
    tracker_url   text,
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done', 'wont_do')),
    reason        text,
    -- The follow-up pin it was made from.
    from_event    bigint REFERENCES timeline_events (id) ON DELETE SET NULL,
    -- When its owner's team leads were told it is overdue (once).
    escalated_at  timestamptz,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX postmortem_actions_due_idx ON postmortem_actions (due_on) WHERE status IN ('open', 'in_progress');
CREATE INDEX postmortem_actions_owner_idx ON postmortem_actions (owner_id);

-- Earlier incidents the author confirmed (or dismissed) as the same problem recurring.
CREATE TABLE postmortem_recurrences (
    postmortem_id uuid NOT NULL REFERENCES postmortems (id) ON DELETE CASCADE,
    incident_id   uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    confirmed     boolean NOT NULL,
    decided_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    decided_at    timestamptz NOT NULL,
    PRIMARY KEY (postmortem_id, incident_id)
);

-- Postmortem notices (review requested, changes requested, approved, due tomorrow, overdue) go
-- through people's contact methods like pages.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('page', 'test', 'handoff', 'postmortem'));
