//! Opening the database: SQLite with WAL, foreign keys on and the configured durability
//! (`synchronous=NORMAL` or `FULL`),
//! migrated on start.

use crate::error::AppError;
use crate::settings::{Durability, Settings};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::{str::FromStr, time::Duration};

/// Connections in a pool unless the settings say otherwise: one per core, plus one so that
/// a long read (an export) or a write never leaves page reads waiting. More connections than
/// that only add threads taking turns on the cores: on 2 cores, 3 connections served the
/// request list 4-16% faster than 8 (BENCHMARKS.md, budget 1).
pub fn default_connections() -> u32 {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    u32::try_from(cores).unwrap_or(u32::MAX).saturating_add(1)
}

/// How a pool is opened.
#[derive(Clone, Copy, Debug)]
pub struct DbOptions {
    /// Cap on the database's size, in pages.
    pub max_pages: Option<u64>,
    /// When commits wait for the disk.
    pub durability: Durability,
    /// Checkpoint the WAL from a background task every second instead of inside whichever
    /// commit crosses SQLite's threshold (keeps that work off the request path).
    pub background_checkpoints: bool,
    /// Connections in the pool; each is one SQLite connection on its own thread.
    pub connections: u32,
}

impl DbOptions {
    /// The options the settings ask for, checkpointing inline.
    pub fn of(settings: &Settings) -> Self {
        Self {
            max_pages: settings.db_max_pages,
            durability: settings.db_durability,
            background_checkpoints: false,
            connections: settings.db_connections,
        }
    }
}

/// Opens (creating when missing) and migrates the database at `url`, with full durability.
pub async fn connect(url: &str) -> Result<SqlitePool, sqlx::Error> {
    let options = DbOptions {
        max_pages: None,
        durability: Durability::Full,
        background_checkpoints: false,
        connections: default_connections(),
    };
    connect_with(url, options).await
}

/// Opens the database the settings name, with their size cap and durability.
pub async fn open(settings: &Settings) -> Result<SqlitePool, sqlx::Error> {
    connect_with(&settings.database_url, DbOptions::of(settings)).await
}

/// [`open`] for a long-running process: WAL checkpoints run in the background.
pub async fn open_for_serving(settings: &Settings) -> Result<SqlitePool, sqlx::Error> {
    let options = DbOptions {
        background_checkpoints: true,
        ..DbOptions::of(settings)
    };
    connect_with(&settings.database_url, options).await
}

/// Opens (creating when missing) and migrates the database at `url` with `db`.
pub async fn connect_with(url: &str, db: DbOptions) -> Result<SqlitePool, sqlx::Error> {
    create_parent_folder(url);
    let mut options = SqliteConnectOptions::from_str(url)?;
    if let Some(pages) = db.max_pages {
        options = options.pragma("max_page_count", pages.to_string());
    }
    if db.background_checkpoints {
        options = options.pragma("wal_autocheckpoint", "0");
    }
    let synchronous = match db.durability {
        Durability::Normal => SqliteSynchronous::Normal,
        Durability::Full => SqliteSynchronous::Full,
    };
    let options = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(synchronous)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        // Room for a whole page of rows (50 + 1): the connection's thread hands them over
        // without waiting for the reader to catch up.
        .row_buffer_size(128);
    let pool = SqlitePoolOptions::new()
        .max_connections(db.connections)
        // Not pinged before each use: a SQLite connection is a file handle in this process,
        // not a socket that can go stale, and the ping is a round trip to its thread.
        .test_before_acquire(false)
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    if db.background_checkpoints {
        spawn_checkpointer(pool.clone());
    }
    Ok(pool)
}

/// Checkpoints the WAL every second (passive: never waits for readers or writers).
fn spawn_checkpointer(pool: SqlitePool) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        loop {
            every.tick().await;
            if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                tracing::warn!(error = %err, "WAL checkpoint failed");
            }
        }
    });
}

/// Starts a write transaction that takes the write lock at once (`BEGIN IMMEDIATE`), so
/// that read-then-write transactions never fail with "database is locked" halfway.
pub async fn begin_write(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

/// Turns a unique-constraint violation into a validation error on `field`; any other
/// database error stays what it is.
pub fn name_taken(
    field: &'static str,
    message: &'static str,
) -> impl FnOnce(sqlx::Error) -> AppError {
    move |err| match err {
        sqlx::Error::Database(ref d) if d.is_unique_violation() => {
            AppError::invalid(field, message)
        }
        other => other.into(),
    }
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
