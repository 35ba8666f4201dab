//! Server functions of the workflow: thin doors to `service` and `engine`.

use super::{Preflight, WorkflowView};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    auth::guard::{audit_if_refused, require},
    domain::{RequestId, Role},
    server::request_meta,
    state::AppState,
};

#[cfg(feature = "ssr")]
async fn door(role: Role) -> Result<(AppState, crate::auth::CurrentUser), AppError> {
    let user = require(role).await?;
    Ok((AppState::from_context()?, user))
}

/// Where the request stands and what the viewer may do.
#[server(endpoint = "workflow/view")]
pub async fn get_workflow(id: i64) -> Result<WorkflowView, AppError> {
    let (state, user) = door(Role::Requester).await?;
    super::service::view(&state, &user, RequestId(id)).await
}

/// Submits the request at `revision` for approval.
#[server(endpoint = "workflow/submit")]
pub async fn submit_request(id: i64, revision: i64) -> Result<(), AppError> {
    let (state, user) = door(Role::Requester).await?;
    let result =
        super::service::submit(&state, &user, &request_meta(), RequestId(id), revision).await;
    audit_if_refused(&state, &user, result).await
}

/// Approves the content with `content_hash`; registration starts when enough approvals are in.
#[server(endpoint = "workflow/approve")]
pub async fn approve_request(
    id: i64,
    content_hash: String,
    comment: String,
) -> Result<bool, AppError> {
    let (state, user) = door(Role::Approver).await?;
    let meta = request_meta();
    let result =
        super::actions::approve(&state, &user, &meta, RequestId(id), &content_hash, &comment).await;
    audit_if_refused(&state, &user, result).await
}

/// Sends the request back to its author.
#[server(endpoint = "workflow/reject")]
pub async fn reject_request(
    id: i64,
    content_hash: String,
    comment: String,
) -> Result<(), AppError> {
    let (state, user) = door(Role::Approver).await?;
    let result = super::service::reject(
        &state,
        &user,
        &request_meta(),
        RequestId(id),
        &content_hash,
        &comment,
    )
    .await;
    audit_if_refused(&state, &user, result).await
}

/// Withdraws the request (author).
#[server(endpoint = "workflow/withdraw")]
pub async fn withdraw_request(id: i64) -> Result<(), AppError> {
    let (state, user) = door(Role::Requester).await?;
    let result = super::service::withdraw(&state, &user, &request_meta(), RequestId(id)).await;
    audit_if_refused(&state, &user, result).await
}

/// Reopens a failed, rejected or withdrawn request as a draft (author).
#[server(endpoint = "workflow/reopen")]
pub async fn reopen_request(id: i64) -> Result<(), AppError> {
    let (state, user) = door(Role::Requester).await?;
    let result = super::service::reopen(&state, &user, &request_meta(), RequestId(id)).await;
    audit_if_refused(&state, &user, result).await
}

/// Tries a failed registration again (it looks the image up before calling RegisterImage).
#[server(endpoint = "workflow/retry")]
pub async fn retry_registration(id: i64) -> Result<(), AppError> {
    let (state, user) = door(Role::Requester).await?;
    let result = super::actions::retry(&state, &user, &request_meta(), RequestId(id)).await;
    audit_if_refused(&state, &user, result).await
}

/// Live preflight evidence for approvers.
#[server(endpoint = "workflow/preflight")]
pub async fn preflight_request(id: i64) -> Result<Preflight, AppError> {
    let (state, user) = door(Role::Approver).await?;
    super::actions::preflight(&state, &user, &request_meta(), RequestId(id)).await
}

/// The registered image's current state (asks EC2 while it is pending).
#[server(endpoint = "workflow/image")]
pub async fn image_status(id: i64) -> Result<Option<String>, AppError> {
    let (state, user) = door(Role::Requester).await?;
    let (_, image_state) = super::actions::image(&state, &user, RequestId(id)).await?;
    Ok(image_state)
}
