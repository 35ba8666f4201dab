//! The audit history: every change, sign-in and refusal, append-only and hash-chained.

use crate::domain::UserId;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod bench;
#[cfg(feature = "ssr")]
pub mod chain;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod query;
#[cfg(feature = "ssr")]
pub mod refusals;
#[cfg(feature = "ssr")]
pub mod seed;
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

/// Filters of the audit page, the API and the export; empty strings mean "any".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditFilter {
    /// Actor name (username, `system` or `anonymous`).
    pub actor: String,
    /// Action, e.g. `request.approve`.
    pub action: String,
    /// Request id.
    pub request: String,
    /// Team name.
    pub team: String,
    /// From this day or time (UTC, inclusive).
    pub from: String,
    /// Up to this day or time (UTC, inclusive).
    pub to: String,
    /// Events before this sequence number (the next page's cursor).
    pub before: String,
}

/// One page of events.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditPage {
    /// Newest first.
    pub rows: Vec<AuditEventView>,
    /// The `before` of the next page, if there is one.
    pub next_before: Option<i64>,
}

/// One audit event as shown on the audit page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
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
    /// The owning team's id.
    pub team_id: Option<i64>,
    /// Where the request came from.
    pub client_addr: Option<String>,
    /// The request's correlation id.
    pub correlation_id: Option<String>,
}
