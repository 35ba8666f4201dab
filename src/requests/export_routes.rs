//! Download links: `GET /requests/{id}/export/cli-input.json` and `…/aws_ami.tf`.

use crate::auth::session::authenticate;
use crate::domain::register_image::to_terraform;
use crate::domain::RequestId;
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

/// The request as `--cli-input-json`.
pub async fn cli_input_json(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Response {
    export(
        &state,
        &session,
        id,
        "cli-input.json",
        "application/json",
        |r| serde_json::to_string_pretty(r).unwrap_or_default() + "\n",
    )
    .await
}

/// The request as a Terraform `aws_ami` resource.
pub async fn terraform(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Response {
    export(
        &state,
        &session,
        id,
        "aws_ami.tf",
        "text/plain; charset=utf-8",
        to_terraform,
    )
    .await
}

async fn export(
    state: &AppState,
    session: &Session,
    id: i64,
    file: &str,
    content_type: &'static str,
    render: impl Fn(&crate::domain::register_image::RegisterImageRequest) -> String,
) -> Response {
    let result = async {
        let user = authenticate(state, session).await?;
        super::service::checked(state, &user, RequestId(id)).await
    }
    .await;
    match result {
        Ok((_, request)) => (
            [
                (header::CONTENT_TYPE, content_type.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"request-{id}-{file}\""),
                ),
            ],
            render(&request),
        )
            .into_response(),
        Err(err) => {
            let status = StatusCode::from_u16(err.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (
                status,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                plain(&err),
            )
                .into_response()
        }
    }
}

fn plain(err: &AppError) -> String {
    match err {
        AppError::Invalid(errors) => format!("The request is not complete yet: {errors}\n"),
        other => format!("{other}\n"),
    }
}
