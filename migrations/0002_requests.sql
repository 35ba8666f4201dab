-- RegisterImage requests and their revisions.
-- `content` is the form as JSON (drafts may be incomplete); `content_hash` is the SHA-256 of
-- that JSON, to which approvals are bound.

CREATE TABLE requests (
    request_id        INTEGER PRIMARY KEY,
    team_id           INTEGER NOT NULL REFERENCES teams (team_id),
    author_id         INTEGER NOT NULL REFERENCES users (user_id),
    last_editor_id    INTEGER NOT NULL REFERENCES users (user_id),
    state             TEXT NOT NULL CHECK (state IN ('draft', 'pending', 'approved', 'registering',
                          'registered', 'failed', 'rejected', 'withdrawn')),
    region            TEXT NOT NULL,
    name              TEXT NOT NULL,
    revision          INTEGER NOT NULL CHECK (revision >= 1),
    content           TEXT NOT NULL,
    content_hash      TEXT NOT NULL,
    template_id       INTEGER,
    template_version  INTEGER,
    image_id          TEXT,
    image_state       TEXT,
    error_code        TEXT,
    error_message     TEXT,
    registering_since TEXT,
    deleted_at        TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX requests_by_team ON requests (team_id, updated_at, request_id);
CREATE INDEX requests_by_author ON requests (author_id, updated_at, request_id);
CREATE INDEX requests_by_state ON requests (state, updated_at, request_id);

CREATE TABLE request_revisions (
    request_id   INTEGER NOT NULL REFERENCES requests (request_id),
    revision     INTEGER NOT NULL,
    content      TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    editor_id    INTEGER NOT NULL REFERENCES users (user_id),
    created_at   TEXT NOT NULL,
    PRIMARY KEY (request_id, revision)
);
