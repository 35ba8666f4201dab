//! Server functions for the profile page's tokens.

use super::{NewToken, TokenInfo};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn door() -> Result<(crate::state::AppState, crate::auth::CurrentUser), AppError> {
    let user = crate::auth::guard::require(crate::domain::Role::Requester).await?;
    Ok((crate::state::AppState::from_context()?, user))
}

/// My tokens.
#[server(endpoint = "tokens/list")]
pub async fn list_tokens() -> Result<Vec<TokenInfo>, AppError> {
    let (state, user) = door().await?;
    super::service::list(&state, &user).await
}

/// Creates a token; its secret is in the answer and nowhere else.
#[server(endpoint = "tokens/create")]
pub async fn create_token(name: String, read_only: bool) -> Result<NewToken, AppError> {
    let (state, user) = door().await?;
    let meta = crate::server::request_meta();
    super::service::create(&state, &user, &meta, &name, read_only).await
}

/// Revokes one of my tokens.
#[server(endpoint = "tokens/revoke")]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    let (state, user) = door().await?;
    let meta = crate::server::request_meta();
    super::service::revoke(&state, &user, &meta, id).await
}
