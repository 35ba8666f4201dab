//! Sign-in and sign-out against the session store, and resolving a session to a user.

use super::guard::SESSION_KEY;
use super::throttle::Verdict;
use super::{password, store, CurrentUser};
use crate::audit::{store::record, store::AuditEntry, Actor};
use crate::domain::{UserId, Username};
use crate::error::AppError;
use crate::server::RequestMeta;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower_sessions::Session;

/// What the session stores about its user: never more than an id and a time.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionAuth {
    /// The signed-in user.
    pub user_id: UserId,
    /// Unix seconds of the sign-in, for the absolute lifetime.
    pub signed_in_at: i64,
    /// Unix seconds of the last time the idle deadline was pushed back.
    #[serde(default)]
    pub touched_at: i64,
}

/// Activity pushes the idle deadline back at most this often (one session write a minute,
/// not one per request).
const TOUCH_EVERY_SECS: i64 = 60;

/// Checks a username and password; on success rotates the session id and stores the user.
pub async fn sign_in(
    state: &AppState,
    session: &Session,
    meta: &RequestMeta,
    username: &str,
    password: &str,
) -> Result<UserId, AppError> {
    let name = Username::parse(username)
        .map(|u| u.as_str().to_string())
        .unwrap_or_default();
    let client = meta.client_addr.clone().unwrap_or_default();
    let throttle = &state.auth.throttle;
    match throttle.check(&name, &client) {
        Verdict::Refuse => {
            audit_failure(state, meta, &name, "throttled").await;
            return Err(AppError::TooManyRequests);
        }
        Verdict::Proceed(delay) => tokio::time::sleep(delay).await,
    }
    let row = store::find_user_for_sign_in(&state.pool, &name).await?;
    let ok = password::verify_password(
        &state.auth,
        password,
        row.as_ref().map(|r| r.password_hash.as_str()),
    )
    .await
    .map_err(|e| AppError::internal("Sign-in is not available right now.", e))?;
    let user_id = match row {
        Some(row) if ok && row.disabled_at.is_none() => UserId(row.user_id),
        Some(row) if ok => {
            throttle.fail(&name, &client);
            audit_failure(
                state,
                meta,
                &name,
                if row.disabled_at.is_some() {
                    "disabled"
                } else {
                    "password"
                },
            )
            .await;
            return Err(AppError::BadCredentials);
        }
        _ => {
            throttle.fail(&name, &client);
            audit_failure(state, meta, &name, "password").await;
            return Err(AppError::BadCredentials);
        }
    };
    throttle.succeed(&name, &client);
    session
        .cycle_id()
        .await
        .map_err(|e| AppError::internal("Your session could not be started.", e))?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let auth = SessionAuth {
        user_id,
        signed_in_at: now,
        touched_at: now,
    };
    session
        .insert(SESSION_KEY, auth)
        .await
        .map_err(|e| AppError::internal("Your session could not be started.", e))?;
    record(
        &state.pool,
        &AuditEntry::new(Actor::user(user_id, &name), "auth.sign_in"),
        meta,
    )
    .await?;
    Ok(user_id)
}

/// Ends the session: removes it from the store and clears the cookie.
pub async fn sign_out(
    state: &AppState,
    session: &Session,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    if let Ok(user) = authenticate(state, session).await {
        record(
            &state.pool,
            &AuditEntry::new(Actor::user(user.id, &user.username), "auth.sign_out"),
            meta,
        )
        .await?;
    }
    session
        .flush()
        .await
        .map_err(|e| AppError::internal("Your session could not be ended.", e))
}

/// The signed-in user of one request, looked up once: a page calls several server
/// functions while it renders, and each asks who is calling. The page guard puts one in
/// every request's extensions; server functions find it in the request parts.
#[derive(Clone, Default)]
pub struct UserCache(std::sync::Arc<tokio::sync::OnceCell<CurrentUser>>);

impl UserCache {
    /// The cached user, else [`authenticate`] (kept only when it succeeds).
    pub async fn user(&self, state: &AppState, session: &Session) -> Result<CurrentUser, AppError> {
        self.0
            .get_or_try_init(|| authenticate(state, session))
            .await
            .cloned()
    }

    /// The user, when this request has already looked them up.
    pub fn get(&self) -> Option<CurrentUser> {
        self.0.get().cloned()
    }
}

/// The session's active user, or `Unauthorized` when there is none, the session has
/// outlived its absolute lifetime, or the account was disabled.
pub async fn authenticate(state: &AppState, session: &Session) -> Result<CurrentUser, AppError> {
    let auth: Option<SessionAuth> = session
        .get(SESSION_KEY)
        .await
        .map_err(|e| AppError::internal("Your session could not be read.", e))?;
    let Some(auth) = auth else {
        return Err(AppError::Unauthorized);
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let age = now - auth.signed_in_at;
    let expired = age < 0 || age as u64 >= state.settings.session_absolute().as_secs();
    let user = if expired {
        None
    } else {
        state.auth.users.load(&state.pool, auth.user_id).await?
    };
    match user {
        Some(user) => {
            if now - auth.touched_at >= TOUCH_EVERY_SECS {
                keep_alive(session, auth, now).await;
            }
            Ok(user)
        }
        None => {
            let _ = session.flush().await;
            Err(AppError::Unauthorized)
        }
    }
}

/// Marks the session changed, so that it is saved with a new idle deadline.
async fn keep_alive(session: &Session, auth: SessionAuth, now: i64) {
    let touched = SessionAuth {
        touched_at: now,
        ..auth
    };
    if let Err(err) = session.insert(SESSION_KEY, touched).await {
        tracing::warn!(error = %err, "could not extend the session");
    }
}

async fn audit_failure(state: &AppState, meta: &RequestMeta, username: &str, reason: &str) {
    let entry = AuditEntry::new(Actor::anonymous(), "auth.sign_in_failed")
        .details(json!({ "username": username, "reason": reason }));
    if let Err(err) = record(&state.pool, &entry, meta).await {
        tracing::error!(correlation_id = %meta.correlation_id, error = %err, "could not audit a failed sign-in");
    }
}
