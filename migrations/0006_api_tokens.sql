-- Personal access tokens for the automation API: shown once, stored only as a SHA-256 hash.

CREATE TABLE api_tokens (
    token_id     INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (user_id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    read_only    INTEGER NOT NULL DEFAULT 0 CHECK (read_only IN (0, 1)),
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

-- A live token's name is unique for its user; revoked names may be reused.
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (user_id, name) WHERE revoked_at IS NULL;
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
