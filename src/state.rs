//! The one piece of shared state, built at start-up and handed to every route and
//! server function.

use crate::{ec2::Ec2Gateway, settings::Settings};
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sqlx::SqlitePool;
use std::sync::Arc;

/// Everything a request handler may need.
#[derive(Clone, FromRef)]
pub struct AppState {
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
    /// The state as provided to server functions.
    pub fn from_context() -> Result<Self, crate::error::AppError> {
        leptos::prelude::use_context::<AppState>().ok_or_else(|| {
            crate::error::AppError::internal("The server is misconfigured.", "AppState missing")
        })
    }
}
