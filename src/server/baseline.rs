//! The benchmark's baseline: a bare axum handler that runs the request list's query and
//! writes the same page by hand — header with navigation and the user, filters, the table
//! around the list's own rows (`rows_html`), the folded import form — with no sessions, no
//! middleware and no Leptos (no hydration data either). The user is looked up once, at
//! start. `make bench` compares the real page's throughput with this one's
//! (`amidesk bench baseline`).
//!
//! `GET /floor` is the same page through Leptos: the body written here by hand, rendered by
//! `leptos_axum` in order inside the app's document head (hydration scripts, meta tags,
//! title). It is what Leptos SSR costs at the least, so `make bench` can show how much of
//! the real page's cost is the framework and how much is the page's own components.

use super::BoxError;
use crate::auth::CurrentUser;
use crate::domain::{RequestState, Role};
use crate::requests::service::{page_of, PAGE_SIZE};
use crate::requests::views::rows_html;
use crate::requests::{store::list_requests, ListFilter};
use crate::ui::push_escaped;
use axum::extract::{Request, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::prelude::LeptosOptions;
use sqlx::SqlitePool;
use std::sync::Arc;

#[derive(Clone)]
struct Baseline {
    pool: SqlitePool,
    user: Arc<CurrentUser>,
    options: LeptosOptions,
}

/// Serves `GET /requests` for `username` on `listener` until the process ends.
pub async fn serve(
    pool: SqlitePool,
    username: &str,
    listener: tokio::net::TcpListener,
) -> Result<(), BoxError> {
    let account = crate::auth::store::find_user_for_sign_in(&pool, username)
        .await?
        .ok_or_else(|| format!("no user {username:?}"))?;
    let user = crate::auth::store::load_active_user(&pool, crate::domain::UserId(account.user_id))
        .await?
        .ok_or_else(|| format!("user {username:?} is disabled"))?;
    let state = Baseline {
        pool,
        user: Arc::new(user),
        options: LeptosOptions::builder().output_name("amidesk").build(),
    };
    // The app's router starts Leptos' spawner; this one has no Leptos routes to do it.
    any_spawner::Executor::init_tokio()?;
    let app = Router::new()
        .route("/requests", get(page))
        .route("/floor", get(floor))
        .with_state(state);
    axum::serve(listener, app).await?;
    Ok(())
}

async fn page(State(b): State<Baseline>) -> Result<Html<String>, String> {
    let mut html = String::with_capacity(24 * 1024);
    head(&mut html);
    write_body(&b, &mut html).await?;
    html.push_str("</body></html>");
    Ok(Html(html))
}

/// The same page rendered by Leptos around the hand-written body (see the module docs).
async fn floor(State(b): State<Baseline>, req: Request) -> Response {
    let mut body = String::with_capacity(16 * 1024);
    if let Err(err) = write_body(&b, &mut body).await {
        return err.into_response();
    }
    let body: Arc<str> = body.into();
    let options = b.options.clone();
    let render = leptos_axum::render_app_to_stream_in_order_with_context(
        || (),
        move || floor_document(options.clone(), body.clone()),
    );
    render(req).await
}

/// The app's document (`app::shell`, its head included) around `body`, inserted as it is.
fn floor_document(options: LeptosOptions, body: Arc<str>) -> impl leptos::IntoView {
    use leptos::prelude::*;
    use leptos_meta::{provide_meta_context, Title};
    provide_meta_context();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            {crate::app::document_head(options)}
            <body>
                <Title text="Requests · AMI Desk" />
                <div inner_html=body></div>
            </body>
        </html>
    }
}

/// Writes everything inside `<body>`: the query's page of rows in the list's markup.
async fn write_body(b: &Baseline, html: &mut String) -> Result<(), String> {
    let filter = ListFilter::default();
    let rows = list_requests(&b.pool, b.user.id, false, &filter, PAGE_SIZE + 1)
        .await
        .map_err(|e| e.to_string())?;
    let page = page_of(rows);
    header(html, &b.user);
    filters(html);
    html.push_str(
        "<div class=\"table-wrap\"><table><thead><tr><th>Name</th><th>State</th>\
         <th>Region</th><th>Team</th><th>Author</th><th>Last change (UTC)</th></tr></thead><tbody>",
    );
    html.push_str(&rows_html(&page.rows));
    html.push_str("</tbody></table></div>");
    if let Some(cursor) = page.next_cursor {
        html.push_str("<p><a href=\"/requests?scope=mine&amp;state=&amp;q=&amp;cursor=");
        html.push_str(&crate::ui::encode_query(&cursor));
        html.push_str("\">Next page</a></p>");
    }
    import_form(html);
    html.push_str("</main>");
    Ok(())
}

fn head(html: &mut String) {
    html.push_str(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"/>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\
         <meta name=\"color-scheme\" content=\"light dark\"/>\
         <link rel=\"stylesheet\" href=\"/pkg/amidesk.css\"/><link rel=\"icon\" href=\"data:,\"/>\
         <title>Requests · AMI Desk</title></head><body>",
    );
}

fn header(html: &mut String, user: &CurrentUser) {
    html.push_str(
        "<a class=\"skip-link\" href=\"#main\">Skip to content</a><header class=\"topbar\">\
         <a class=\"brand\" href=\"/requests\">AMI Desk</a><nav aria-label=\"Main\">\
         <a href=\"/requests\" aria-current=\"page\">Requests</a><a href=\"/templates\">Templates</a>",
    );
    if user.role.allows(Role::Approver) {
        html.push_str("<a href=\"/audit\">Audit</a>");
    }
    if user.role.allows(Role::Admin) {
        html.push_str("<a href=\"/admin\">Admin</a>");
    }
    html.push_str("<a href=\"/api-docs\">API</a></nav><div class=\"whoami\"><a class=\"user\" href=\"/profile\" title=\"Signed in as ");
    push_escaped(html, &user.username);
    html.push_str(" (");
    html.push_str(user.role.as_str());
    html.push_str("): profile and tokens\">");
    push_escaped(html, &user.display_name);
    html.push_str(" · ");
    html.push_str(user.role.as_str());
    html.push_str(" · ");
    push_escaped(html, &user.team_names());
    html.push_str(
        "</a><form action=\"/api/auth/sign_out\" method=\"post\" class=\"inline\">\
         <button type=\"submit\" class=\"link\">Sign out</button></form></div></header>\
         <div class=\"statusbar\"><span role=\"status\" class=\"ec2-status checking\">Checking EC2…</span></div>\
         <main id=\"main\" tabindex=\"-1\"><div class=\"page-head\"><h1>Requests</h1>\
         <a class=\"button\" href=\"/requests/new\">New request</a></div>",
    );
}

fn filters(html: &mut String) {
    html.push_str(
        "<form method=\"get\" action=\"/requests\" class=\"filters\" role=\"search\">\
         <label for=\"f-scope\">Show</label><select id=\"f-scope\" name=\"scope\">\
         <option value=\"mine\" selected>My requests</option>\
         <option value=\"team\">My teams' requests</option></select>\
         <label for=\"f-state\">State</label><select id=\"f-state\" name=\"state\">\
         <option value=\"\">Any</option>",
    );
    for state in RequestState::ALL {
        html.push_str("<option value=\"");
        html.push_str(state.as_str());
        html.push_str("\">");
        html.push_str(state.as_str());
        html.push_str("</option>");
    }
    html.push_str(
        "</select><label for=\"f-q\">Search</label><input id=\"f-q\" name=\"q\" type=\"search\" \
         placeholder=\"name, Region or author\"/><button type=\"submit\">Filter</button></form>",
    );
}

/// The folded import form as the page renders it (its choices load when it is opened).
fn import_form(html: &mut String) {
    html.push_str(
        "<details class=\"card import\"><summary>Import from aws ec2 register-image \
         --cli-input-json</summary><form><label for=\"imp-json\">CLI input JSON</label>\
         <textarea id=\"imp-json\" rows=\"8\"></textarea>\
         <button type=\"submit\">Import as draft</button></form></details>",
    );
}
