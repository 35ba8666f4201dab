//! The automation API, `/api/v1`: pipelines file, follow and fetch requests with personal
//! access tokens. JSON in and out, errors as `application/problem+json`, and an OpenAPI 3.1
//! document generated from the handlers. Every handler calls the same service functions as
//! the dashboard's server functions.

pub mod views;

#[cfg(feature = "ssr")]
mod caller;
#[cfg(feature = "ssr")]
mod problem;
#[cfg(feature = "ssr")]
mod reading;
#[cfg(feature = "ssr")]
mod requests;
#[cfg(feature = "ssr")]
mod routes;

#[cfg(feature = "ssr")]
pub use caller::{Caller, RateLimiter};
#[cfg(feature = "ssr")]
pub use problem::{ApiError, Problem};
#[cfg(feature = "ssr")]
pub use routes::{openapi, router};

use crate::error::AppError;
use leptos::prelude::*;

/// The OpenAPI document, for the dashboard's API page.
#[server(endpoint = "api/openapi")]
pub async fn openapi_document() -> Result<String, AppError> {
    crate::auth::guard::require(crate::domain::Role::Requester).await?;
    openapi()
        .to_pretty_json()
        .map_err(|e| AppError::internal("The API description could not be built.", e))
}
