//! The audit history: every change, sign-in and refusal, append-only and hash-chained.

use crate::domain::UserId;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod chain;
#[cfg(feature = "ssr")]
pub mod store;
pub mod views;

mod api;
pub use api::*;

/// Who did something: a user, or the service itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The user, when there is one.
    pub id: Option<UserId>,
    /// The user's name, or `system` / `anonymous`.
    pub name: String,
}

impl Actor {
    /// The service acting on its own (start-up, reconciliation, command line).
    pub fn system() -> Self {
        Self {
            id: None,
            name: "system".into(),
        }
    }

    /// Someone who is not signed in.
    pub fn anonymous() -> Self {
        Self {
            id: None,
            name: "anonymous".into(),
        }
    }

    /// A signed-in user.
    pub fn user(id: UserId, name: &str) -> Self {
        Self {
            id: Some(id),
            name: name.to_string(),
        }
    }
}

/// One audit event as shown on the audit page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AuditEventView {
    /// Position in the chain.
    pub seq: i64,
    /// When it happened (RFC 3339 UTC).
    pub at: String,
    /// Who did it.
    pub actor_name: String,
    /// What was done, e.g. `auth.sign_in`.
    pub action: String,
    /// What it was done to, e.g. `user:3`.
    pub subject: Option<String>,
    /// Details as JSON text.
    pub details: String,
    /// Where the request came from.
    pub client_addr: Option<String>,
    /// The request's correlation id.
    pub correlation_id: Option<String>,
}
