//! The one piece of shared state, built at start-up and handed to every route and
//! server function.

use crate::{ec2::Ec2Gateway, settings::Settings};
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sqlx::SqlitePool;
use std::sync::Arc;

/// Everything a request handler may need, behind one shared pointer: a page render clones
/// the state dozens of times (every extractor and server function takes a copy), and one
/// reference count is cheaper than a dozen (BENCHMARKS.md, budget 1).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] shares; its fields are reached through the state (`state.pool`).
#[derive(Clone)]
pub struct Shared {
    /// The database pool.
    pub pool: SqlitePool,
    /// The EC2 gateway (clients per Region, created lazily).
    pub ec2: Ec2Gateway,
    /// The service's settings.
    pub settings: Arc<Settings>,
    /// Leptos' rendering options.
    pub leptos_options: LeptosOptions,
    /// Sign-in throttling and password hashing limits.
    pub auth: crate::auth::AuthRuntime,
    /// Per-token call counts of the automation API.
    pub api_limits: crate::api::RateLimiter,
    /// Turns to render a page (`--max-concurrent-pages`), taken by the page guard.
    pub page_turns: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// The state holding `shared`.
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }

    /// The same state with EC2 reached through `ec2` (tests point it at their own endpoint).
    pub fn with_ec2(&self, ec2: Ec2Gateway) -> Self {
        Self::new(Shared {
            ec2,
            ..Shared::clone(&self.0)
        })
    }

    /// The state as provided to server functions.
    pub fn from_context() -> Result<Self, crate::error::AppError> {
        leptos::prelude::use_context::<AppState>().ok_or_else(|| {
            crate::error::AppError::internal("The server is misconfigured.", "AppState missing")
        })
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
