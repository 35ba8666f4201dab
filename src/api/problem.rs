//! Errors as RFC 9457 problem details, with the correlation id of the call.

use crate::error::AppError;
use crate::server::RequestMeta;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// An error, as `application/problem+json`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: String,
    /// The status's reason phrase.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened, in a sentence.
    pub detail: String,
    /// Ties the call to the server's log and the audit history.
    pub correlation_id: String,
    /// One entry per refused field (422 only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// One refused field.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// The field's path, e.g. `Name` or `BlockDeviceMappings[0].Ebs.SnapshotId`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// An [`AppError`] on its way out of the API.
#[derive(Debug)]
pub struct ApiError {
    /// The error.
    pub error: AppError,
    /// The call's correlation id.
    pub correlation_id: String,
    /// Seconds to wait, for 429.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// The error of the call described by `meta`.
    pub fn new(error: AppError, meta: &RequestMeta) -> Self {
        Self {
            error,
            correlation_id: meta.correlation_id.clone(),
            retry_after: None,
        }
    }

    fn problem(&self) -> Problem {
        let status = self.error.status_code();
        let detail = match &self.error {
            AppError::Invalid(_) => "The request was refused; see errors for each field.".into(),
            AppError::Unauthorized => {
                "Send a live personal access token as `Authorization: Bearer …`.".into()
            }
            AppError::TooManyRequests => {
                "This token made too many calls; wait and try again.".into()
            }
            AppError::Internal { message, .. } | AppError::Unavailable { message, .. } => {
                message.clone()
            }
            other => other.to_string(),
        };
        let correlation_id = match &self.error {
            AppError::Internal { correlation_id, .. }
            | AppError::Unavailable { correlation_id, .. } => correlation_id.clone(),
            _ => self.correlation_id.clone(),
        };
        let errors = self
            .error
            .field_errors()
            .map(|e| {
                e.0.iter()
                    .map(|f| ProblemField {
                        field: f.field.clone(),
                        message: f.message.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Problem {
            kind: "about:blank".into(),
            title: StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Error")
                .into(),
            status,
            detail,
            correlation_id,
            errors,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&problem).unwrap_or_default();
        let mut res = (status, body).into_response();
        let headers = res.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}
