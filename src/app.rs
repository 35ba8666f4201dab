//! The shell: HTML document, router, layout and navigation.

use crate::auth::views::SignInPage;
use crate::auth::{whoami, CurrentUser, SignIn, SignOut};
use crate::domain::Role;
use crate::ec2::views::Ec2StatusLine;
use crate::error::AppError;
use crate::pages::{
    AdminRoute, ApiDocsRoute, AuditRoute, EditTemplateRoute, NewRequestRoute, NewTemplateRoute,
    ProfileRoute, RequestRoute, TemplateRoute, TemplatesRoute,
};
use crate::requests::views::RequestsPage;
use crate::ui::fetch;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{path, Lazy, SsrMode};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::middleware::send_page_csp();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            {document_head(options)}
            <body>
                <App />
            </body>
        </html>
    }
}

/// Every page's `<head>`: metadata, the stylesheet, the hydration scripts and the page's
/// meta tags. Also the head of the benchmark's Leptos floor (`bench baseline`), so that the
/// floor measures the document the app really sends.
pub fn document_head(options: LeptosOptions) -> impl IntoView {
    view! {
        <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <meta name="color-scheme" content="light dark" />
            <link rel="stylesheet" href="/pkg/amidesk.css" />
            <link rel="icon" href="data:," />
            <HydrationScripts options defer=true />
            <MetaTags />
        </head>
    }
}

/// The sign-in and sign-out actions, shared so that the user resource refreshes after either.
#[derive(Clone, Copy)]
pub struct AuthActions {
    /// Signing in.
    pub sign_in: ServerAction<SignIn>,
    /// Signing out.
    pub sign_out: ServerAction<SignOut>,
}

/// The signed-in user, loaded once per page and after signing in or out.
#[derive(Clone, Copy)]
pub struct UserResource(pub Resource<Result<Option<CurrentUser>, AppError>>);

/// The application: routes and the shared auth state.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let actions = AuthActions {
        sign_in: ServerAction::<SignIn>::new(),
        sign_out: ServerAction::<SignOut>::new(),
    };
    let user = Resource::new_blocking(
        move || {
            (
                actions.sign_in.version().get(),
                actions.sign_out.version().get(),
            )
        },
        fetch(|_| whoami()),
    );
    provide_context(actions);
    provide_context(UserResource(user));

    view! {
        <Title text="AMI Desk" />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/signin") view=SignInPage />
                <ParentRoute path=path!("") view=Layout>
                    // In order: the list's rows are in the page where they belong, not streamed
                    // after it and moved into place by a script — the browser could paint in
                    // between, and the table then pushed the page down (Lighthouse: CLS up to
                    // 0.79). `PartiallyBlocked` did this only in about two pages of three.
                    <Route path=path!("") view=RequestsPage ssr=SsrMode::InOrder />
                    <Route path=path!("requests") view=RequestsPage ssr=SsrMode::InOrder />
                    <Route path=path!("requests/new") view={Lazy::<NewRequestRoute>::new()} />
                    <Route path=path!("requests/:id") view={Lazy::<RequestRoute>::new()} />
                    <Route path=path!("templates") view={Lazy::<TemplatesRoute>::new()} />
                    <Route path=path!("templates/new") view={Lazy::<NewTemplateRoute>::new()} />
                    <Route path=path!("profile") view={Lazy::<ProfileRoute>::new()} />
                    <Route path=path!("api-docs") view={Lazy::<ApiDocsRoute>::new()} />
                    <Route path=path!("templates/:id") view={Lazy::<TemplateRoute>::new()} />
                    <Route path=path!("templates/:id/edit") view={Lazy::<EditTemplateRoute>::new()} />
                    <Route path=path!("audit") view={Lazy::<AuditRoute>::new()} />
                    <Route path=path!("admin") view={Lazy::<AdminRoute>::new()} />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Header with navigation by role, the signed-in user, the EC2 status line, and the page.
///
/// The user is read as it is, without a `<Suspense>`, which the server pays for on every page
/// (BENCHMARKS.md, budget 1: this and the list's together, 0–28%). Every page under this layout
/// passes the page guard, which looks the user up before the render starts, so on the server
/// the user resource's fetch is ready when it is first polled, at its creation; in the
/// browser, hydration reads the same value from the page. After signing in or out the resource
/// reloads, and the header shows the previous user until the new one arrives.
#[component]
fn Layout() -> impl IntoView {
    let UserResource(user) = expect_context::<UserResource>();
    // `map` reads the value in place (and tracks it); `get` would also warn, in debug builds,
    // that it is read outside a `<Suspense>`, which here is the intent.
    let header = move || match user.map(Clone::clone) {
        Some(Ok(Some(u))) => view! { <Navigation user=u /> }.into_any(),
        _ => view! { <nav aria-label="Main"><a href="/signin">"Sign in"</a></nav> }.into_any(),
    };
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="/requests">"AMI Desk"</a>
            {header}
        </header>
        <div class="statusbar"><Ec2StatusLine /></div>
        <main id="main" tabindex="-1">
            <Outlet />
        </main>
    }
}

#[component]
fn Navigation(user: CurrentUser) -> impl IntoView {
    let actions = expect_context::<AuthActions>();
    let role = user.role;
    let teams = if user.teams.is_empty() {
        "no team".to_string()
    } else {
        user.team_names()
    };
    // The user's role cannot change under this view (it is rebuilt when the user is), so the
    // links are chosen once; only the current page's mark follows navigation.
    let links = NAV_LINKS
        .iter()
        .filter(|(_, _, needs)| role.allows(*needs))
        .map(|&(href, label, _)| view! { <NavLink href label /> })
        .collect_view();
    view! {
        <nav aria-label="Main">{links}</nav>
        <div class="whoami">
            <a class="user" href="/profile" title=format!("Signed in as {} ({}): profile and tokens", user.username, role)>
                {user.display_name.clone()} " · " {role.as_str()} " · " {teams}
            </a>
            <ActionForm action=actions.sign_out attr:class="inline">
                <button type="submit" class="link">"Sign out"</button>
            </ActionForm>
        </div>
    }
}

/// The main navigation: where, what it says, and the least role that sees it.
const NAV_LINKS: [(&str, &str, Role); 5] = [
    ("/requests", "Requests", Role::Requester),
    ("/templates", "Templates", Role::Requester),
    ("/audit", "Audit", Role::Approver),
    ("/admin", "Admin", Role::Admin),
    ("/api-docs", "API", Role::Requester),
];

/// A navigation link marked `aria-current="page"` on its own page and the pages under it.
/// A plain link: the router already handles clicks on every link in the app, and this
/// costs the server a closure where the router's `<A>` costs a memo and a resolved path.
#[component]
fn NavLink(href: &'static str, label: &'static str) -> impl IntoView {
    let path = use_location().pathname;
    let current = move || path.with(|p| is_under(p, href)).then_some("page");
    view! { <a href=href aria-current=current>{label}</a> }
}

/// Whether `path` is `section` or a page under it.
fn is_under(path: &str, section: &str) -> bool {
    path.strip_prefix(section)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <main id="main" class="narrow">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. " <a href="/requests">"Go to requests"</a></p>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::is_under;

    #[test]
    fn a_section_link_is_current_on_its_page_and_the_pages_under_it() {
        assert!(is_under("/requests", "/requests"));
        assert!(is_under("/requests/12", "/requests"));
        assert!(!is_under("/requests-old", "/requests"));
        assert!(!is_under("/templates", "/requests"));
    }
}
