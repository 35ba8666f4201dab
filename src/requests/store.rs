//! SQL for requests and their revisions.

use super::{ListFilter, ListScope, RequestSummary, RevisionInfo};
use crate::domain::{RequestId, TeamId, UserId};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};

/// A request row with names resolved.
#[derive(Debug, sqlx::FromRow)]
pub struct RequestRow {
    /// Id.
    pub request_id: i64,
    /// Team id.
    pub team_id: i64,
    /// Team name.
    pub team: String,
    /// Author id.
    pub author_id: i64,
    /// Author display name.
    pub author: String,
    /// Last editor display name.
    pub last_editor: String,
    /// State name.
    pub state: String,
    /// Region.
    pub region: String,
    /// Revision.
    pub revision: i64,
    /// Form JSON.
    pub content: String,
    /// Its hash.
    pub content_hash: String,
    /// Image id.
    pub image_id: Option<String>,
    /// When registration began.
    pub registering_since: Option<String>,
    /// The template it started from.
    pub template_id: Option<i64>,
    /// That template's version.
    pub template_version: Option<i64>,
    /// Created.
    pub created_at: String,
    /// Updated.
    pub updated_at: String,
}

/// The content being written.
pub struct Content<'a> {
    /// Target Region.
    pub region: &'a str,
    /// AMI name, for lists and search.
    pub name: &'a str,
    /// Form JSON.
    pub json: &'a str,
    /// SHA-256 of `json`.
    pub hash: &'a str,
}

/// Adds a draft at revision 1 with its first revision row.
pub async fn insert_request(
    conn: &mut SqliteConnection,
    team: TeamId,
    author: UserId,
    c: &Content<'_>,
) -> Result<RequestId, sqlx::Error> {
    let now = crate::db::now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO requests (team_id, author_id, last_editor_id, state, region, name, revision, content, \
         content_hash, created_at, updated_at) VALUES (?, ?, ?, 'draft', ?, ?, 1, ?, ?, ?, ?) RETURNING request_id",
    )
    .bind(team.0)
    .bind(author.0)
    .bind(author.0)
    .bind(c.region)
    .bind(c.name)
    .bind(c.json)
    .bind(c.hash)
    .bind(&now)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?;
    insert_revision(conn, RequestId(id), 1, author, c).await?;
    Ok(RequestId(id))
}

async fn insert_revision(
    conn: &mut SqliteConnection,
    id: RequestId,
    revision: i64,
    editor: UserId,
    c: &Content<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO request_revisions (request_id, revision, content, content_hash, editor_id, created_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(id.0)
    .bind(revision)
    .bind(c.json)
    .bind(c.hash)
    .bind(editor.0)
    .bind(crate::db::now_text())
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes a new revision if the request is still at `expected` and editable. Returns the
/// new revision, or `None` when someone else got there first (compare-and-set).
pub async fn update_content(
    conn: &mut SqliteConnection,
    id: RequestId,
    expected: i64,
    editor: UserId,
    c: &Content<'_>,
) -> Result<Option<i64>, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE requests SET region = ?, name = ?, content = ?, content_hash = ?, revision = revision + 1, \
         last_editor_id = ?, updated_at = ?, state = 'draft' \
         WHERE request_id = ? AND revision = ? AND state IN ('draft', 'rejected', 'pending') AND deleted_at IS NULL",
    )
    .bind(c.region)
    .bind(c.name)
    .bind(c.json)
    .bind(c.hash)
    .bind(editor.0)
    .bind(crate::db::now_text())
    .bind(id.0)
    .bind(expected)
    .execute(&mut *conn)
    .await?;
    if result.rows_affected() != 1 {
        return Ok(None);
    }
    insert_revision(conn, id, expected + 1, editor, c).await?;
    Ok(Some(expected + 1))
}

const SELECT_REQUEST: &str = "SELECT r.request_id, r.team_id, t.name AS team, r.author_id, a.display_name AS author, \
     e.display_name AS last_editor, r.state, r.region, r.revision, r.content, r.content_hash, r.image_id, r.registering_since, r.template_id, r.template_version, \
     r.created_at, r.updated_at \
     FROM requests r JOIN teams t ON t.team_id = r.team_id JOIN users a ON a.user_id = r.author_id \
     JOIN users e ON e.user_id = r.last_editor_id";

/// A request that has not been deleted.
pub async fn find_request(
    conn: &mut SqliteConnection,
    id: RequestId,
) -> Result<Option<RequestRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT_REQUEST} WHERE r.request_id = ? AND r.deleted_at IS NULL"
    ))
    .bind(id.0)
    .fetch_optional(conn)
    .await
}

/// Records the template and version a request started from.
pub async fn set_template(
    conn: &mut SqliteConnection,
    id: RequestId,
    template: (i64, i64),
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE requests SET template_id = ?, template_version = ? WHERE request_id = ?")
        .bind(template.0)
        .bind(template.1)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// The content a request started with (its first revision).
pub async fn first_content(
    conn: &mut SqliteConnection,
    id: RequestId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT content FROM request_revisions WHERE request_id = ? AND revision = 1",
    )
    .bind(id.0)
    .fetch_optional(conn)
    .await
}

/// Marks a draft deleted; returns whether it was one.
pub async fn soft_delete(conn: &mut SqliteConnection, id: RequestId) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE requests SET deleted_at = ?, updated_at = ? WHERE request_id = ? AND deleted_at IS NULL \
         AND state IN ('draft', 'rejected', 'withdrawn')",
    )
    .bind(crate::db::now_text())
    .bind(crate::db::now_text())
    .bind(id.0)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// A page of requests visible to `user`, newest change first, after `cursor`.
///
/// Only the filters in use become conditions, so that SQLite walks the index of the
/// scope (`requests_by_author` or `requests_by_team`) newest first and stops after `limit`
/// rows, instead of reading every request and sorting them.
pub async fn list_requests(
    pool: &SqlitePool,
    user: UserId,
    all_teams: bool,
    filter: &ListFilter,
    limit: i64,
) -> Result<Vec<RequestSummary>, sqlx::Error> {
    // The columns in the order `summary_of` reads them.
    let mut sql = QueryBuilder::<Sqlite>::new(
        "SELECT r.request_id, t.name, r.name, r.region, r.state, \
         a.display_name, r.updated_at, r.revision \
         FROM requests r JOIN teams t ON t.team_id = r.team_id \
         JOIN users a ON a.user_id = r.author_id WHERE r.deleted_at IS NULL",
    );
    match filter.scope {
        ListScope::Mine => {
            sql.push(" AND r.author_id = ").push_bind(user.0);
        }
        ListScope::Team if all_teams => {}
        ListScope::Team => {
            sql.push(" AND r.team_id IN (SELECT team_id FROM team_members WHERE user_id = ")
                .push_bind(user.0)
                .push(")");
        }
    }
    if !filter.state.is_empty() {
        sql.push(" AND r.state = ").push_bind(filter.state.clone());
    }
    if !filter.team.is_empty() {
        sql.push(" AND t.name = ").push_bind(filter.team.clone());
    }
    let search = filter.search.trim();
    if !search.is_empty() {
        let pattern = like_pattern(search);
        sql.push(" AND (");
        let mut any = sql.separated(" OR ");
        for column in ["r.name", "r.region", "a.display_name"] {
            any.push(column)
                .push_unseparated(" LIKE ")
                .push_bind_unseparated(pattern.clone())
                .push_unseparated(" ESCAPE '\\'");
        }
        sql.push(")");
    }
    if let Some((at, id)) = parse_cursor(&filter.cursor) {
        sql.push(" AND (r.updated_at, r.request_id) < (")
            .push_bind(at)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    sql.push(" ORDER BY r.updated_at DESC, r.request_id DESC LIMIT ")
        .push_bind(limit);
    let rows = sql.build().fetch_all(pool).await?;
    rows.iter().map(summary_of).collect()
}

/// One row of `list_requests`, read by position: by name, every value read looked its
/// column up among the row's names (BENCHMARKS.md, budget 1).
fn summary_of(row: &SqliteRow) -> Result<RequestSummary, sqlx::Error> {
    Ok(RequestSummary {
        id: row.try_get(0)?,
        team: row.try_get(1)?,
        name: row.try_get(2)?,
        region: row.try_get(3)?,
        state: row.try_get(4)?,
        author: row.try_get(5)?,
        updated_at: row.try_get(6)?,
        revision: row.try_get(7)?,
    })
}

/// `text` as a LIKE pattern that matches it anywhere, its wildcards taken literally.
fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The cursor after `row`.
pub fn cursor_after(row: &RequestSummary) -> String {
    format!("{}|{}", row.updated_at, row.id)
}

/// The change time and id a cursor names; `None` (the first page) for anything else.
fn parse_cursor(cursor: &str) -> Option<(String, i64)> {
    let (at, id) = cursor.split_once('|')?;
    Some((at.to_string(), id.parse().ok()?))
}

/// Every revision of a request, newest first.
pub async fn list_revisions(
    pool: &SqlitePool,
    id: RequestId,
) -> Result<Vec<RevisionInfo>, sqlx::Error> {
    sqlx::query_as(
        "SELECT v.revision, u.display_name AS editor, v.created_at, v.content_hash \
         FROM request_revisions v JOIN users u ON u.user_id = v.editor_id WHERE v.request_id = ? ORDER BY v.revision DESC",
    )
    .bind(id.0)
    .fetch_all(pool)
    .await
}

/// The content of one revision.
pub async fn revision_content(
    pool: &SqlitePool,
    id: RequestId,
    revision: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT content FROM request_revisions WHERE request_id = ? AND revision = ?",
    )
    .bind(id.0)
    .bind(revision)
    .fetch_optional(pool)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_matches_anywhere_and_its_wildcards_literally() {
        assert_eq!(like_pattern("web"), "%web%");
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn a_cursor_names_a_time_and_an_id_or_nothing() {
        assert_eq!(
            parse_cursor("2026-12-05T07:00:00Z|42"),
            Some(("2026-12-05T07:00:00Z".to_string(), 42))
        );
        assert_eq!(parse_cursor(""), None);
        assert_eq!(parse_cursor("2026|x"), None);
    }
}
