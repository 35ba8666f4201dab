//! Opening the database: SQLite with WAL, foreign keys on and the configured durability
//! (`synchronous=NORMAL` or `FULL`),
//! migrated on start.

use crate::settings::{Durability, Settings};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::{str::FromStr, time::Duration};

/// Opens (creating when missing) and migrates the database at `url`, with full durability.
pub async fn connect(url: &str) -> Result<SqlitePool, sqlx::Error> {
    connect_with(url, None, Durability::Full).await
}

/// Opens the database the settings name, with their size cap and durability.
pub async fn open(settings: &Settings) -> Result<SqlitePool, sqlx::Error> {
    connect_with(
        &settings.database_url,
        settings.db_max_pages,
        settings.db_durability,
    )
    .await
}

/// [`connect`], capped at `max_pages` pages when given, with `durability`.
pub async fn connect_with(
    url: &str,
    max_pages: Option<u64>,
    durability: Durability,
) -> Result<SqlitePool, sqlx::Error> {
    create_parent_folder(url);
    let mut options = SqliteConnectOptions::from_str(url)?;
    if let Some(pages) = max_pages {
        options = options.pragma("max_page_count", pages.to_string());
    }
    let synchronous = match durability {
        Durability::Normal => SqliteSynchronous::Normal,
        Durability::Full => SqliteSynchronous::Full,
    };
    let options = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(synchronous)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}

/// Starts a write transaction that takes the write lock at once (`BEGIN IMMEDIATE`), so
/// that read-then-write transactions never fail with "database is locked" halfway.
pub async fn begin_write(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

/// The current time as fixed-width RFC 3339 UTC text with milliseconds, which sorts
/// correctly as text.
pub fn now_text() -> String {
    format_time(time::OffsetDateTime::now_utc())
}

/// Formats a time the way [`now_text`] does.
pub fn format_time(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

fn create_parent_folder(url: &str) {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path.starts_with(':') {
        return;
    }
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            let _ = std::fs::create_dir_all(parent);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_fixed_width_utc_text() {
        let t = time::macros::datetime!(2026-01-02 03:04:05.006 UTC);
        assert_eq!(format_time(t), "2026-01-02T03:04:05.006Z");
    }

    #[tokio::test]
    async fn a_new_database_file_is_created_with_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/sub/test.db", dir.path().display());
        let pool = connect(&url).await.unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&pool)
            .await
            .unwrap();
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(fk, 1);
    }
}
