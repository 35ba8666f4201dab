-- Approvals, bound to the exact content they saw. An edit voids them (voided_at); a person
-- approves a given content once (unique index).

CREATE TABLE approvals (
    approval_id  INTEGER PRIMARY KEY,
    request_id   INTEGER NOT NULL REFERENCES requests (request_id),
    content_hash TEXT NOT NULL,
    approver_id  INTEGER NOT NULL REFERENCES users (user_id),
    decision     TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
    comment      TEXT NOT NULL,
    voided_at    TEXT,
    created_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX approvals_once_per_content ON approvals (request_id, content_hash, approver_id)
    WHERE voided_at IS NULL;
CREATE INDEX approvals_by_request ON approvals (request_id, created_at);

-- Registration bookkeeping.
ALTER TABLE requests ADD COLUMN aws_request_id TEXT;
ALTER TABLE requests ADD COLUMN register_attempts INTEGER NOT NULL DEFAULT 0;
