//! Rules for personal access tokens, and turning a bearer token into the user it acts as.

use super::{parse_token_name, store, NewToken, TokenInfo};
use crate::audit::store::{insert_audit_event, AuditEntry};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::server::RequestMeta;
use crate::state::AppState;
use rand::{distributions::Alphanumeric, Rng};
use serde_json::json;
use sha2::{Digest, Sha256};

/// Every token starts with this, so secret scanners and people can recognise one.
pub const TOKEN_PREFIX: &str = "amd_";

/// The hash a token is stored and looked up by.
pub fn token_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn new_secret() -> String {
    let body: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(40)
        .map(char::from)
        .collect();
    format!("{TOKEN_PREFIX}{body}")
}

/// Creates a token for `user` and returns its secret, once.
pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    name: &str,
    read_only: bool,
) -> Result<NewToken, AppError> {
    let name = parse_token_name(name).map_err(|e| AppError::invalid("name", e))?;
    let secret = new_secret();
    let mut tx = crate::db::begin_write(&state.pool).await?;
    let info = store::insert_token(
        &mut tx,
        user.id,
        &name,
        &token_hash(&secret),
        read_only,
        &crate::db::now_text(),
    )
    .await
    .map_err(crate::db::name_taken(
        "name",
        "You already have a live token with this name.",
    ))?;
    let entry = AuditEntry::new(user.clone().into(), "token.create")
        .subject("user", user.id.0)
        .details(json!({ "token": name, "token_id": info.id, "read_only": read_only }));
    insert_audit_event(&mut tx, &entry, meta).await?;
    tx.commit().await?;
    Ok(NewToken { info, secret })
}

/// The user's tokens.
pub async fn list(state: &AppState, user: &CurrentUser) -> Result<Vec<TokenInfo>, AppError> {
    Ok(store::list_tokens(&state.pool, user.id).await?)
}

/// Revokes one of the user's tokens; it stops working at once.
pub async fn revoke(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    id: i64,
) -> Result<(), AppError> {
    let mut tx = crate::db::begin_write(&state.pool).await?;
    let name = store::revoke_token(&mut tx, user.id, id, &crate::db::now_text())
        .await?
        .ok_or(AppError::NotFound)?;
    let entry = AuditEntry::new(user.clone().into(), "token.revoke")
        .subject("user", user.id.0)
        .details(json!({ "token": name, "token_id": id }));
    insert_audit_event(&mut tx, &entry, meta).await?;
    tx.commit().await?;
    Ok(())
}

/// What a bearer token grants.
#[derive(Clone, Debug)]
pub struct Grant {
    /// The user it acts as, marked "via token NAME".
    pub user: CurrentUser,
    /// The token's id (rate limits are per token).
    pub token_id: i64,
    /// Whether it may only read.
    pub read_only: bool,
}

/// The live token `secret` and its active user, or 401.
pub async fn authenticate(state: &AppState, secret: &str) -> Result<Grant, AppError> {
    if !secret.starts_with(TOKEN_PREFIX) || secret.len() > 200 {
        return Err(AppError::Unauthorized);
    }
    let Some((token_id, user_id, name, read_only)) =
        store::find_live_token(&state.pool, &token_hash(secret)).await?
    else {
        return Err(AppError::Unauthorized);
    };
    let mut user = state
        .auth
        .users
        .load(&state.pool, crate::domain::UserId(user_id))
        .await?
        .ok_or(AppError::Unauthorized)?;
    user.via_token = Some(name);
    let now = time::OffsetDateTime::now_utc();
    let minute_ago = crate::db::format_time(now - time::Duration::minutes(1));
    store::touch_token(
        &state.pool,
        token_id,
        &crate::db::format_time(now),
        &minute_ago,
    )
    .await?;
    Ok(Grant {
        user,
        token_id,
        read_only,
    })
}
