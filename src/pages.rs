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

/// Declares `$route`, a lazy route that shows `$page`.
macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident => $page:ident) => {
        $(#[$doc])*
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }
            fn view(_this: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    };
}

lazy_page!(
    /// The request editor (`/requests/new`).
    NewRequestRoute => NewRequestPage
);
lazy_page!(
    /// One request: review, approval, registration (`/requests/:id`).
    RequestRoute => RequestPage
);
lazy_page!(
    /// The team templates (`/templates`).
    TemplatesRoute => TemplatesPage
);
lazy_page!(
    /// One template (`/templates/:id`).
    TemplateRoute => TemplatePage
);
lazy_page!(
    /// The template editor for a new template (`/templates/new`).
    NewTemplateRoute => NewTemplatePage
);
lazy_page!(
    /// The template editor for an existing template (`/templates/:id/edit`).
    EditTemplateRoute => EditTemplatePage
);
lazy_page!(
    /// The user's profile and API tokens (`/profile`).
    ProfileRoute => ProfilePage
);
lazy_page!(
    /// The automation API's documentation (`/api-docs`).
    ApiDocsRoute => ApiDocsPage
);
lazy_page!(
    /// The audit history (`/audit`).
    AuditRoute => AuditPage
);
lazy_page!(
    /// Users and teams (`/admin`).
    AdminRoute => AdminPage
);
