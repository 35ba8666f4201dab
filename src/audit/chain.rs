//! The hash chain: `hash = SHA-256(prev_hash ‖ canonical JSON of the event)`, where the
//! canonical JSON has sorted keys and no spaces and the first `prev_hash` is 64 zeros.

use futures::TryStreamExt;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::SqlitePool;
use std::fmt;

/// The `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The stored fields of one event, in the form that is hashed.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ChainedEvent {
    /// Position in the chain.
    pub seq: i64,
    /// Time (RFC 3339 UTC).
    pub at: String,
    /// Acting user id.
    pub actor_id: Option<i64>,
    /// Acting user name.
    pub actor_name: String,
    /// Action name.
    pub action: String,
    /// Subject kind.
    pub subject_type: Option<String>,
    /// Subject id.
    pub subject_id: Option<String>,
    /// Owning team.
    pub team_id: Option<i64>,
    /// Details as JSON text.
    pub details: String,
    /// Client address.
    pub client_addr: Option<String>,
    /// Correlation id.
    pub correlation_id: Option<String>,
    /// Hash of the event before.
    pub prev_hash: String,
}

impl ChainedEvent {
    /// The canonical JSON: sorted keys, no spaces (serde_json's map is ordered).
    pub fn canonical_json(&self) -> String {
        let details: Value =
            serde_json::from_str(&self.details).unwrap_or(Value::String(self.details.clone()));
        json!({
            "seq": self.seq,
            "at": self.at,
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "action": self.action,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "team_id": self.team_id,
            "details": details,
            "client_addr": self.client_addr,
            "correlation_id": self.correlation_id,
            "prev_hash": self.prev_hash,
        })
        .to_string()
    }

    /// This event's hash.
    pub fn hash(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.prev_hash.as_bytes());
        hasher.update(self.canonical_json().as_bytes());
        hex::encode(hasher.finalize())
    }
}

/// An event as stored: its fields and the hash recorded for them.
#[derive(sqlx::FromRow)]
struct StoredEvent {
    #[sqlx(flatten)]
    event: ChainedEvent,
    hash: String,
}

/// The outcome of walking the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyReport {
    /// Every event matched.
    Intact {
        /// How many events were checked.
        checked: u64,
        /// The last event's hash (or the genesis hash when empty).
        head: String,
    },
    /// The first event that does not match.
    Broken {
        /// How many events matched before it.
        checked: u64,
        /// Its sequence number.
        seq: i64,
        /// Why it does not match.
        reason: String,
    },
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyReport::Intact { checked, head } => {
                write!(
                    f,
                    "audit chain intact: {checked} events checked, head {head}"
                )
            }
            VerifyReport::Broken {
                checked,
                seq,
                reason,
            } => write!(
                f,
                "audit chain broken at event {seq}: {reason} ({checked} events before it matched)"
            ),
        }
    }
}

/// Walks the whole chain from the first event, streaming rows (constant memory).
pub async fn verify(pool: &SqlitePool) -> Result<VerifyReport, sqlx::Error> {
    let mut rows = sqlx::query_as::<_, StoredEvent>(
        "SELECT seq, at, actor_id, actor_name, action, subject_type, subject_id, team_id, details, \
         client_addr, correlation_id, prev_hash, hash FROM audit_events ORDER BY seq",
    )
    .fetch(pool);
    let mut expected_prev = GENESIS_HASH.to_string();
    let mut checked = 0u64;
    while let Some(StoredEvent {
        event,
        hash: stored_hash,
    }) = rows.try_next().await?
    {
        if event.prev_hash != expected_prev {
            return Ok(broken(
                checked,
                event.seq,
                "its prev_hash does not match the event before it",
            ));
        }
        if event.hash() != stored_hash {
            return Ok(broken(
                checked,
                event.seq,
                "its content does not match its hash",
            ));
        }
        expected_prev = stored_hash;
        checked += 1;
    }
    Ok(VerifyReport::Intact {
        checked,
        head: expected_prev,
    })
}

fn broken(checked: u64, seq: i64, reason: &str) -> VerifyReport {
    VerifyReport::Broken {
        checked,
        seq,
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> ChainedEvent {
        ChainedEvent {
            seq: 1,
            at: "2026-01-01T00:00:00.000Z".into(),
            actor_id: Some(1),
            actor_name: "admin".into(),
            action: "auth.sign_in".into(),
            subject_type: None,
            subject_id: None,
            team_id: None,
            details: r#"{"b":1,"a":2}"#.into(),
            client_addr: None,
            correlation_id: None,
            prev_hash: GENESIS_HASH.into(),
        }
    }

    #[test]
    fn canonical_json_sorts_keys_and_has_no_spaces() {
        let json = event().canonical_json();
        assert!(json.starts_with(r#"{"action":"auth.sign_in","actor_id":1"#));
        assert!(json.contains(r#""details":{"a":2,"b":1}"#));
        assert!(!json.contains(' '));
    }

    #[test]
    fn any_changed_field_changes_the_hash() {
        let original = event().hash();
        let mut edited = event();
        edited.actor_name = "mallory".into();
        assert_ne!(edited.hash(), original);
        assert_eq!(original.len(), 64);
    }
}
