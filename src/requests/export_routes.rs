//! Download links: `GET /requests/{id}/export/cli-input.json` and `…/aws_ami.tf`.

use crate::auth::session::authenticate;
use crate::domain::register_image::to_terraform;
use crate::domain::RequestId;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
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
    crate::server::download::attachment(
        result.map(|(_, request)| render(&request)),
        &format!("request-{id}-{file}"),
        content_type,
    )
}
