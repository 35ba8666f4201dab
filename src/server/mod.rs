//! The HTTP server: settings → pool + migrations → `AppState` → router with middleware.

mod baseline;
mod cli;
pub mod download;
pub mod middleware;

pub use cli::run;

use crate::app::{shell, App};
use crate::settings::{LogFormat, Settings};
use crate::state::AppState;
use axum::{extract::State, http::StatusCode, routing::get, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tower_sessions::{cookie::SameSite, CachingSessionStore, Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

/// Any error, boxed (start-up and command-line code only).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Facts about the request being handled, set by the outermost middleware.
#[derive(Clone, Debug)]
pub struct RequestMeta {
    /// Ties log lines, audit events and error messages together.
    pub correlation_id: String,
    /// The client's IP address.
    pub client_addr: Option<String>,
    /// The request path.
    pub path: String,
}

impl RequestMeta {
    /// Meta for work that is not a request (start-up, command line).
    pub fn detached() -> Self {
        Self {
            correlation_id: new_correlation_id(),
            client_addr: None,
            path: String::new(),
        }
    }
}

/// A value the middleware put in the current request's extensions, read inside a server
/// function or page. Reads it in place: `use_context::<Parts>()` would copy the request's
/// headers and every extension to get at one.
pub fn request_extension<T: Clone + Send + Sync + 'static>() -> Option<T> {
    with_context::<http::request::Parts, _>(|parts| parts.extensions.get::<T>().cloned()).flatten()
}

/// The current request's meta inside a server function or page, or a detached one.
pub fn request_meta() -> RequestMeta {
    request_extension::<RequestMeta>()
        .or_else(crate::audit::refusals::current_meta)
        .unwrap_or_else(RequestMeta::detached)
}

/// A short random id.
pub fn new_correlation_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..16].to_string()
}

/// Sets up logging: human-readable by default, JSON with `--log-format json`.
pub fn init_tracing(settings: &Settings) {
    let filter = tracing_subscriber::EnvFilter::try_new(&settings.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = match settings.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Opens the database, creates the first admin when needed and builds the state.
pub async fn build_state(settings: Settings) -> Result<AppState, BoxError> {
    let pool = crate::db::open_for_serving(&settings).await?;
    crate::auth::bootstrap::ensure_admin(&pool, &settings).await?;
    let leptos_options = LeptosOptions::builder()
        .output_name("amidesk")
        .site_root(settings.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(settings.listen)
        .env(leptos::config::Env::PROD)
        .build();
    Ok(AppState::new(crate::state::Shared {
        ec2: crate::ec2::Ec2Gateway::new(&settings),
        auth: crate::auth::AuthRuntime::new(
            settings.max_concurrent_hashes,
            Duration::from_secs(settings.session_cache_secs),
        ),
        api_limits: crate::api::RateLimiter::new(settings.api_rate_per_minute),
        page_turns: Arc::new(tokio::sync::Semaphore::new(
            settings.max_concurrent_pages.max(1),
        )),
        settings: Arc::new(settings),
        leptos_options,
        pool,
    }))
}

/// The largest request body accepted (413 beyond): room for the largest valid request
/// (128 KiB of UefiData, 64 mappings, 100 tags) many times over.
pub const MAX_BODY_BYTES: usize = 2 << 20;

/// Most session records kept in memory (a record is well under 1 KiB).
const MAX_CACHED_SESSIONS: usize = 100_000;

/// The complete router for `state`, with sessions and every middleware.
pub async fn router(state: AppState) -> Result<Router, BoxError> {
    let store = SqliteStore::new(state.pool.clone());
    store.migrate().await?;
    spawn_session_cleanup(store.clone());
    let cache = crate::auth::session_cache::SessionCache::new(
        Duration::from_secs(state.settings.session_cache_secs),
        MAX_CACHED_SESSIONS,
    );
    let sessions = SessionManagerLayer::new(CachingSessionStore::new(cache, store.clone()))
        .with_name("amidesk_session")
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(state.settings.secure_cookies())
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(
            state.settings.session_idle().as_secs() as i64,
        )));
    crate::workflow::engine::spawn_reconciler(state.clone());
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(crate::api::router())
        .route("/audit/export", get(crate::audit::export::export))
        .route(
            "/templates/{id}/export.json",
            get(crate::templates::download::export_json),
        )
        .route(
            "/requests/{id}/export/cli-input.json",
            get(crate::requests::export_routes::cli_input_json),
        )
        .route(
            "/requests/{id}/export/aws_ami.tf",
            get(crate::requests::export_routes::terraform),
        )
        .leptos_routes_with_context(&state, routes, || (), move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // Inside the page guard: runs once the user is known.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::requests::prefetch::prefetch_list,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::page_guard,
        ))
        .layer(axum::middleware::from_fn(middleware::server_fn_status))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::refusal_audit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::refuse_cross_origin,
        ))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            MAX_BODY_BYTES,
        ))
        .layer(sessions)
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .layer(axum::middleware::from_fn(middleware::revalidate_assets))
        .layer(axum::middleware::from_fn(middleware::request_log))
        .with_state(state);
    Ok(app)
}

/// Serves the app on `listener` until Ctrl-C or SIGTERM.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> Result<(), BoxError> {
    serve_router(router(state).await?, listener).await
}

/// Serves a built router on `listener` until Ctrl-C or SIGTERM.
pub async fn serve_router(app: Router, listener: tokio::net::TcpListener) -> Result<(), BoxError> {
    tracing::info!("AMI Desk listening on http://{}", listener.local_addr()?);
    // Pages stream in several chunks: without TCP_NODELAY, Nagle's algorithm and the
    // client's delayed ACK hold the last chunk ~40 ms on keep-alive connections.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::debug!(error = %err, "could not set TCP_NODELAY");
        }
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    Ok(())
}

fn spawn_session_cleanup(store: SqliteStore) {
    use tower_sessions::ExpiredDeletion;
    tokio::spawn(async move {
        if let Err(err) = store
            .continuously_delete_expired(tokio::time::Duration::from_secs(300))
            .await
        {
            tracing::warn!(error = %err, "expired-session cleanup stopped");
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}

/// 200 while the process lives.
async fn healthz() -> &'static str {
    "ok"
}

/// 200 only when the database answers.
async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(&state.pool)
        .await
    {
        Ok(_) => (StatusCode::OK, "ready"),
        Err(err) => {
            tracing::error!(error = %err, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
