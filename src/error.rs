//! The one error type every server function and API handler returns.
//!
//! It crosses the wire as JSON, so the browser matches on the same enum the server built.
//! Internal failures are logged on the server with a correlation id; the user sees a plain
//! sentence and that id, never the raw database or AWS text.

use crate::domain::FieldErrors;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Everything that can go wrong for a caller, by what they can do about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No valid session (or token): sign in.
    #[error("Please sign in to continue.")]
    Unauthorized,
    /// Signed in, but the role or team does not allow this.
    #[error("You do not have permission to do that.")]
    Forbidden,
    /// Signed in, but a rule forbids this action; the reason says which.
    #[error("{reason}")]
    Refused {
        /// The rule, in a sentence.
        reason: String,
    },
    /// The thing does not exist, or the caller may not see it.
    #[error("Not found.")]
    NotFound,
    /// Sign-in refused; the same answer for an unknown user and a wrong password.
    #[error("Wrong username or password.")]
    BadCredentials,
    /// Too many attempts in a short time.
    #[error("Too many attempts. Wait a few minutes and try again.")]
    TooManyRequests,
    /// The input was refused; each entry names its field.
    #[error("Please correct the highlighted fields: {0}")]
    Invalid(FieldErrors),
    /// Someone else changed the thing first.
    #[error("{message}")]
    Conflict {
        /// What happened and what to do.
        message: String,
    },
    /// A failure in the database or AWS; details are in the server log under the id.
    #[error("{message} (reference {correlation_id})")]
    Internal {
        /// A plain sentence for the user.
        message: String,
        /// The id under which the server logged the details.
        correlation_id: String,
    },
    /// The database or EC2 cannot take work right now (full, read-only, busy); nothing was
    /// changed. Details are in the server log under the id.
    #[error("{message} (reference {correlation_id})")]
    Unavailable {
        /// A plain sentence for the user.
        message: String,
        /// The id under which the server logged the details.
        correlation_id: String,
    },
    /// The browser could not talk to the server.
    #[error("Could not reach AMI Desk: {0}")]
    Transport(String),
}

impl AppError {
    /// A validation error on one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(FieldErrors::single(field, message))
    }

    /// The field errors, when this is a validation error.
    pub fn field_errors(&self) -> Option<&FieldErrors> {
        match self {
            AppError::Invalid(errors) => Some(errors),
            _ => None,
        }
    }

    /// The HTTP status this error is sent with.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Unauthorized | AppError::BadCredentials => 401,
            AppError::Forbidden | AppError::Refused { .. } => 403,
            AppError::NotFound => 404,
            AppError::Conflict { .. } => 409,
            AppError::Invalid(_) => 422,
            AppError::TooManyRequests => 429,
            AppError::Internal { .. } => 500,
            AppError::Unavailable { .. } => 503,
            AppError::Transport(_) => 502,
        }
    }
}

impl AppError {
    /// A 403 that says why (the reason is safe to show: it names a rule, not internals).
    pub fn with_reason(self, reason: String) -> Self {
        match self {
            AppError::Forbidden => AppError::Refused { reason },
            other => other,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // On the server, a body that does not decode is the caller's mistake: 422.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(detail) => {
                AppError::invalid("request", format!("The request was malformed: {detail}"))
            }
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Deserialization(detail) => AppError::Transport(detail),
            ServerFnErrorErr::Request(detail)
            | ServerFnErrorErr::Response(detail)
            | ServerFnErrorErr::Serialization(detail) => AppError::Transport(detail),
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => {
                AppError::invalid("request", format!("The request was malformed: {detail}"))
            }
            other => AppError::Internal {
                message: "The server could not handle the request.".into(),
                correlation_id: short_detail(&other.to_string()),
            },
        }
    }
}

fn short_detail(text: &str) -> String {
    text.chars().take(80).collect()
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;
    use crate::server::request_meta;

    impl AppError {
        /// Logs an internal failure with the request's correlation id and returns the
        /// user-facing error that carries only `message` and that id.
        pub fn internal(message: &str, detail: impl std::fmt::Display) -> Self {
            let correlation_id = request_meta().correlation_id;
            tracing::error!(%correlation_id, error = %detail, "{message}");
            AppError::Internal {
                message: message.to_string(),
                correlation_id,
            }
        }
    }

    impl AppError {
        /// Like [`AppError::internal`], for a condition that passes (503).
        pub fn unavailable(message: &str, detail: impl std::fmt::Display) -> Self {
            let correlation_id = request_meta().correlation_id;
            tracing::error!(%correlation_id, error = %detail, "{message}");
            AppError::Unavailable {
                message: message.to_string(),
                correlation_id,
            }
        }
    }

    /// What a database failure means for the user, by SQLite's primary result code.
    fn database_sentence(err: &sqlx::Error) -> Option<&'static str> {
        match err {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) => Some(
                "The database is not answering right now; nothing was changed. Try again shortly.",
            ),
            sqlx::Error::Database(db) => {
                let code: i64 = db.code()?.parse().ok()?;
                match code & 0xff {
                    5 | 6 => Some("The database is busy; nothing was changed. Try again in a moment."),
                    8 => Some("The database is read-only at the moment; nothing was changed. Ask an operator."),
                    13 => Some("The database is full; nothing was changed. Ask an operator to free space."),
                    10 => Some("The database could not write to disk; nothing was changed. Ask an operator."),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    impl From<sqlx::Error> for AppError {
        fn from(err: sqlx::Error) -> Self {
            match database_sentence(&err) {
                Some(sentence) => AppError::unavailable(sentence, err),
                None => AppError::internal("The database could not complete the request.", err),
            }
        }
    }

    impl From<crate::domain::FieldErrors> for AppError {
        fn from(errors: crate::domain::FieldErrors) -> Self {
            AppError::Invalid(errors)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::AppError;
        use sqlx::sqlite::SqliteConnectOptions;
        use sqlx::{ConnectOptions, Connection};

        #[tokio::test]
        async fn a_read_only_database_is_a_clear_503_not_an_internal_error() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("ro.db");
            let mut rw = SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(true)
                .connect()
                .await
                .unwrap();
            sqlx::query("CREATE TABLE t (x)")
                .execute(&mut rw)
                .await
                .unwrap();
            rw.close().await.unwrap();
            let mut ro = SqliteConnectOptions::new()
                .filename(&path)
                .read_only(true)
                .connect()
                .await
                .unwrap();
            let err = sqlx::query("INSERT INTO t VALUES (1)")
                .execute(&mut ro)
                .await
                .unwrap_err();
            let err = AppError::from(err);
            assert_eq!(err.status_code(), 503);
            assert!(err.to_string().contains("read-only"), "{err}");
        }

        #[tokio::test]
        async fn a_full_database_is_a_clear_503_not_an_internal_error() {
            let mut conn = SqliteConnectOptions::new()
                .in_memory(true)
                .connect()
                .await
                .unwrap();
            sqlx::query("CREATE TABLE t (x)")
                .execute(&mut conn)
                .await
                .unwrap();
            sqlx::query("PRAGMA max_page_count = 3")
                .execute(&mut conn)
                .await
                .unwrap();
            let big = "x".repeat(64 * 1024);
            let err = sqlx::query("INSERT INTO t VALUES (?)")
                .bind(big)
                .execute(&mut conn)
                .await
                .unwrap_err();
            let err = AppError::from(err);
            assert_eq!(err.status_code(), 503);
            assert!(err.to_string().contains("full"), "{err}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_show_the_reference_but_no_details() {
        let err = AppError::Internal {
            message: "The database could not complete the request.".into(),
            correlation_id: "abc123".into(),
        };
        assert_eq!(
            err.to_string(),
            "The database could not complete the request. (reference abc123)"
        );
        assert_eq!(err.status_code(), 500);
    }

    #[test]
    fn errors_survive_the_json_round_trip() {
        let err = AppError::invalid("Name", "Too short.");
        let json = serde_json::to_string(&err).unwrap();
        let back: AppError = serde_json::from_str(&json).unwrap();
        assert_eq!(back, err);
        assert_eq!(
            back.field_errors().unwrap().for_field("Name"),
            Some("Too short.")
        );
    }
}
