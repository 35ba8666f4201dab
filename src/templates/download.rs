//! `GET /templates/{id}/export.json`: a template as a JSON file, the format the import reads.

use crate::auth::session::authenticate;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use tower_sessions::Session;

/// The template's current version as a download.
pub async fn export_json(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let user = authenticate(&state, &session).await?;
        super::service::export(&state, &user, id).await
    }
    .await;
    crate::server::download::attachment(
        result.map(|json| json + "\n"),
        &format!("template-{id}.json"),
        "application/json",
    )
}
