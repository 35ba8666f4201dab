//! Server functions of the admin page; each is admin-only and audited.

use super::AdminData;
use crate::error::AppError;
use leptos::prelude::*;

/// Users and teams.
#[server(endpoint = "admin/overview")]
pub async fn admin_overview() -> Result<AdminData, AppError> {
    use crate::{auth::guard::require, domain::Role, state::AppState};
    require(Role::Admin).await?;
    let state = AppState::from_context()?;
    super::service::overview(&state.pool).await
}

/// Adds a user, optionally to a team (created when missing).
#[server(endpoint = "admin/create_user")]
pub async fn create_user(
    username: String,
    display_name: String,
    password: String,
    role: String,
    team: Option<String>,
) -> Result<(), AppError> {
    use crate::{auth::guard::require, domain::Role, server::request_meta, state::AppState};
    let admin = require(Role::Admin).await?;
    let state = AppState::from_context()?;
    let input = super::service::NewUser::parse(
        &username,
        &display_name,
        &password,
        &role,
        team.as_deref(),
    )?;
    super::service::create_user(&state, &admin.into(), &request_meta(), input).await?;
    Ok(())
}

/// Changes a user's role.
#[server(endpoint = "admin/set_role")]
pub async fn set_user_role(user_id: i64, role: String) -> Result<(), AppError> {
    use crate::{
        auth::guard::require,
        domain::{Role, UserId},
        server::request_meta,
        state::AppState,
    };
    let admin = require(Role::Admin).await?;
    let state = AppState::from_context()?;
    let role: Role = role
        .parse()
        .map_err(|e: String| AppError::invalid("role", e))?;
    super::service::set_role(&state, &admin, &request_meta(), UserId(user_id), role).await
}

/// Disables or re-enables a user; a disabled user's sessions stop working at once.
#[server(endpoint = "admin/set_disabled")]
pub async fn set_user_disabled(user_id: i64, disabled: bool) -> Result<(), AppError> {
    use crate::{
        auth::guard::require,
        domain::{Role, UserId},
        server::request_meta,
        state::AppState,
    };
    let admin = require(Role::Admin).await?;
    let state = AppState::from_context()?;
    super::service::set_disabled(&state, &admin, &request_meta(), UserId(user_id), disabled).await
}

/// Adds a team.
#[server(endpoint = "admin/create_team")]
pub async fn create_team(name: String, required_approvals: i64) -> Result<(), AppError> {
    use crate::{auth::guard::require, domain::Role, server::request_meta, state::AppState};
    let admin = require(Role::Admin).await?;
    let state = AppState::from_context()?;
    super::service::create_team(
        &state,
        &admin.into(),
        &request_meta(),
        &name,
        required_approvals,
    )
    .await?;
    Ok(())
}

/// Puts a user (by username) in a team.
#[server(endpoint = "admin/add_member")]
pub async fn add_team_member(team_id: i64, username: String) -> Result<(), AppError> {
    use crate::{
        auth::guard::require,
        domain::{Role, TeamId},
        server::request_meta,
        state::AppState,
    };
    let admin = require(Role::Admin).await?;
    let state = AppState::from_context()?;
    super::service::add_member(&state, &admin, &request_meta(), TeamId(team_id), &username).await
}

/// Takes a user out of a team.
#[server(endpoint = "admin/remove_member")]
pub async fn remove_team_member(team_id: i64, username: String) -> Result<(), AppError> {
    use crate::{
        auth::guard::require,
        domain::{Role, TeamId},
        server::request_meta,
        state::AppState,
    };
    let admin = require(Role::Admin).await?;
    let state = AppState::from_context()?;
    super::service::remove_member(&state, &admin, &request_meta(), TeamId(team_id), &username).await
}
