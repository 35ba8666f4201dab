//! `/api/v1/audit` and `/api/v1/templates`: what pipelines and auditors read.

use super::{ApiError, Caller, Problem};
use crate::audit::{AuditFilter, AuditPage};
use crate::domain::Role;
use crate::state::AppState;
use crate::templates::TemplateSummary;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

/// The audit page's filters; empty means any.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct AuditQuery {
    /// Actor name (username, `system` or `anonymous`).
    actor: String,
    /// Action, e.g. `request.approve`.
    action: String,
    /// Request id.
    request: String,
    /// Team name.
    team: String,
    /// From this day or time (UTC, inclusive).
    from: String,
    /// Up to this day or time (UTC, inclusive).
    to: String,
    /// The `next_before` of the previous page.
    before: String,
}

/// A page of audit events, newest first (approvers and admins).
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery),
    responses(
        (status = 200, description = "One page of events.", body = AuditPage),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Requesters may not read the audit history.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter is malformed.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    caller.require(&state, Role::Approver).await?;
    let filter = AuditFilter {
        actor: q.actor,
        action: q.action,
        request: q.request,
        team: q.team,
        from: q.from,
        to: q.to,
        before: q.before,
    };
    let page = crate::audit::query::page(&state.pool, &filter)
        .await
        .map_err(|e| caller.fail(e.into()))?
        .map_err(|e| caller.fail(e.into()))?;
    Ok(Json(page))
}

/// The templates of the caller's teams.
#[utoipa::path(get, path = "/templates", tag = "templates",
    responses(
        (status = 200, description = "Templates, archived ones marked.", body = Vec<TemplateSummary>),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn templates(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<TemplateSummary>>, ApiError> {
    crate::templates::service::list(&state, &caller.user)
        .await
        .map(Json)
        .map_err(|e| caller.fail(e))
}
