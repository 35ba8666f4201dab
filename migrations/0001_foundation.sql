-- Foundation: people, teams and the append-only audit history.
-- Times are fixed-width RFC 3339 UTC text (sorts as text); JSON is stored as text.

CREATE TABLE users (
    user_id       INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('requester', 'approver', 'admin')),
    disabled_at   TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE teams (
    team_id            INTEGER PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE,
    required_approvals INTEGER NOT NULL DEFAULT 1 CHECK (required_approvals BETWEEN 1 AND 10),
    created_at         TEXT NOT NULL
);

CREATE TABLE team_members (
    team_id INTEGER NOT NULL REFERENCES teams (team_id),
    user_id INTEGER NOT NULL REFERENCES users (user_id),
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_by_user ON team_members (user_id);

-- Every event links to the one before it: hash = SHA-256(prev_hash || canonical JSON).
CREATE TABLE audit_events (
    seq            INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    actor_id       INTEGER,
    actor_name     TEXT NOT NULL,
    action         TEXT NOT NULL,
    subject_type   TEXT,
    subject_id     TEXT,
    team_id        INTEGER,
    details        TEXT NOT NULL,
    client_addr    TEXT,
    correlation_id TEXT,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX audit_events_by_actor ON audit_events (actor_id, seq);
CREATE INDEX audit_events_by_action ON audit_events (action, seq);
CREATE INDEX audit_events_by_subject ON audit_events (subject_type, subject_id, seq);
CREATE INDEX audit_events_by_team ON audit_events (team_id, seq);

CREATE TRIGGER audit_events_refuse_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TRIGGER audit_events_refuse_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
