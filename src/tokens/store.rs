//! SQL for personal access tokens.

use super::TokenInfo;
use crate::domain::UserId;
use sqlx::{SqliteConnection, SqlitePool};

const COLUMNS: &str = "token_id AS id, name, read_only, created_at, last_used_at, revoked_at";

/// Stores a new token's hash and returns it as listed.
pub async fn insert_token(
    conn: &mut SqliteConnection,
    user: UserId,
    name: &str,
    hash: &str,
    read_only: bool,
    now: &str,
) -> Result<TokenInfo, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO api_tokens (user_id, name, token_hash, read_only, created_at) \
         VALUES (?, ?, ?, ?, ?) RETURNING {COLUMNS}"
    ))
    .bind(user.0)
    .bind(name)
    .bind(hash)
    .bind(read_only)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// A user's tokens, live ones first, newest first.
pub async fn list_tokens(pool: &SqlitePool, user: UserId) -> Result<Vec<TokenInfo>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE user_id = ? \
         ORDER BY revoked_at IS NOT NULL, token_id DESC"
    ))
    .bind(user.0)
    .fetch_all(pool)
    .await
}

/// Revokes a live token of `user`; returns its name, or `None` when there is no such token.
pub async fn revoke_token(
    conn: &mut SqliteConnection,
    user: UserId,
    id: i64,
    now: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE api_tokens SET revoked_at = ? \
         WHERE token_id = ? AND user_id = ? AND revoked_at IS NULL RETURNING name",
    )
    .bind(now)
    .bind(id)
    .bind(user.0)
    .fetch_optional(conn)
    .await
}

/// A live token by hash: (token id, user id, name, read-only).
pub async fn find_live_token(
    pool: &SqlitePool,
    hash: &str,
) -> Result<Option<(i64, i64, String, bool)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT token_id, user_id, name, read_only FROM api_tokens \
         WHERE token_hash = ? AND revoked_at IS NULL",
    )
    .bind(hash)
    .fetch_optional(pool)
    .await
}

/// Records a use, at most once a minute per token (keeps reads free of writes).
pub async fn touch_token(
    pool: &SqlitePool,
    id: i64,
    now: &str,
    unless_after: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE api_tokens SET last_used_at = ? \
         WHERE token_id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
    )
    .bind(now)
    .bind(id)
    .bind(unless_after)
    .execute(pool)
    .await?;
    Ok(())
}
