//! Actions that span the rules (`service`) and the registration engine, called the same way
//! by the dashboard's server functions and the HTTP API, so no rule exists twice.

use super::Preflight;
use crate::audit::store::{record, AuditEntry};
use crate::auth::CurrentUser;
use crate::domain::RequestId;
use crate::error::AppError;
use crate::server::RequestMeta;
use crate::state::AppState;
use serde_json::json;

/// Approves the content with `content_hash`; when this was the last approval needed,
/// registration starts in the background. Returns whether the request is now approved.
pub async fn approve(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    id: RequestId,
    content_hash: &str,
    comment: &str,
) -> Result<bool, AppError> {
    let approved = super::service::approve(state, user, meta, id, content_hash, comment).await?;
    if approved {
        super::engine::spawn_register(state.clone(), id, meta.clone());
    }
    Ok(approved)
}

/// Tries a failed registration again (the engine looks the image up before calling).
pub async fn retry(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    id: RequestId,
) -> Result<(), AppError> {
    super::service::retry(state, user, meta, id).await?;
    super::engine::spawn_register(state.clone(), id, meta.clone());
    Ok(())
}

/// Live preflight evidence, with the EC2 calls it made recorded in the audit history.
pub async fn preflight(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    id: RequestId,
) -> Result<Preflight, AppError> {
    let preflight = super::service::preflight(state, user, id).await?;
    let checks: Vec<_> = preflight
        .checks
        .iter()
        .map(|c| json!({ "check": c.name, "ok": c.ok }))
        .collect();
    let entry = AuditEntry::new(user.clone().into(), "ec2.preflight")
        .subject("request", id.0)
        .details(json!({
            "operations": ["DescribeSnapshots", "DescribeImages", "RegisterImage(DryRun)"],
            "checks": checks,
        }));
    record(&state.pool, &entry, meta).await?;
    Ok(preflight)
}

/// The registered image's id and current state (asks EC2 while it is pending), for a user
/// who may see the request.
pub async fn image(
    state: &AppState,
    user: &CurrentUser,
    id: RequestId,
) -> Result<(Option<String>, Option<String>), AppError> {
    let detail = crate::requests::service::get(state, user, id).await?;
    let image_state = super::engine::refresh_image(state, id).await?;
    Ok((detail.image_id, image_state))
}
