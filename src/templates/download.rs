//! `GET /templates/{id}/export.json`: a template as a JSON file, the format the import reads.

use crate::auth::session::authenticate;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
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
    match result {
        Ok(json) => (
            [
                (header::CONTENT_TYPE, "application/json".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"template-{id}.json\""),
                ),
            ],
            json + "\n",
        )
            .into_response(),
        Err(err) => {
            let status = StatusCode::from_u16(err.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (
                status,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                format!("{err}\n"),
            )
                .into_response()
        }
    }
}
