//! The safety net that makes "every refusal is audited" hold for every route.
//!
//! A middleware opens a [`RefusalScope`] around each request. Code deep in a service that
//! hides an object from a caller (answering 404 as if it did not exist) notes it here, and
//! the note is written after the handler's transaction has ended. Any 401 or 403 that no
//! handler audited itself is recorded by the middleware, with the signed-in user if any.

use super::store::AuditEntry;
use crate::server::RequestMeta;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What one request has noted about refusals.
#[derive(Clone, Default)]
pub struct RefusalScope {
    meta: Option<RequestMeta>,
    audited: Arc<AtomicBool>,
    hidden: Arc<Mutex<Vec<AuditEntry>>>,
}

tokio::task_local! {
    static SCOPE: RefusalScope;
}

impl RefusalScope {
    /// A scope for the request with `meta`.
    pub fn new(meta: RequestMeta) -> Self {
        Self {
            meta: Some(meta),
            ..Self::default()
        }
    }

    /// Runs `fut` with this scope as the current one.
    pub async fn run<F: std::future::Future>(self, fut: F) -> F::Output {
        SCOPE.scope(self, fut).await
    }

    /// Whether a refusal was already recorded while handling the request.
    pub fn audited(&self) -> bool {
        self.audited.load(Ordering::Relaxed)
    }

    /// The noted hidden-object refusals, emptied.
    pub fn take_hidden(&self) -> Vec<AuditEntry> {
        self.hidden
            .lock()
            .map(|mut h| std::mem::take(&mut *h))
            .unwrap_or_default()
    }
}

/// Whether `action` records a refusal (so the safety net need not).
pub fn is_refusal(action: &str) -> bool {
    action.starts_with("access.") || action == "auth.sign_in_failed"
}

/// The meta of the request being handled, also where no Leptos context exists (the HTTP
/// API, download routes).
pub fn current_meta() -> Option<RequestMeta> {
    SCOPE.try_with(|s| s.meta.clone()).ok().flatten()
}

/// Whether the current request's refusal is already recorded (one refusal per request:
/// a refused page must not record again when its render calls a refused function).
pub fn already_audited() -> bool {
    SCOPE.try_with(|s| s.audited()).unwrap_or(false)
}

/// Marks the current request's refusal as recorded.
pub fn mark_audited() {
    let _ = SCOPE.try_with(|s| s.audited.store(true, Ordering::Relaxed));
}

/// Notes that the caller was refused an object they may not see (written after the handler).
pub fn note_hidden(entry: AuditEntry) {
    let _ = SCOPE.try_with(|s| {
        if let Ok(mut hidden) = s.hidden.lock() {
            hidden.push(entry);
        }
    });
}
