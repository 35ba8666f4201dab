//! Middleware: request log and correlation id, security headers, cross-origin refusal,
//! HTTP status for server-function errors, and the page guard.

use super::{new_correlation_id, RequestMeta};
use crate::audit::{refusals::RefusalScope, store::record, store::AuditEntry, Actor};
use crate::auth::{guard::audit_refusal, session::authenticate, session::UserCache};
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

/// The Content-Security-Policy. Pages pass their render's nonce, which admits the
/// hydration script Leptos writes inline; nothing else inline runs, and no `eval`.
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let scripts = nonce.map_or(String::new(), |n| format!(" 'nonce-{n}'"));
    format!(
        "default-src 'self'; script-src 'self'{scripts} 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Called by the page shell: sends the policy that admits this render's nonce.
pub fn send_page_csp() {
    let nonce = leptos::nonce::use_nonce();
    let options = leptos::prelude::use_context::<leptos_axum::ResponseOptions>();
    if let (Some(nonce), Some(options)) = (nonce, options) {
        if let Ok(value) = HeaderValue::from_str(&content_security_policy(Some(&nonce))) {
            options.insert_header(header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// Security headers on every response (a page's own CSP, with its nonce, is kept).
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    let set = [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
        ("cross-origin-opener-policy", "same-origin"),
    ];
    for (name, value) in set {
        if !headers.contains_key(name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        static DEFAULT_CSP: std::sync::LazyLock<Option<HeaderValue>> =
            std::sync::LazyLock::new(|| HeaderValue::from_str(&content_security_policy(None)).ok());
        if let Some(value) = DEFAULT_CSP.clone() {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    res
}

/// The bundle's files (`/pkg/…`) are revalidated on every use (`Cache-Control: no-cache`; an
/// unchanged file costs a 304). Their names do not change between builds, and a browser
/// must not pair a cached main module with a newer server's page or chunks.
pub async fn revalidate_assets(req: Request, next: Next) -> Response {
    let asset = req.uri().path().starts_with("/pkg/");
    let mut res = next.run(req).await;
    if asset && !res.headers().contains_key(header::CACHE_CONTROL) {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    res
}

/// Refuses (403, audited) a state-changing request sent from another site, and (415,
/// audited) one whose body is of a kind this service never takes.
pub async fn refuse_cross_origin(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let (foreign, origin, fetch_site) = cross_origin_facts(&req, &state);
    let body_type = unaccepted_body_type(&req);
    if !foreign && body_type.is_none() {
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
        "content_type": body_type,
    }));
    if let Err(err) = record(&state.pool, &entry, &meta).await {
        tracing::error!(error = %err, "could not audit a cross-origin refusal");
    }
    if foreign {
        error_response(&AppError::Forbidden)
    } else {
        let err = AppError::invalid("Content-Type", "Send JSON or form data.");
        let body = serde_json::to_string(&err).unwrap_or_default();
        let json = [(header::CONTENT_TYPE, "application/json")];
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, json, body).into_response()
    }
}

/// The content type of a body this service never takes (`text/plain`, multipart: the
/// kinds another site can send without asking), if the request has one.
fn unaccepted_body_type(req: &Request) -> Option<String> {
    let value = req
        .headers()
        .get(header::CONTENT_TYPE)?
        .to_str()
        .unwrap_or("?");
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let accepted = essence == "application/x-www-form-urlencoded"
        || essence == "application/json"
        || essence.ends_with("+json");
    (!accepted).then(|| value.to_string())
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

/// Records every 401/403 no handler audited, and the hidden-object refusals handlers noted
/// (written here, after their transactions ended).
pub async fn refusal_audit(
    State(state): State<AppState>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    let meta = req
        .extensions()
        .get::<RequestMeta>()
        .cloned()
        .unwrap_or_else(RequestMeta::detached);
    let scope = RefusalScope::new(meta.clone());
    let res = scope.clone().run(next.run(req)).await;
    let status = res.status().as_u16();
    let mut entries = if status == 404 {
        scope.take_hidden()
    } else {
        Vec::new()
    };
    if matches!(status, 401 | 403) && !scope.audited() {
        let actor = match authenticate(&state, &session).await {
            Ok(user) => user.into(),
            Err(_) => Actor::anonymous(),
        };
        entries.push(
            AuditEntry::new(actor, "access.refused")
                .details(json!({ "status": status, "path": meta.path })),
        );
    }
    for mut entry in entries {
        if let Some(details) = entry.details.as_object_mut() {
            details.insert("path".into(), json!(meta.path));
        }
        if let Err(err) = record(&state.pool, &entry, &meta).await {
            tracing::error!(error = %err, "could not audit a refusal");
        }
    }
    res
}

/// Pages need a session (else 303 to the sign-in page) and a role (else 403), and render a
/// bounded number at a time (`--max-concurrent-pages`).
pub async fn page_guard(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let users = UserCache::default();
    req.extensions_mut().insert(users.clone());
    let needed = if matches!(*req.method(), Method::GET | Method::HEAD) {
        page_role(req.uri().path())
    } else {
        None
    };
    let Some(needed) = needed else {
        return next.run(req).await;
    };
    // A page waits for its turn to render (the semaphore is never closed).
    let _turn = state.page_turns.acquire().await.ok();
    let meta = req
        .extensions()
        .get::<RequestMeta>()
        .cloned()
        .unwrap_or_else(RequestMeta::detached);
    match users.user(&state, &session).await {
        Ok(user) if user.role.allows(needed) => next.run(req).await,
        Ok(user) => {
            audit_refusal(&state, &meta, &AppError::Forbidden, needed, Some(&user)).await;
            forbidden_page(&meta)
        }
        Err(AppError::Unauthorized) => {
            let target = req.uri().path_and_query().map_or("/", |p| p.as_str());
            Redirect::to(&format!("/signin?next={}", crate::ui::encode_query(target)))
                .into_response()
        }
        Err(err) => error_response(&err),
    }
}

/// A plain page for a role that may not see a section: the app is not rendered, so none of
/// its data is fetched (and the refusal is recorded once).
fn forbidden_page(meta: &RequestMeta) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not allowed · AMI Desk</title>\
         <link rel=\"stylesheet\" href=\"/pkg/amidesk.css\"></head><body><main id=\"main\" class=\"narrow\">\
         <h1>Not allowed</h1><p>Your role does not allow this page. The refusal was recorded \
         (reference {}).</p><p><a href=\"/requests\">Go to requests</a></p></main></body></html>",
        meta.correlation_id
    );
    let html_type = [(header::CONTENT_TYPE, "text/html; charset=utf-8")];
    (StatusCode::FORBIDDEN, html_type, html).into_response()
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
