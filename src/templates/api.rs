//! Server functions for templates.

use super::{TemplateDetail, TemplateSummary};
use crate::domain::template::TemplateContent;
use crate::error::AppError;
use crate::requests::Saved;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::{
    auth::guard::{audit_if_refused, require},
    domain::Role,
    server::request_meta,
    state::AppState,
};

#[cfg(feature = "ssr")]
async fn door() -> Result<(AppState, crate::auth::CurrentUser), AppError> {
    let user = require(Role::Requester).await?;
    Ok((AppState::from_context()?, user))
}

/// The templates of my teams.
#[server(endpoint = "templates/list")]
pub async fn list_templates() -> Result<Vec<TemplateSummary>, AppError> {
    let (state, user) = door().await?;
    super::service::list(&state, &user).await
}

/// One template.
#[server(endpoint = "templates/get")]
pub async fn get_template(id: i64) -> Result<TemplateDetail, AppError> {
    let (state, user) = door().await?;
    super::service::get(&state, &user, id).await
}

/// Creates a template (approvers and admins of the team).
#[server(endpoint = "templates/create", input = Json)]
pub async fn create_template(
    team_id: i64,
    name: String,
    description: String,
    content: TemplateContent,
) -> Result<i64, AppError> {
    let (state, user) = door().await?;
    let result = super::service::create(
        &state,
        &user,
        &request_meta(),
        crate::domain::TeamId(team_id),
        &name,
        &description,
        content,
    )
    .await;
    audit_if_refused(&state, &user, result).await
}

/// Saves a new version based on `version`.
#[server(endpoint = "templates/update", input = Json)]
pub async fn update_template(
    id: i64,
    version: i64,
    description: String,
    content: TemplateContent,
) -> Result<i64, AppError> {
    let (state, user) = door().await?;
    let result = super::service::update(
        &state,
        &user,
        &request_meta(),
        id,
        version,
        &description,
        content,
    )
    .await;
    audit_if_refused(&state, &user, result).await
}

/// Archives a template.
#[server(endpoint = "templates/archive")]
pub async fn archive_template(id: i64) -> Result<(), AppError> {
    let (state, user) = door().await?;
    let result = super::service::archive(&state, &user, &request_meta(), id).await;
    audit_if_refused(&state, &user, result).await
}

/// The versions of a template, with the requests made from each.
#[server(endpoint = "templates/versions")]
pub async fn template_versions(id: i64) -> Result<Vec<super::TemplateVersion>, AppError> {
    let (state, user) = door().await?;
    super::service::versions(&state, &user, id).await
}

/// Differences between two versions of a template.
#[server(endpoint = "templates/diff")]
pub async fn diff_template_versions(
    id: i64,
    from: i64,
    to: i64,
) -> Result<Vec<crate::domain::register_image::FieldChange>, AppError> {
    let (state, user) = door().await?;
    super::service::diff(&state, &user, id, from, to).await
}

/// A template exported as JSON.
#[server(endpoint = "templates/export")]
pub async fn export_template(id: i64) -> Result<String, AppError> {
    let (state, user) = door().await?;
    super::service::export(&state, &user, id).await
}

/// A new template from exported JSON (approvers and admins of the team).
#[server(endpoint = "templates/import", input = Json)]
pub async fn import_template(team_id: i64, json: String) -> Result<i64, AppError> {
    let (state, user) = door().await?;
    let result = super::service::import(
        &state,
        &user,
        &request_meta(),
        crate::domain::TeamId(team_id),
        &json,
    )
    .await;
    audit_if_refused(&state, &user, result).await
}

/// A new draft from a template.
#[server(endpoint = "templates/new_request")]
pub async fn new_request_from_template(id: i64) -> Result<Saved, AppError> {
    let (state, user) = door().await?;
    super::service::new_request(&state, &user, &request_meta(), id).await
}
