-- Team-shared templates, versioned. A request records the template and version it started from.

CREATE TABLE templates (
    template_id     INTEGER PRIMARY KEY,
    team_id         INTEGER NOT NULL REFERENCES teams (team_id),
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    current_version INTEGER NOT NULL CHECK (current_version >= 1),
    next_seq        INTEGER NOT NULL DEFAULT 1,
    archived_at     TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (team_id, name)
);

CREATE TABLE template_versions (
    template_id INTEGER NOT NULL REFERENCES templates (template_id),
    version     INTEGER NOT NULL,
    content     TEXT NOT NULL,
    editor_id   INTEGER NOT NULL REFERENCES users (user_id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (template_id, version)
);
