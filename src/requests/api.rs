//! Server functions for requests: thin doors to `service`.

use super::{
    DryRunVerdict, EditorOptions, ListFilter, RequestDetail, RequestPage, RevisionInfo, Saved,
};
use crate::domain::register_image::{FieldChange, RegisterImageForm};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::{auth::guard::require, domain::Role, server::request_meta, state::AppState};

#[cfg(feature = "ssr")]
async fn door() -> Result<(AppState, crate::auth::CurrentUser), AppError> {
    let user = require(Role::Requester).await?;
    Ok((AppState::from_context()?, user))
}

/// The Regions and teams the editor offers.
#[server(endpoint = "requests/options")]
pub async fn get_editor_options() -> Result<EditorOptions, AppError> {
    let (state, user) = door().await?;
    Ok(super::service::editor_options(&state, &user))
}

/// Creates a draft.
#[server(endpoint = "requests/create", input = Json)]
pub async fn create_request(team_id: i64, form: RegisterImageForm) -> Result<Saved, AppError> {
    let (state, user) = door().await?;
    super::service::create(
        &state,
        &user,
        &request_meta(),
        crate::domain::TeamId(team_id),
        form,
        "form",
    )
    .await
}

/// Saves a new revision based on `revision`; refused with a conflict if someone saved since.
#[server(endpoint = "requests/save", input = Json)]
pub async fn save_request(
    id: i64,
    revision: i64,
    form: RegisterImageForm,
) -> Result<Saved, AppError> {
    let (state, user) = door().await?;
    super::service::save(
        &state,
        &user,
        &request_meta(),
        crate::domain::RequestId(id),
        revision,
        form,
    )
    .await
}

/// One request.
#[server(endpoint = "requests/get")]
pub async fn get_request(id: i64) -> Result<RequestDetail, AppError> {
    let (state, user) = door().await?;
    super::service::get(&state, &user, crate::domain::RequestId(id)).await
}

/// A page of requests.
#[server(endpoint = "requests/list", input = Json)]
pub async fn list_requests(filter: ListFilter) -> Result<RequestPage, AppError> {
    let (state, user) = door().await?;
    if let Some(page) = super::prefetch::take(&filter) {
        return page;
    }
    super::service::list(&state, &user, &filter).await
}

/// The revision history of a request.
#[server(endpoint = "requests/revisions")]
pub async fn request_revisions(id: i64) -> Result<Vec<RevisionInfo>, AppError> {
    let (state, user) = door().await?;
    super::service::revisions(&state, &user, crate::domain::RequestId(id)).await
}

/// Field differences between two revisions.
#[server(endpoint = "requests/diff")]
pub async fn diff_revisions(id: i64, from: i64, to: i64) -> Result<Vec<FieldChange>, AppError> {
    let (state, user) = door().await?;
    super::service::diff(&state, &user, crate::domain::RequestId(id), from, to).await
}

/// A new draft with the same content.
#[server(endpoint = "requests/duplicate")]
pub async fn duplicate_request(id: i64) -> Result<Saved, AppError> {
    let (state, user) = door().await?;
    super::service::duplicate(&state, &user, &request_meta(), crate::domain::RequestId(id)).await
}

/// Deletes a draft (softly, audited).
#[server(endpoint = "requests/delete")]
pub async fn delete_request(id: i64) -> Result<(), AppError> {
    let (state, user) = door().await?;
    super::service::delete(&state, &user, &request_meta(), crate::domain::RequestId(id)).await
}

/// A new draft from `aws ec2 register-image --cli-input-json` JSON.
#[server(endpoint = "requests/import", input = Json)]
pub async fn import_request(team_id: i64, region: String, json: String) -> Result<Saved, AppError> {
    let (state, user) = door().await?;
    super::service::import(
        &state,
        &user,
        &request_meta(),
        crate::domain::TeamId(team_id),
        &region,
        &json,
    )
    .await
}

/// Sends the saved request to EC2 with `DryRun=true`.
#[server(endpoint = "requests/dry_run")]
pub async fn dry_run_request(id: i64) -> Result<DryRunVerdict, AppError> {
    let (state, user) = door().await?;
    super::service::dry_run(&state, &user, &request_meta(), crate::domain::RequestId(id)).await
}
