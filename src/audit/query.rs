//! Filtered, keyset-paginated reads of the audit history. Only the filters present become SQL
//! conditions, so SQLite can use the index that fits (actor, action, subject, team); a time
//! range becomes a range of sequence numbers through the index on `at`.

use super::{AuditEventView, AuditFilter, AuditPage};
use crate::domain::FieldErrors;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Arguments, SqlitePool};

/// Rows per page.
pub const PAGE_SIZE: i64 = 50;

/// The columns every reader selects, in `AuditEventView` order.
pub const COLUMNS: &str = "seq, at, actor_name, action, \
    CASE WHEN subject_id IS NULL THEN subject_type ELSE subject_type || ':' || subject_id END AS subject, \
    details, team_id, client_addr, correlation_id";

/// A checked filter: the SQL condition and its arguments.
pub struct Compiled {
    /// `WHERE …` (always present).
    pub where_sql: String,
    /// Bound values, in order.
    pub args: SqliteArguments<'static>,
}

/// Checks the filter and turns it into SQL; every bad field is named.
pub fn compile(filter: &AuditFilter, with_cursor: bool) -> Result<Compiled, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut clauses: Vec<&str> = Vec::new();
    let mut args = SqliteArguments::default();
    let mut add = |clause: &'static str, value: String, args: &mut SqliteArguments<'static>| {
        clauses.push(clause);
        let _ = args.add(value);
    };
    if !filter.actor.trim().is_empty() {
        add("actor_name = ?", filter.actor.trim().to_string(), &mut args);
    }
    if !filter.action.trim().is_empty() {
        add("action = ?", filter.action.trim().to_string(), &mut args);
    }
    if !filter.request.trim().is_empty() {
        match filter.request.trim().parse::<i64>() {
            Ok(id) => add(
                "subject_type = 'request' AND subject_id = ?",
                id.to_string(),
                &mut args,
            ),
            Err(_) => errors.push("request", "Request must be a number."),
        }
    }
    if !filter.team.trim().is_empty() {
        add(
            "team_id = (SELECT team_id FROM teams WHERE name = ?)",
            filter.team.trim().to_string(),
            &mut args,
        );
    }
    if let Some(from) = time_bound(&filter.from, "from", false, &mut errors) {
        add(
            "seq >= COALESCE((SELECT seq FROM audit_events WHERE at >= ? ORDER BY at, seq LIMIT 1), 9223372036854775807)",
            from,
            &mut args,
        );
    }
    if let Some(to) = time_bound(&filter.to, "to", true, &mut errors) {
        add(
            "seq <= COALESCE((SELECT seq FROM audit_events WHERE at <= ? ORDER BY at DESC, seq DESC LIMIT 1), 0)",
            to,
            &mut args,
        );
    }
    if with_cursor && !filter.before.trim().is_empty() {
        match filter.before.trim().parse::<i64>() {
            Ok(seq) => {
                clauses.push("seq < ?");
                let _ = args.add(seq);
            }
            Err(_) => errors.push("before", "The page cursor must be a number."),
        }
    }
    errors.into_result()?;
    let where_sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    Ok(Compiled { where_sql, args })
}

/// `YYYY-MM-DD` or an RFC 3339 UTC time, as comparable text (a day covers all of it).
fn time_bound(raw: &str, field: &str, end: bool, errors: &mut FieldErrors) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let day = time::macros::format_description!("[year]-[month]-[day]");
    if time::Date::parse(raw, &day).is_ok() {
        return Some(format!(
            "{raw}T{}",
            if end {
                "23:59:59.999Z"
            } else {
                "00:00:00.000Z"
            }
        ));
    }
    match time::OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339) {
        Ok(t) => Some(crate::db::format_time(t)),
        Err(_) => {
            errors.push(
                field,
                "Use a date (2026-01-31) or a UTC time (2026-01-31T12:00:00Z).",
            );
            None
        }
    }
}

/// One page of matching events, newest first.
pub async fn page(
    pool: &SqlitePool,
    filter: &AuditFilter,
) -> Result<Result<AuditPage, FieldErrors>, sqlx::Error> {
    let compiled = match compile(filter, true) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_events {} ORDER BY seq DESC LIMIT {}",
        compiled.where_sql,
        PAGE_SIZE + 1
    );
    let mut rows: Vec<AuditEventView> = sqlx::query_as_with(&sql, compiled.args)
        .fetch_all(pool)
        .await?;
    let next_before = (rows.len() as i64 > PAGE_SIZE).then(|| {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|r| r.seq).unwrap_or_default()
    });
    Ok(Ok(AuditPage { rows, next_before }))
}

/// Every event about one request, oldest first.
pub async fn timeline(
    pool: &SqlitePool,
    request_id: i64,
) -> Result<Vec<AuditEventView>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM audit_events WHERE subject_type = 'request' AND subject_id = ? ORDER BY seq"
    ))
    .bind(request_id.to_string())
    .fetch_all(pool)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_present_filters_become_conditions() {
        let c = compile(
            &AuditFilter {
                action: "auth.sign_in".into(),
                ..AuditFilter::default()
            },
            true,
        )
        .unwrap();
        assert_eq!(c.where_sql, "WHERE action = ?");
        assert_eq!(
            compile(&AuditFilter::default(), true).unwrap().where_sql,
            ""
        );
    }

    #[test]
    fn bad_dates_and_ids_are_named() {
        let f = AuditFilter {
            from: "yesterday".into(),
            request: "x".into(),
            ..AuditFilter::default()
        };
        let errors = compile(&f, true).err().unwrap();
        assert!(errors.for_field("from").is_some());
        assert!(errors.for_field("request").is_some());
    }

    #[test]
    fn a_day_covers_the_whole_day() {
        let mut e = FieldErrors::default();
        assert_eq!(
            time_bound("2026-01-31", "to", true, &mut e).unwrap(),
            "2026-01-31T23:59:59.999Z"
        );
        assert_eq!(
            time_bound("2026-01-31", "from", false, &mut e).unwrap(),
            "2026-01-31T00:00:00.000Z"
        );
    }
}
