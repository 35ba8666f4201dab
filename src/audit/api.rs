//! Server functions of the audit history.

use super::AuditEventView;
use crate::error::AppError;
use leptos::prelude::*;

/// The newest events, newest first, before `before_seq` when given (keyset pagination).
#[server(endpoint = "audit/list")]
pub async fn list_audit_events(before_seq: Option<i64>) -> Result<Vec<AuditEventView>, AppError> {
    use crate::{auth::guard::require, domain::Role, state::AppState};
    let _user = require(Role::Approver).await?;
    let state = AppState::from_context()?;
    Ok(super::store::list_events(&state.pool, before_seq, 50).await?)
}

/// Recomputes the hash chain (admins only).
#[server(endpoint = "audit/verify")]
pub async fn verify_audit_chain() -> Result<String, AppError> {
    use crate::{auth::guard::require, domain::Role, state::AppState};
    let _user = require(Role::Admin).await?;
    let state = AppState::from_context()?;
    let report = super::chain::verify(&state.pool).await?;
    Ok(report.to_string())
}
