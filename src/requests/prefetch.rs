//! The request list's page, loaded before the page renders.
//!
//! The list page reads its rows from a blocking resource. When the rows are already there as
//! the resource is created, its fetch is ready when first polled, so the page renders them
//! in place without a `<Suspense>`, which the server pays for on every page (BENCHMARKS.md,
//! budget 1: this and the header's together, 0–28%). This middleware runs the list's query for
//! `GET /` and `GET /requests`, after the page guard has found the user, and leaves the
//! answer in the request for the list's server function, which takes it when the filter
//! matches. The same query, the same rules: only the moment changes.

use super::{ListFilter, RequestPage};
use crate::auth::session::UserCache;
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use leptos_router::location::RequestUrl;
use std::sync::{Arc, Mutex};

/// A list page loaded for this request, taken once by the list's server function.
#[derive(Clone, Default)]
pub struct PrefetchedList(Arc<Mutex<Option<Loaded>>>);

/// The filter a page was loaded with, and the answer.
type Loaded = (ListFilter, Result<RequestPage, AppError>);

/// Loads the list page a `GET /` or `GET /requests` will show, when the user is known.
pub async fn prefetch_list(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    if let Some(filter) = list_filter_of(&req) {
        let user = req.extensions().get::<UserCache>().and_then(UserCache::get);
        if let Some(user) = user {
            let page = super::service::list(&state, &user, &filter).await;
            let loaded = PrefetchedList(Arc::new(Mutex::new(Some((filter, page)))));
            req.extensions_mut().insert(loaded);
        }
    }
    next.run(req).await
}

/// The filter of a request for the list page, read as the page's router reads it.
fn list_filter_of(req: &Request) -> Option<ListFilter> {
    let uri = req.uri();
    if req.method() != Method::GET || !matches!(uri.path(), "/" | "/requests") {
        return None;
    }
    let address = uri.path_and_query().map_or("/", |p| p.as_str());
    let url = RequestUrl::new(&format!("http://localhost{address}"))
        .parse()
        .ok()?;
    Some(ListFilter::from_query(url.search_params()))
}

/// The page loaded for this request with `filter`, once.
pub fn take(filter: &ListFilter) -> Option<Result<RequestPage, AppError>> {
    let loaded = crate::server::request_extension::<PrefetchedList>()?;
    let mut slot = loaded.0.lock().ok()?;
    match slot.take() {
        Some((f, page)) if &f == filter => Some(page),
        other => {
            *slot = other;
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requests::ListScope;

    fn filter_of(address: &str) -> Option<ListFilter> {
        let req = Request::builder()
            .uri(address)
            .body(axum::body::Body::empty())
            .ok()?;
        list_filter_of(&req)
    }

    #[test]
    fn the_list_addresses_are_prefetched_with_their_filters() {
        let f = filter_of("/requests?scope=team&state=draft&q=web+01%26x&cursor=abc").unwrap();
        assert_eq!(f.scope, ListScope::Team);
        assert_eq!(f.state, "draft");
        assert_eq!(f.search, "web 01&x");
        assert_eq!(f.cursor, "abc");
        assert_eq!(filter_of("/").unwrap(), ListFilter::default());
    }

    #[test]
    fn other_pages_are_not_prefetched() {
        assert!(filter_of("/requests/12").is_none());
        assert!(filter_of("/templates?q=x").is_none());
    }
}
