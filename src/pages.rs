//! The pages loaded on demand. Each is a Leptos lazy route: in the browser its code lives in
//! a separate wasm chunk (split out by `make site`, see `tools/wasm-split`), fetched when the
//! route is first shown, so the bundle every page loads holds only the shell, the request
//! list and sign-in. On the server the pages render as usual, and the page's chunks are
//! preloaded from the HTML.

use crate::admin::views::AdminPage;
use crate::api::views::ApiDocsPage;
use crate::audit::views::AuditPage;
use crate::requests::views::{NewRequestPage, RequestPage};
use crate::templates::views::{TemplatePage, TemplatesPage};
use crate::templates::{EditTemplatePage, NewTemplatePage};
use crate::tokens::views::ProfilePage;
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// The request editor (`/requests/new`).
pub struct NewRequestRoute;

#[lazy_route]
impl LazyRoute for NewRequestRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <NewRequestPage /> }.into_any()
    }
}

/// One request: review, approval, registration (`/requests/:id`).
pub struct RequestRoute;

#[lazy_route]
impl LazyRoute for RequestRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <RequestPage /> }.into_any()
    }
}

/// The team templates (`/templates`).
pub struct TemplatesRoute;

#[lazy_route]
impl LazyRoute for TemplatesRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <TemplatesPage /> }.into_any()
    }
}

/// One template (`/templates/:id`).
pub struct TemplateRoute;

#[lazy_route]
impl LazyRoute for TemplateRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <TemplatePage /> }.into_any()
    }
}

/// The template editor for a new template (`/templates/new`).
pub struct NewTemplateRoute;

#[lazy_route]
impl LazyRoute for NewTemplateRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <NewTemplatePage /> }.into_any()
    }
}

/// The template editor for an existing template (`/templates/:id/edit`).
pub struct EditTemplateRoute;

#[lazy_route]
impl LazyRoute for EditTemplateRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <EditTemplatePage /> }.into_any()
    }
}

/// The user's profile and API tokens (`/profile`).
pub struct ProfileRoute;

#[lazy_route]
impl LazyRoute for ProfileRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <ProfilePage /> }.into_any()
    }
}

/// The automation API's documentation (`/api-docs`).
pub struct ApiDocsRoute;

#[lazy_route]
impl LazyRoute for ApiDocsRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <ApiDocsPage /> }.into_any()
    }
}

/// The audit history (`/audit`).
pub struct AuditRoute;

#[lazy_route]
impl LazyRoute for AuditRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <AuditPage /> }.into_any()
    }
}

/// Users and teams (`/admin`).
pub struct AdminRoute;

#[lazy_route]
impl LazyRoute for AdminRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <AdminPage /> }.into_any()
    }
}
