//! Argon2id password hashes, computed on the blocking pool with bounded concurrency so
//! that sign-ins never stall the async runtime.

use super::AuthRuntime;
use argon2::password_hash::{rand_core::OsRng, Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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
/// unknown users take as long as known ones. The hash's working memory comes from
/// `runtime.memory` and goes back there for the next sign-in.
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
    let spares = runtime.memory.clone();
    let (matched, memory) = run_limited(runtime, move || {
        let mut memory = spares.take(Params::DEFAULT_M_COST as usize);
        (verify_now(&password, &stored, &mut memory), memory)
    })
    .await?;
    runtime.memory.give_back(memory);
    let spares = runtime.memory.clone();
    tokio::spawn(async move {
        tokio::time::sleep(spares.keep()).await;
        spares.drop_idle();
    });
    Ok(known && matched?)
}

/// Hashes synchronously (for the command line and start-up).
pub fn hash_now(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

fn verify_now(password: &str, stored: &str, memory: &mut Vec<Block>) -> Result<bool, HashError> {
    let parsed = PasswordHash::new(stored).map_err(|e| HashError(e.to_string()))?;
    Ok(parsed
        .hash
        .is_some_and(|expected| recompute(password.as_bytes(), &parsed, memory) == Some(expected)))
}

/// The hash of `password` with `stored`'s algorithm, version, parameters and salt, computed
/// in `memory` (grown when `stored` asks for more); `None` when `stored` cannot be used.
/// Comparing the two `Output`s is constant-time.
fn recompute(password: &[u8], stored: &PasswordHash, memory: &mut Vec<Block>) -> Option<Output> {
    let algorithm = Algorithm::try_from(stored.algorithm).ok()?;
    let version = match stored.version {
        Some(v) => Version::try_from(v).ok()?,
        None => Version::default(),
    };
    let params = Params::try_from(stored).ok()?;
    let blocks = params.block_count();
    if memory.len() < blocks {
        *memory = vec![Block::default(); blocks];
    }
    let mut salt = [0u8; 64];
    let salt = stored.salt?.decode_b64(&mut salt).ok()?;
    let mut out = vec![0u8; stored.hash?.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, &mut out, &mut memory[..blocks])
        .ok()?;
    Output::new(&out).ok()
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

    /// An Argon2id hash of `password` made with `params` instead of the defaults.
    fn hash_with(params: Params, password: &str) -> String {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(password.as_bytes(), &salt)
            .unwrap()
            .to_string()
    }

    #[tokio::test]
    async fn a_hash_made_with_other_parameters_still_verifies() {
        let rt = AuthRuntime::new(1, std::time::Duration::ZERO);
        let small = hash_with(
            Params::new(4096, 3, 1, Some(32)).unwrap(),
            "correct horse battery",
        );
        assert!(verify_password(&rt, "correct horse battery", Some(&small))
            .await
            .unwrap());
        assert!(!verify_password(&rt, "correct horse", Some(&small))
            .await
            .unwrap());
        let large = hash_with(
            Params::new(Params::DEFAULT_M_COST * 2, 1, 1, None).unwrap(),
            "correct horse battery",
        );
        assert!(verify_password(&rt, "correct horse battery", Some(&large))
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn a_damaged_stored_hash_never_verifies() {
        let rt = AuthRuntime::new(1, std::time::Duration::ZERO);
        let hash = hash_password(&rt, "correct horse battery").await.unwrap();
        let damaged = hash.replace("argon2id", "argon2x");
        assert!(
            !verify_password(&rt, "correct horse battery", Some(&damaged))
                .await
                .unwrap_or(false)
        );
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
