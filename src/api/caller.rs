//! Who is calling the API: the bearer token, its user, its rate and its reach.

use super::ApiError;
use crate::auth::guard::audit_refusal;
use crate::auth::CurrentUser;
use crate::domain::Role;
use crate::error::AppError;
use crate::server::RequestMeta;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, Method};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// A caller with a live token, within its rate.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The token's user, marked "via token NAME" for the audit history.
    pub user: CurrentUser,
    /// The call's correlation id and path.
    pub meta: RequestMeta,
}

impl Caller {
    /// Refuses (403, audited) a caller whose role is below `needed`.
    pub async fn require(&self, state: &AppState, needed: Role) -> Result<(), ApiError> {
        if self.user.role.allows(needed) {
            return Ok(());
        }
        let err = AppError::Forbidden;
        audit_refusal(state, &self.meta, &err, needed, Some(&self.user)).await;
        Err(self.fail(err))
    }

    /// An error of this call.
    pub fn fail(&self, error: AppError) -> ApiError {
        ApiError::new(error, &self.meta)
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let meta = parts
            .extensions
            .get::<RequestMeta>()
            .cloned()
            .unwrap_or_else(RequestMeta::detached);
        let grant = match bearer(parts) {
            Some(secret) => crate::tokens::service::authenticate(state, secret).await,
            None => Err(AppError::Unauthorized),
        };
        let grant = match grant {
            Ok(grant) => grant,
            Err(err) => {
                audit_refusal(state, &meta, &err, Role::Requester, None).await;
                return Err(ApiError::new(err, &meta));
            }
        };
        if let Err(wait) = state.api_limits.take(grant.token_id) {
            let mut err = ApiError::new(AppError::TooManyRequests, &meta);
            err.retry_after = Some(wait);
            return Err(err);
        }
        let caller = Caller {
            user: grant.user,
            meta,
        };
        let reads = matches!(parts.method, Method::GET | Method::HEAD);
        if grant.read_only && !reads {
            let err = AppError::Forbidden.with_reason("This token is read-only.".into());
            crate::auth::guard::audit_rule_refusal(
                state,
                &caller.user,
                &caller.meta,
                Err::<(), _>(err.clone()),
            )
            .await
            .ok();
            return Err(caller.fail(err));
        }
        Ok(caller)
    }
}

/// Calls per token per clock minute.
#[derive(Clone, Debug)]
pub struct RateLimiter {
    per_minute: u32,
    windows: Arc<Mutex<HashMap<i64, (u64, u32)>>>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` calls per token in each clock minute.
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute: per_minute.max(1),
            windows: Arc::default(),
        }
    }

    /// Counts a call of `token`, or says how many seconds to wait.
    pub fn take(&self, token: i64) -> Result<(), u64> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        self.take_at(token, now)
    }

    fn take_at(&self, token: i64, now_secs: u64) -> Result<(), u64> {
        let minute = now_secs / 60;
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if windows.len() > 10_000 {
            windows.retain(|_, (m, _)| *m == minute);
        }
        let entry = windows.entry(token).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        if entry.1 >= self.per_minute {
            return Err(60 - now_secs % 60);
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_over_its_rate_waits_for_the_next_minute() {
        let limiter = RateLimiter::new(2);
        assert!(limiter.take_at(1, 120).is_ok());
        assert!(limiter.take_at(1, 130).is_ok());
        assert_eq!(limiter.take_at(1, 135), Err(45));
        assert!(
            limiter.take_at(2, 135).is_ok(),
            "other tokens are not affected"
        );
        assert!(
            limiter.take_at(1, 180).is_ok(),
            "a new minute starts afresh"
        );
    }
}
