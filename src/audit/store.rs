//! SQL for the audit history. Events are only ever inserted, inside the caller's
//! transaction, so that a change and its record commit or fail together.

use super::chain::{ChainedEvent, GENESIS_HASH};
use super::Actor;
use crate::domain::TeamId;
use crate::server::RequestMeta;
use sqlx::{SqliteConnection, SqlitePool};

/// What happened, to be recorded.
#[derive(Clone, Debug)]
pub struct AuditEntry {
    /// Who did it.
    pub actor: Actor,
    /// What was done, `feature.verb` (e.g. `user.create`).
    pub action: &'static str,
    /// What it was done to: kind and id.
    pub subject: Option<(&'static str, String)>,
    /// The team that owns the subject.
    pub team_id: Option<TeamId>,
    /// Details; never secrets.
    pub details: serde_json::Value,
}

impl AuditEntry {
    /// An entry with no subject, team or details.
    pub fn new(actor: Actor, action: &'static str) -> Self {
        Self {
            actor,
            action,
            subject: None,
            team_id: None,
            details: serde_json::json!({}),
        }
    }

    /// Names the subject.
    pub fn subject(mut self, kind: &'static str, id: impl ToString) -> Self {
        self.subject = Some((kind, id.to_string()));
        self
    }

    /// Sets the details.
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }

    /// Sets the owning team.
    pub fn team(mut self, team_id: TeamId) -> Self {
        self.team_id = Some(team_id);
        self
    }
}

/// Appends one event to the chain. Call inside a write transaction (`BEGIN IMMEDIATE`),
/// which serialises writers so that `prev_hash` is always the current head.
pub async fn insert_audit_event(
    conn: &mut SqliteConnection,
    entry: &AuditEntry,
    meta: &RequestMeta,
) -> Result<i64, sqlx::Error> {
    if super::refusals::is_refusal(entry.action) {
        super::refusals::mark_audited();
    }
    let head: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let (seq, prev_hash) = match head {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_string()),
    };
    let event = ChainedEvent {
        seq,
        at: crate::db::now_text(),
        actor_id: entry.actor.id.map(|id| id.0),
        actor_name: entry.actor.name.clone(),
        action: entry.action.to_string(),
        subject_type: entry.subject.as_ref().map(|(kind, _)| kind.to_string()),
        subject_id: entry.subject.as_ref().map(|(_, id)| id.clone()),
        team_id: entry.team_id.map(|t| t.0),
        details: entry.details.to_string(),
        client_addr: meta.client_addr.clone(),
        correlation_id: Some(meta.correlation_id.clone()),
        prev_hash,
    };
    insert_chained(conn, &event).await?;
    Ok(seq)
}

/// Writes a fully formed event with its hash (the one INSERT into the chain).
pub async fn insert_chained(
    conn: &mut SqliteConnection,
    event: &ChainedEvent,
) -> Result<String, sqlx::Error> {
    let hash = event.hash();
    sqlx::query(
        "INSERT INTO audit_events (seq, at, actor_id, actor_name, action, subject_type, subject_id, \
         team_id, details, client_addr, correlation_id, prev_hash, hash) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(event.seq)
    .bind(&event.at)
    .bind(event.actor_id)
    .bind(&event.actor_name)
    .bind(&event.action)
    .bind(&event.subject_type)
    .bind(&event.subject_id)
    .bind(event.team_id)
    .bind(&event.details)
    .bind(&event.client_addr)
    .bind(&event.correlation_id)
    .bind(&event.prev_hash)
    .bind(&hash)
    .execute(conn)
    .await?;
    Ok(hash)
}

/// Records an event that accompanies no other change (a sign-in, a refusal) in a
/// transaction of its own.
pub async fn record(
    pool: &SqlitePool,
    entry: &AuditEntry,
    meta: &RequestMeta,
) -> Result<i64, sqlx::Error> {
    let mut tx = crate::db::begin_write(pool).await?;
    let seq = insert_audit_event(&mut tx, entry, meta).await?;
    tx.commit().await?;
    Ok(seq)
}
