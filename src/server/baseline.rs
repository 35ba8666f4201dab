//! The benchmark's baseline: a bare axum handler that runs the request list's query and
//! writes the page by hand around the list's own rows (`rows_html`) — no sessions, no
//! middleware, no Leptos. `make bench`
//! compares the real page's throughput with this one's (`amidesk bench baseline`).

use super::BoxError;
use crate::domain::UserId;
use crate::requests::views::rows_html;
use crate::requests::{store::list_requests, ListFilter, RequestSummary};
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use sqlx::SqlitePool;

#[derive(Clone)]
struct Baseline {
    pool: SqlitePool,
    user: UserId,
}

/// Serves `GET /requests` for `username` on `listener` until the process ends.
pub async fn serve(
    pool: SqlitePool,
    username: &str,
    listener: tokio::net::TcpListener,
) -> Result<(), BoxError> {
    let user: i64 = sqlx::query_scalar("SELECT user_id FROM users WHERE username = ?")
        .bind(username)
        .fetch_optional(&pool)
        .await?
        .ok_or_else(|| format!("no user {username:?}"))?;
    let state = Baseline {
        pool,
        user: UserId(user),
    };
    let app = Router::new()
        .route("/requests", get(page))
        .with_state(state);
    axum::serve(listener, app).await?;
    Ok(())
}

async fn page(State(b): State<Baseline>) -> Result<Html<String>, String> {
    let rows = list_requests(&b.pool, b.user, false, &ListFilter::default(), 51)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Html(render(&rows[..rows.len().min(50)])))
}

fn render(rows: &[RequestSummary]) -> String {
    let mut html = String::with_capacity(16 * 1024);
    html.push_str(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"/>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\
         <link rel=\"stylesheet\" href=\"/pkg/amidesk.css\"/><title>AMI Desk</title></head><body>\
         <header class=\"top\"><a class=\"brand\" href=\"/requests\">AMI Desk</a></header>\
         <main id=\"main\"><h1>Requests</h1><table class=\"list\"><thead><tr><th>Name</th>\
         <th>State</th><th>Region</th><th>Team</th><th>Author</th><th>Last change (UTC)</th>\
         </tr></thead><tbody>",
    );
    html.push_str(&rows_html(rows));
    html.push_str("</tbody></table></main></body></html>");
    html
}
