//! SQL for the audit history. Events are only ever inserted, inside the caller's
//! transaction, so that a change and its record commit or fail together.

use super::chain::{ChainedEvent, GENESIS_HASH};
use super::Actor;
use crate::domain::TeamId;
use crate::server::RequestMeta;
use sqlx::{SqliteConnection, SqlitePool};
use std::sync::Mutex;

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

/// The chain's last event, as this process last wrote it: a hint that saves reading the
/// head before each write. It is never trusted: [`insert_after`] writes only when the hint
/// is still the table's last event, so a stale hint (another process wrote, a transaction
/// rolled back, another database) costs one extra read, never a broken chain.
static HEAD_HINT: Mutex<Option<Head>> = Mutex::new(None);

/// An event's position and hash: what the next event chains to.
#[derive(Clone, Debug)]
pub struct Head {
    /// The event's sequence number (0 before the first event).
    pub seq: i64,
    /// Its hash ([`GENESIS_HASH`] before the first event).
    pub hash: String,
}

impl Head {
    fn genesis() -> Self {
        Self {
            seq: 0,
            hash: GENESIS_HASH.to_string(),
        }
    }
}

fn hinted_head() -> Option<Head> {
    HEAD_HINT.lock().ok().and_then(|hint| hint.clone())
}

/// Forgets the remembered head, so that the next append reads the head first (as every
/// append did before the hint existed). For `amidesk audit bench`'s comparison.
pub fn forget_head() {
    if let Ok(mut hint) = HEAD_HINT.lock() {
        *hint = None;
    }
}

fn remember_head(head: Head) {
    if let Ok(mut hint) = HEAD_HINT.lock() {
        *hint = Some(head);
    }
}

/// The chain's last event as the table has it now.
pub async fn read_head(conn: &mut SqliteConnection) -> Result<Head, sqlx::Error> {
    let head: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_optional(conn)
            .await?;
    Ok(head.map_or_else(Head::genesis, |(seq, hash)| Head { seq, hash }))
}

/// The event `entry` becomes when chained after `head`.
fn chained(entry: &AuditEntry, meta: &RequestMeta, head: &Head) -> ChainedEvent {
    ChainedEvent {
        seq: head.seq + 1,
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
        prev_hash: head.hash.clone(),
    }
}

/// Appends one event to the chain. Call inside a write transaction (`BEGIN IMMEDIATE`),
/// which serialises writers, so that once the head has been read the insert cannot miss.
pub async fn insert_audit_event(
    conn: &mut SqliteConnection,
    entry: &AuditEntry,
    meta: &RequestMeta,
) -> Result<i64, sqlx::Error> {
    note_refusal(entry);
    if let Some(head) = hinted_head() {
        if let Some(seq) = try_append(conn, entry, meta, &head).await? {
            return Ok(seq);
        }
    }
    let head = read_head(&mut *conn).await?;
    try_append(conn, entry, meta, &head).await?.ok_or_else(|| {
        sqlx::Error::Protocol("the audit chain moved inside a write transaction".into())
    })
}

/// Tells the refusal safety net that this request's refusal is recorded.
fn note_refusal(entry: &AuditEntry) {
    if super::refusals::is_refusal(entry.action) {
        super::refusals::mark_audited();
    }
}

/// Chains `entry` after `head` and writes it when `head` is still the last event.
async fn try_append(
    conn: &mut SqliteConnection,
    entry: &AuditEntry,
    meta: &RequestMeta,
    head: &Head,
) -> Result<Option<i64>, sqlx::Error> {
    let event = chained(entry, meta, head);
    let hash = event.hash();
    if !insert_after(conn, &event, &hash).await? {
        return Ok(None);
    }
    remember_head(Head {
        seq: event.seq,
        hash,
    });
    Ok(Some(event.seq))
}

/// Writes `event` only when the event it chains to is the table's last (one statement,
/// so it is atomic on its own). Whether it was written.
async fn insert_after(
    conn: &mut SqliteConnection,
    event: &ChainedEvent,
    hash: &str,
) -> Result<bool, sqlx::Error> {
    // The event before is found by its number; before the first event there is none, and
    // the chain starts from GENESIS_HASH (?14). Portable SQL: no `IS` between values.
    let done = sqlx::query(
        "INSERT INTO audit_events (seq, at, actor_id, actor_name, action, subject_type, subject_id, \
         team_id, details, client_addr, correlation_id, prev_hash, hash) \
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13 \
         WHERE NOT EXISTS (SELECT 1 FROM audit_events WHERE seq >= ?1) \
         AND COALESCE((SELECT hash FROM audit_events WHERE seq = ?1 - 1), ?14) = ?12",
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
    .bind(hash)
    .bind(GENESIS_HASH)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Writes a fully formed event (the seeder's), checked like every append: it must chain to
/// the table's last event. Its hash.
pub async fn insert_chained(
    conn: &mut SqliteConnection,
    event: &ChainedEvent,
) -> Result<String, sqlx::Error> {
    let hash = event.hash();
    if !insert_after(conn, event, &hash).await? {
        return Err(sqlx::Error::Protocol(
            "the event does not chain to the audit table's last event".into(),
        ));
    }
    Ok(hash)
}

/// Records an event that accompanies no other change (a sign-in, a refusal) in a
/// transaction of its own.
pub async fn record(
    pool: &SqlitePool,
    entry: &AuditEntry,
    meta: &RequestMeta,
) -> Result<i64, sqlx::Error> {
    if let Some(head) = hinted_head() {
        // One statement, committed on its own: one round trip to the database when the
        // hint is right (a write statement takes the write lock before it reads).
        let mut conn = pool.acquire().await?;
        if let Some(seq) = try_append(&mut conn, entry, meta, &head).await? {
            note_refusal(entry);
            return Ok(seq);
        }
    }
    let mut tx = crate::db::begin_write(pool).await?;
    let seq = insert_audit_event(&mut tx, entry, meta).await?;
    tx.commit().await?;
    Ok(seq)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::chain::{verify, VerifyReport};

    async fn pool() -> (tempfile::TempDir, SqlitePool) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("audit.db").display());
        (dir, crate::db::connect(&url).await.unwrap())
    }

    async fn write(pool: &SqlitePool, n: i64) -> i64 {
        let entry =
            AuditEntry::new(Actor::system(), "test.write").details(serde_json::json!({ "n": n }));
        record(pool, &entry, &RequestMeta::detached())
            .await
            .unwrap()
    }

    async fn assert_intact(pool: &SqlitePool, events: u64) {
        match verify(pool).await.unwrap() {
            VerifyReport::Intact { checked, .. } => assert_eq!(checked, events),
            broken => panic!("chain broken: {broken:?}"),
        }
    }

    #[tokio::test]
    async fn the_first_event_chains_to_genesis_whatever_the_hint_says() {
        let (_a, other) = pool().await;
        write(&other, 1).await;
        write(&other, 2).await;
        let (_b, pool) = pool().await;
        assert_eq!(write(&pool, 1).await, 1);
        assert_intact(&pool, 1).await;
    }

    #[tokio::test]
    async fn an_event_rolled_back_leaves_no_gap_in_the_chain() {
        let (_dir, pool) = pool().await;
        write(&pool, 1).await;
        let mut tx = crate::db::begin_write(&pool).await.unwrap();
        let entry = AuditEntry::new(Actor::system(), "test.rolled_back");
        insert_audit_event(&mut tx, &entry, &RequestMeta::detached())
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(write(&pool, 2).await, 2);
        assert_intact(&pool, 2).await;
    }

    #[tokio::test]
    async fn events_another_writer_added_are_chained_after() {
        let (_dir, pool) = pool().await;
        write(&pool, 1).await;
        crate::audit::seed::seed(&pool, 5).await.unwrap();
        assert_eq!(write(&pool, 2).await, 7);
        assert_intact(&pool, 7).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writers_form_one_unbroken_chain() {
        let (_dir, pool) = pool().await;
        let writers: Vec<_> = (0..40)
            .map(|n| {
                let pool = pool.clone();
                tokio::spawn(async move { write(&pool, n).await })
            })
            .collect();
        let mut seqs = Vec::new();
        for writer in writers {
            seqs.push(writer.await.unwrap());
        }
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=40).collect::<Vec<_>>());
        assert_intact(&pool, 40).await;
    }
}
