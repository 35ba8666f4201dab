//! `GET /audit/export?format=csv|jsonl&…filters`: every matching event, streamed row by row
//! through a small bounded channel, so memory stays constant however many rows there are.

use super::query::{compile, COLUMNS};
use super::{AuditEventView, AuditFilter};
use crate::auth::{guard::authorize, session::authenticate};
use crate::domain::Role;
use crate::error::AppError;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::TryStreamExt;
use serde::Deserialize;
use tower_sessions::Session;

/// The export's query string: a format plus the audit filters.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExportQuery {
    /// `csv` or `jsonl`.
    pub format: String,
    /// The filters.
    #[serde(flatten)]
    pub filter: AuditFilter,
}

/// Bytes of rows sent at once. Each chunk is allocated at this size up front, so that it is
/// not grown (and copied) from empty for every chunk.
const CHUNK: usize = 64 * 1024;

const CSV_HEADER: &str = "seq,at,actor,action,subject,team_id,details,client_addr,correlation_id\n";

/// The export handler (approvers and admins).
pub async fn export(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<ExportQuery>,
) -> Response {
    let user = match authenticate(&state, &session)
        .await
        .and_then(|u| authorize(u, Role::Approver))
    {
        Ok(u) => u,
        Err(e) => return error(&e),
    };
    let csv = match q.format.as_str() {
        "csv" | "" => true,
        "jsonl" => false,
        _ => return error(&AppError::invalid("format", "Format must be csv or jsonl.")),
    };
    let compiled = match compile(&q.filter, false) {
        Ok(c) => c,
        Err(e) => return error(&AppError::Invalid(e)),
    };
    tracing::info!(user = %user.username, csv, "audit export");
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(16);
    let pool = state.pool.clone();
    tokio::spawn(async move {
        if csv
            && tx
                .send(Ok(Bytes::from_static(CSV_HEADER.as_bytes())))
                .await
                .is_err()
        {
            return;
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM audit_events {} ORDER BY seq",
            compiled.where_sql
        );
        let mut rows =
            sqlx::query_as_with::<_, AuditEventView, _>(&sql, compiled.args).fetch(&pool);
        let mut chunk = String::with_capacity(CHUNK);
        loop {
            match rows.try_next().await {
                Ok(Some(row)) => {
                    if csv {
                        csv_line(&row, &mut chunk)
                    } else {
                        jsonl_line(&row, &mut chunk)
                    }
                    if chunk.len() >= CHUNK - 4 * 1024
                        && tx
                            .send(Ok(Bytes::from(std::mem::replace(
                                &mut chunk,
                                String::with_capacity(CHUNK),
                            ))))
                            .await
                            .is_err()
                    {
                        return;
                    }
                }
                Ok(None) => break,
                Err(err) => {
                    tracing::error!(error = %err, "audit export failed");
                    let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
                    return;
                }
            }
        }
        let _ = tx.send(Ok(Bytes::from(chunk))).await;
    });
    let stream = futures::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let (content_type, name) = if csv {
        ("text/csv; charset=utf-8", "audit.csv")
    } else {
        ("application/x-ndjson", "audit.jsonl")
    };
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

fn error(err: &AppError) -> Response {
    let status =
        StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{err}\n"),
    )
        .into_response()
}

/// One CSV cell: quoted when it holds a comma, quote or line break; a leading `= + - @` is
/// prefixed with `'` so spreadsheets do not run it as a formula.
pub fn csv_cell(value: &str, out: &mut String) {
    let formula = value.starts_with(['=', '+', '-', '@']);
    let needs_quotes = formula || value.contains([',', '"', '\n', '\r']);
    if needs_quotes {
        out.push('"');
        if formula {
            out.push('\'');
        }
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

fn csv_line(r: &AuditEventView, out: &mut String) {
    let cells = [
        r.seq.to_string(),
        r.at.clone(),
        r.actor_name.clone(),
        r.action.clone(),
        r.subject.clone().unwrap_or_default(),
        r.team_id.map(|t| t.to_string()).unwrap_or_default(),
        r.details.clone(),
        r.client_addr.clone().unwrap_or_default(),
        r.correlation_id.clone().unwrap_or_default(),
    ];
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_cell(cell, out);
    }
    out.push('\n');
}

fn jsonl_line(r: &AuditEventView, out: &mut String) {
    let details: serde_json::Value =
        serde_json::from_str(&r.details).unwrap_or(serde_json::Value::Null);
    let line = serde_json::json!({
        "seq": r.seq, "at": r.at, "actor": r.actor_name, "action": r.action, "subject": r.subject,
        "team_id": r.team_id, "details": details, "client_addr": r.client_addr, "correlation_id": r.correlation_id,
    });
    out.push_str(&line.to_string());
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    fn cell(v: &str) -> String {
        let mut s = String::new();
        csv_cell(v, &mut s);
        s
    }

    #[test]
    fn csv_cells_with_commas_quotes_and_newlines_are_quoted() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn csv_cells_that_look_like_formulas_are_defused() {
        assert_eq!(cell("=HYPERLINK(1)"), "\"'=HYPERLINK(1)\"");
    }
}
