//! Server functions for signing in and out and asking who is signed in.

use super::CurrentUser;
use crate::error::AppError;
use leptos::prelude::*;

/// Where to go after signing in: a local path only, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_string()
        }
        _ => "/requests".to_string(),
    }
}

/// Signs in with a username and password, then redirects to `next`.
#[server(endpoint = "auth/sign_in")]
pub async fn sign_in(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::{server::request_meta, state::AppState};
    let state = AppState::from_context()?;
    let session = super::guard::current_session()?;
    super::session::sign_in(&state, &session, &request_meta(), &username, &password).await?;
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(())
}

/// Signs out and redirects to the sign-in page.
#[server(endpoint = "auth/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::{server::request_meta, state::AppState};
    let state = AppState::from_context()?;
    let session = super::guard::current_session()?;
    super::session::sign_out(&state, &session, &request_meta()).await?;
    leptos_axum::redirect("/signin");
    Ok(())
}

/// The signed-in user, or `None` when nobody is signed in.
#[server(endpoint = "auth/whoami")]
pub async fn whoami() -> Result<Option<CurrentUser>, AppError> {
    use crate::state::AppState;
    let state = AppState::from_context()?;
    let session = super::guard::current_session()?;
    match super::guard::signed_in(&state, &session).await {
        Ok(user) => Ok(Some(user)),
        Err(AppError::Unauthorized) => Ok(None),
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_accepts_local_paths_only() {
        assert_eq!(safe_next(Some("/audit?x=1")), "/audit?x=1");
        assert_eq!(safe_next(Some("//evil.example")), "/requests");
        assert_eq!(safe_next(Some("https://evil.example")), "/requests");
        assert_eq!(safe_next(None), "/requests");
    }
}
