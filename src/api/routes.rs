//! The API's routes, and the OpenAPI document generated from the same list.

use super::{reading, requests, ApiError};
use crate::error::AppError;
use crate::server::RequestMeta;
use crate::state::AppState;
use axum::http::Uri;
use axum::response::IntoResponse;
use axum::{Extension, Json, Router};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::OpenApi as Document;
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "AMI Desk automation API",
        description = "File, follow and fetch AMI registration requests with a personal access token. \
                       Errors are application/problem+json (RFC 9457) with a correlation id.",
        version = "1"
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "requests", description = "Registration requests"),
        (name = "workflow", description = "Submission and four-eyes approval"),
        (name = "audit", description = "The append-only audit history"),
        (name = "templates", description = "Team templates"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

fn split() -> (Router<AppState>, Document) {
    let v1 = OpenApiRouter::<AppState>::new()
        .routes(routes!(requests::file_request, requests::list_requests))
        .routes(routes!(requests::get_request))
        .routes(routes!(requests::submit))
        .routes(routes!(requests::approve))
        .routes(routes!(requests::reject))
        .routes(routes!(requests::dry_run))
        .routes(routes!(requests::image))
        .routes(routes!(reading::audit))
        .routes(routes!(reading::templates));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .split_for_parts()
}

/// The OpenAPI 3.1 document of `/api/v1`, generated from the handlers and their types.
pub fn openapi() -> Document {
    split().1
}

/// The `/api/v1` routes, `GET /api/v1/openapi.json`, and problem+json 404s below `/api/v1`.
pub fn router() -> Router<AppState> {
    let (routes, doc) = split();
    let doc = std::sync::Arc::new(doc);
    routes
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || {
                let doc = doc.clone();
                async move { Json((*doc).clone()) }
            }),
        )
        .route("/api/v1/{*rest}", axum::routing::any(not_found))
}

async fn not_found(meta: Option<Extension<RequestMeta>>, uri: Uri) -> impl IntoResponse {
    let meta = meta.map_or_else(RequestMeta::detached, |Extension(m)| m);
    tracing::debug!(path = %uri.path(), "no such API route");
    ApiError::new(AppError::NotFound, &meta)
}
