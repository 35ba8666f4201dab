//! Middleware: request log and correlation id, security headers, cross-origin refusal,
//! HTTP status for server-function errors, and the page guard.

use super::{new_correlation_id, RequestMeta};
use crate::audit::{store::record, store::AuditEntry, Actor};
use crate::auth::{guard::audit_refusal, session::authenticate};
use crate::domain::Role;
use crate::error::AppError;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use std::net::SocketAddr;
use std::time::Instant;
use tower_sessions::Session;
use tracing::Instrument;

const CORRELATION_HEADER: &str = "x-correlation-id";

/// Gives every request a correlation id and writes one log line with status and latency.
pub async fn request_log(mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let correlation_id = req
        .headers()
        .get(CORRELATION_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (8..=64).contains(&v.len()) && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .map(str::to_string)
        .unwrap_or_else(new_correlation_id);
    let client_addr = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    req.extensions_mut().insert(RequestMeta {
        correlation_id: correlation_id.clone(),
        client_addr,
        path: path.clone(),
    });
    let span = tracing::info_span!("request", %correlation_id);
    let mut res = next.run(req).instrument(span).await;
    if let Ok(value) = HeaderValue::from_str(&correlation_id) {
        res.headers_mut().insert(CORRELATION_HEADER, value);
    }
    tracing::info!(
        %method,
        %path,
        status = res.status().as_u16(),
        latency_ms = start.elapsed().as_secs_f64() * 1000.0,
        %correlation_id,
        "request"
    );
    res
}

/// Security headers on every response.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    let set = [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
        (
            "content-security-policy",
            "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; \
             style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    ];
    for (name, value) in set {
        if !headers.contains_key(name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    res
}

/// Refuses (403, audited) a state-changing request sent from another site.
pub async fn refuse_cross_origin(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let (foreign, origin, fetch_site) = cross_origin_facts(&req, &state);
    if !foreign {
        return next.run(req).await;
    }
    let method = req.method().as_str().to_string();
    let meta = req
        .extensions()
        .get::<RequestMeta>()
        .cloned()
        .unwrap_or_else(RequestMeta::detached);
    let entry = AuditEntry::new(Actor::anonymous(), "access.cross_origin_refused").details(json!({
        "method": method,
        "path": meta.path,
        "origin": origin,
        "sec_fetch_site": fetch_site,
    }));
    if let Err(err) = record(&state.pool, &entry, &meta).await {
        tracing::error!(error = %err, "could not audit a cross-origin refusal");
    }
    error_response(&AppError::Forbidden)
}

/// Whether a request comes from another site, with its `Origin` and `Sec-Fetch-Site`.
fn cross_origin_facts(req: &Request, state: &AppState) -> (bool, Option<String>, Option<String>) {
    let header_text = |name| {
        req.headers()
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    let fetch_site = header_text("sec-fetch-site");
    let origin = header_text("origin");
    let host_origin = header_text("host").map(|h| format!("http://{h}"));
    let foreign_site = fetch_site
        .as_deref()
        .is_some_and(|s| s != "same-origin" && s != "none");
    let foreign_origin = origin.as_deref().is_some_and(|o| {
        o != state.settings.public_origin()
            && (state.settings.public_url.is_some() || Some(o) != host_origin.as_deref())
    });
    (foreign_site || foreign_origin, origin, fetch_site)
}

/// Server functions answer errors with 500; give them the status their `AppError` means.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key("serverfnerror")
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Pages need a session (else 303 to the sign-in page) and a role (else 403).
pub async fn page_guard(
    State(state): State<AppState>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    let needed = if matches!(*req.method(), Method::GET | Method::HEAD) {
        page_role(req.uri().path())
    } else {
        None
    };
    let Some(needed) = needed else {
        return next.run(req).await;
    };
    let meta = req
        .extensions()
        .get::<RequestMeta>()
        .cloned()
        .unwrap_or_else(RequestMeta::detached);
    match authenticate(&state, &session).await {
        Ok(user) if user.role.allows(needed) => next.run(req).await,
        Ok(user) => {
            audit_refusal(&state, &meta, &AppError::Forbidden, needed, Some(&user)).await;
            let mut res = next.run(req).await;
            *res.status_mut() = StatusCode::FORBIDDEN;
            res
        }
        Err(AppError::Unauthorized) => {
            let target = req.uri().path_and_query().map_or("/", |p| p.as_str());
            Redirect::to(&format!("/signin?next={}", crate::ui::encode_query(target)))
                .into_response()
        }
        Err(err) => error_response(&err),
    }
}

/// The role a page needs, or `None` for paths that are not guarded pages.
pub fn page_role(path: &str) -> Option<Role> {
    let first = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    match first {
        "" | "requests" | "templates" | "profile" | "api-docs" => Some(Role::Requester),
        "audit" => Some(Role::Approver),
        "admin" => Some(Role::Admin),
        _ => None,
    }
}

fn error_response(err: &AppError) -> Response {
    let status =
        StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_string(err).unwrap_or_else(|_| "\"Forbidden\"".into());
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_need_the_role_their_section_names() {
        assert_eq!(page_role("/"), Some(Role::Requester));
        assert_eq!(page_role("/requests/12"), Some(Role::Requester));
        assert_eq!(page_role("/audit"), Some(Role::Approver));
        assert_eq!(page_role("/admin"), Some(Role::Admin));
        assert_eq!(page_role("/signin"), None);
        assert_eq!(page_role("/pkg/amidesk.js"), None);
    }

    #[test]
    fn the_next_parameter_is_percent_encoded() {
        assert_eq!(
            crate::ui::encode_query("/audit?a=1&b=2"),
            "/audit%3Fa%3D1%26b%3D2"
        );
    }
}
