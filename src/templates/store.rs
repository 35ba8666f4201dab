//! SQL for templates and their versions.

use crate::domain::{TeamId, UserId};
use sqlx::{SqliteConnection, SqlitePool};

/// A template row with its team's name.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TemplateRow {
    /// Id.
    pub template_id: i64,
    /// Owning team.
    pub team_id: i64,
    /// Team name.
    pub team: String,
    /// Template name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Latest version.
    pub current_version: i64,
    /// Next `{seq}`.
    pub next_seq: i64,
    /// Set when archived.
    pub archived_at: Option<String>,
    /// Last change.
    pub updated_at: String,
}

const SELECT: &str =
    "SELECT t.template_id, t.team_id, m.name AS team, t.name, t.description, t.current_version, \
    t.next_seq, t.archived_at, t.updated_at FROM templates t JOIN teams m ON m.team_id = t.team_id";

/// Adds a template at version 1.
pub async fn insert_template(
    conn: &mut SqliteConnection,
    team: TeamId,
    name: &str,
    description: &str,
    content: &str,
    editor: UserId,
) -> Result<i64, sqlx::Error> {
    let now = crate::db::now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO templates (team_id, name, description, current_version, created_at, updated_at) \
         VALUES (?, ?, ?, 1, ?, ?) RETURNING template_id",
    )
    .bind(team.0)
    .bind(name)
    .bind(description)
    .bind(&now)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?;
    insert_version(conn, id, 1, content, editor).await?;
    Ok(id)
}

async fn insert_version(
    conn: &mut SqliteConnection,
    id: i64,
    version: i64,
    content: &str,
    editor: UserId,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO template_versions (template_id, version, content, editor_id, created_at) VALUES (?, ?, ?, ?, ?)")
        .bind(id)
        .bind(version)
        .bind(content)
        .bind(editor.0)
        .bind(crate::db::now_text())
        .execute(conn)
        .await?;
    Ok(())
}

/// Adds a version if the template is still at `expected` and not archived; returns it.
pub async fn update_template(
    conn: &mut SqliteConnection,
    id: i64,
    expected: i64,
    description: &str,
    content: &str,
    editor: UserId,
) -> Result<Option<i64>, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE templates SET current_version = current_version + 1, description = ?, updated_at = ? \
         WHERE template_id = ? AND current_version = ? AND archived_at IS NULL",
    )
    .bind(description)
    .bind(crate::db::now_text())
    .bind(id)
    .bind(expected)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if !done {
        return Ok(None);
    }
    insert_version(conn, id, expected + 1, content, editor).await?;
    Ok(Some(expected + 1))
}

/// Archives a template; returns whether it was active.
pub async fn archive(conn: &mut SqliteConnection, id: i64) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("UPDATE templates SET archived_at = ?, updated_at = ? WHERE template_id = ? AND archived_at IS NULL")
        .bind(crate::db::now_text())
        .bind(crate::db::now_text())
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

/// One template.
pub async fn find(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<Option<TemplateRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE t.template_id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The templates of the user's teams (all teams for admins), active first.
pub async fn list(
    pool: &SqlitePool,
    user: UserId,
    all_teams: bool,
) -> Result<Vec<TemplateRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE ? OR t.team_id IN (SELECT team_id FROM team_members WHERE user_id = ?) \
         ORDER BY t.archived_at IS NOT NULL, m.name, t.name"
    ))
    .bind(all_teams)
    .bind(user.0)
    .fetch_all(pool)
    .await
}

/// A version's content.
pub async fn version_content(
    conn: &mut SqliteConnection,
    id: i64,
    version: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT content FROM template_versions WHERE template_id = ? AND version = ?",
    )
    .bind(id)
    .bind(version)
    .fetch_optional(conn)
    .await
}

/// Every version, newest first, with how many requests started from each.
pub async fn versions(
    pool: &SqlitePool,
    id: i64,
) -> Result<Vec<super::TemplateVersion>, sqlx::Error> {
    sqlx::query_as(
        "SELECT v.version, u.display_name AS editor, v.created_at, \
         (SELECT COUNT(*) FROM requests r WHERE r.template_id = v.template_id AND r.template_version = v.version \
            AND r.deleted_at IS NULL) AS requests \
         FROM template_versions v JOIN users u ON u.user_id = v.editor_id WHERE v.template_id = ? ORDER BY v.version DESC",
    )
    .bind(id)
    .fetch_all(pool)
    .await
}

/// Takes the next `{seq}` number.
pub async fn take_seq(conn: &mut SqliteConnection, id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE templates SET next_seq = next_seq + 1 WHERE template_id = ? RETURNING next_seq - 1",
    )
    .bind(id)
    .fetch_one(conn)
    .await
}
