//! The one shape of a file download: the body as an attachment, or the error as a plain
//! sentence with its status (the browser shows it as a page).

use crate::error::AppError;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// `body` as `file_name` of `content_type`, or `err` as text with its HTTP status.
pub fn attachment(
    result: Result<String, AppError>,
    file_name: &str,
    content_type: &'static str,
) -> Response {
    match result {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, content_type.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file_name}\""),
                ),
            ],
            body,
        )
            .into_response(),
        Err(err) => {
            let status = StatusCode::from_u16(err.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let text = match &err {
                AppError::Invalid(errors) => format!("The request is not complete yet: {errors}\n"),
                other => format!("{other}\n"),
            };
            let plain = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
            (status, plain, text).into_response()
        }
    }
}
