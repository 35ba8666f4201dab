//! First start: an empty database gets an `admin` account.

use super::password::hash_now;
use super::store;
use crate::audit::{store::insert_audit_event, store::AuditEntry, Actor};
use crate::domain::{Password, Role};
use crate::server::{BoxError, RequestMeta};
use crate::settings::Settings;
use rand::{distributions::Alphanumeric, Rng};
use serde_json::json;
use sqlx::SqlitePool;

/// Creates the `admin` account when there are no users. Its password comes from
/// `AMIDESK_ADMIN_PASSWORD`, or is generated and logged once.
pub async fn ensure_admin(pool: &SqlitePool, settings: &Settings) -> Result<(), BoxError> {
    if store::count_users(pool).await? > 0 {
        return Ok(());
    }
    let generated = settings.admin_password.is_none();
    let plain = settings.admin_password.clone().unwrap_or_else(|| {
        rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(24)
            .map(char::from)
            .collect()
    });
    let password = Password::parse(&plain).map_err(|e| format!("AMIDESK_ADMIN_PASSWORD: {e}"))?;
    let hash = tokio::task::spawn_blocking(move || hash_now(password.expose())).await??;
    let mut tx = crate::db::begin_write(pool).await?;
    let id = store::insert_user(&mut tx, "admin", "Administrator", &hash, Role::Admin).await?;
    let entry = AuditEntry::new(Actor::system(), "user.create")
        .subject("user", id)
        .details(json!({ "username": "admin", "role": "admin", "reason": "first start" }));
    insert_audit_event(&mut tx, &entry, &RequestMeta::detached()).await?;
    tx.commit().await?;
    if generated {
        tracing::warn!(
            "created the `admin` account with the generated password {plain} \
             (shown only this once; set AMIDESK_ADMIN_PASSWORD to choose it)"
        );
    } else {
        tracing::info!("created the `admin` account with the password from AMIDESK_ADMIN_PASSWORD");
    }
    Ok(())
}
