-- Indexes for the audit page's filters: newest first within each filter (keyset on seq).
CREATE INDEX audit_events_by_actor_name ON audit_events (actor_name, seq);
CREATE INDEX audit_events_by_at ON audit_events (at);
DROP INDEX audit_events_by_actor;
