//! Server functions of the audit history.

use super::{AuditEventView, AuditFilter, AuditPage};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// A page of events matching `filter`, newest first (approvers and admins).
#[server(endpoint = "audit/list", input = Json)]
pub async fn list_audit_events(filter: AuditFilter) -> Result<AuditPage, AppError> {
    use crate::{auth::guard::require, domain::Role, state::AppState};
    require(Role::Approver).await?;
    let state = AppState::from_context()?;
    Ok(super::query::page(&state.pool, &filter).await??)
}

/// Every event about one request, oldest first (anyone who may see the request).
#[server(endpoint = "audit/timeline")]
pub async fn request_timeline(id: i64) -> Result<Vec<AuditEventView>, AppError> {
    use crate::{auth::guard::require, domain::Role, state::AppState};
    let user = require(Role::Requester).await?;
    let state = AppState::from_context()?;
    crate::requests::service::get(&state, &user, crate::domain::RequestId(id)).await?;
    Ok(super::query::timeline(&state.pool, id).await?)
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
