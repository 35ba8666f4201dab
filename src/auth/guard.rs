//! The one guard: every server function, API handler and page asks it who is calling and
//! whether their role allows the action. Refusals are audited.

use super::{session::UserCache, CurrentUser};
use crate::audit::{store::record, store::AuditEntry, Actor};
use crate::domain::Role;
use crate::error::AppError;
use crate::server::{request_extension, request_meta, RequestMeta};
use crate::state::AppState;
use serde_json::json;
use tower_sessions::Session;

/// The session key under which the signed-in user is stored.
pub const SESSION_KEY: &str = "auth";

/// The session of the request being handled.
pub fn current_session() -> Result<Session, AppError> {
    request_extension::<Session>().ok_or_else(|| {
        AppError::internal(
            "Your session could not be read.",
            "no session in the request (is the session layer in place?)",
        )
    })
}

/// Refuses a user whose role is below `needed`.
pub fn authorize(user: CurrentUser, needed: Role) -> Result<CurrentUser, AppError> {
    if user.role.allows(needed) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// For server functions: the signed-in user if their role is at least `needed`;
/// otherwise 401 or 403, recorded in the audit history.
pub async fn require(needed: Role) -> Result<CurrentUser, AppError> {
    let state = AppState::from_context()?;
    let session = current_session()?;
    let meta = request_meta();
    let result = signed_in(&state, &session).await;
    let result = result.and_then(|user| authorize(user, needed));
    if let Err(err) = &result {
        audit_refusal(&state, &meta, err, needed, None).await;
    }
    result
}

/// The signed-in user of the request being handled (looked up once per request).
pub async fn signed_in(state: &AppState, session: &Session) -> Result<CurrentUser, AppError> {
    request_extension::<UserCache>()
        .unwrap_or_default()
        .user(state, session)
        .await
}

/// Passes `result` through, recording a rule refusal (403) in the audit history.
pub async fn audit_if_refused<T>(
    state: &AppState,
    user: &CurrentUser,
    result: Result<T, AppError>,
) -> Result<T, AppError> {
    audit_rule_refusal(state, user, &request_meta(), result).await
}

/// [`audit_if_refused`] for callers that hold the request's meta (the HTTP API).
pub async fn audit_rule_refusal<T>(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    result: Result<T, AppError>,
) -> Result<T, AppError> {
    if let Err(err @ (AppError::Forbidden | AppError::Refused { .. })) = &result {
        if crate::audit::refusals::already_audited() {
            return result;
        }
        let reason = err.to_string();
        let entry = AuditEntry::new(user.clone().into(), "access.refused")
            .details(json!({ "status": 403, "path": meta.path, "reason": reason }));
        if let Err(e) = record(&state.pool, &entry, meta).await {
            tracing::error!(error = %e, "could not audit a refusal");
        }
    }
    result
}

/// Records a 401 or 403 (other errors are not refusals).
pub async fn audit_refusal(
    state: &AppState,
    meta: &RequestMeta,
    err: &AppError,
    needed: Role,
    user: Option<&CurrentUser>,
) {
    let status = match err {
        AppError::Unauthorized => 401,
        AppError::Forbidden => 403,
        _ => return,
    };
    if crate::audit::refusals::already_audited() {
        return;
    }
    let actor = user.map_or_else(Actor::anonymous, |u| u.clone().into());
    let entry = AuditEntry::new(actor, "access.refused").details(json!({
        "status": status,
        "path": meta.path,
        "needed_role": needed.as_str(),
    }));
    if let Err(e) = record(&state.pool, &entry, meta).await {
        tracing::error!(correlation_id = %meta.correlation_id, error = %e, "could not audit a refusal");
    }
}

/// Notes that `user` asked for a `kind` owned by a team they are not in. The caller answers
/// 404 as if it did not exist; the refusal is audited once the request's work has ended.
pub fn note_hidden(user: &CurrentUser, kind: &'static str, id: i64) {
    let entry = AuditEntry::new(user.clone().into(), "access.refused")
        .subject(kind, id)
        .details(json!({ "status": 404, "reason": "owned by a team the caller is not in" }));
    crate::audit::refusals::note_hidden(entry);
}
