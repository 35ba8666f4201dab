//! Argon2id password hashes, computed on the blocking pool with bounded concurrency so
//! that sign-ins never stall the async runtime.

use super::AuthRuntime;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::sync::OnceLock;

/// A failure of the hashing machinery itself (never a wrong password).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashes a new password.
pub async fn hash_password(runtime: &AuthRuntime, password: &str) -> Result<String, HashError> {
    let password = password.to_string();
    run_limited(runtime, move || hash_now(&password)).await?
}

/// Checks a password against a stored hash; `None` checks against a dummy hash so that
/// unknown users take as long as known ones.
pub async fn verify_password(
    runtime: &AuthRuntime,
    password: &str,
    stored: Option<&str>,
) -> Result<bool, HashError> {
    let password = password.to_string();
    let known = stored.is_some();
    let stored = stored
        .map(str::to_string)
        .unwrap_or_else(|| dummy_hash().to_string());
    let matched = run_limited(runtime, move || verify_now(&password, &stored)).await??;
    Ok(known && matched)
}

/// Hashes synchronously (for the command line and start-up).
pub fn hash_now(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

fn verify_now(password: &str, stored: &str) -> Result<bool, HashError> {
    let parsed = PasswordHash::new(stored).map_err(|e| HashError(e.to_string()))?;
    Ok(Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_now("not a real password, only for timing").unwrap_or_default())
}

async fn run_limited<T: Send + 'static>(
    runtime: &AuthRuntime,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HashError> {
    let _permit = runtime
        .hashers
        .acquire()
        .await
        .map_err(|e| HashError(e.to_string()))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| HashError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let rt = AuthRuntime::new(1, std::time::Duration::ZERO);
        let hash = hash_password(&rt, "correct horse battery").await.unwrap();
        assert!(verify_password(&rt, "correct horse battery", Some(&hash))
            .await
            .unwrap());
        assert!(!verify_password(&rt, "wrong horse battery", Some(&hash))
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        let rt = AuthRuntime::new(1, std::time::Duration::ZERO);
        assert!(
            !verify_password(&rt, "not a real password, only for timing", None)
                .await
                .unwrap()
        );
    }
}
