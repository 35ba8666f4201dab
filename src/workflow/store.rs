//! SQL for workflow transitions: compare-and-set on state (and revision or content hash).

use super::ApprovalView;
use crate::domain::{RequestId, TeamId, UserId};
use sqlx::SqliteConnection;

/// Moves a request from `from` to `to` if it is still in `from` at `revision`.
pub async fn transition(
    conn: &mut SqliteConnection,
    id: RequestId,
    from: &[&str],
    to: &str,
    revision: i64,
) -> Result<bool, sqlx::Error> {
    let placeholders = vec!["?"; from.len()].join(", ");
    let sql = format!(
        "UPDATE requests SET state = ?, updated_at = ? WHERE request_id = ? AND revision = ? \
         AND deleted_at IS NULL AND state IN ({placeholders})"
    );
    let mut q = sqlx::query(&sql)
        .bind(to)
        .bind(crate::db::now_text())
        .bind(id.0)
        .bind(revision);
    for s in from {
        q = q.bind(*s);
    }
    Ok(q.execute(conn).await?.rows_affected() == 1)
}

/// Voids every standing approval of a request (after an edit, a rejection or a reopen).
pub async fn void_approvals(
    conn: &mut SqliteConnection,
    id: RequestId,
) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query(
            "UPDATE approvals SET voided_at = ? WHERE request_id = ? AND voided_at IS NULL",
        )
        .bind(crate::db::now_text())
        .bind(id.0)
        .execute(conn)
        .await?
        .rows_affected(),
    )
}

/// Records a decision; `false` when this person already decided on this content.
pub async fn insert_decision(
    conn: &mut SqliteConnection,
    id: RequestId,
    content_hash: &str,
    approver: UserId,
    decision: &str,
    comment: &str,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO approvals (request_id, content_hash, approver_id, decision, comment, created_at) \
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(id.0)
    .bind(content_hash)
    .bind(approver.0)
    .bind(decision)
    .bind(comment)
    .bind(crate::db::now_text())
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Distinct standing approvals for this content.
pub async fn count_approvals(
    conn: &mut SqliteConnection,
    id: RequestId,
    content_hash: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(DISTINCT approver_id) FROM approvals WHERE request_id = ? AND content_hash = ? \
         AND decision = 'approve' AND voided_at IS NULL",
    )
    .bind(id.0)
    .bind(content_hash)
    .fetch_one(conn)
    .await
}

/// How many approvals the team needs.
pub async fn required_approvals(
    conn: &mut SqliteConnection,
    team: TeamId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT required_approvals FROM teams WHERE team_id = ?")
        .bind(team.0)
        .fetch_one(conn)
        .await
}

/// Every decision on a request, newest first.
pub async fn list_decisions(
    conn: &mut SqliteConnection,
    id: RequestId,
) -> Result<Vec<ApprovalView>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.display_name AS approver, a.decision, a.comment, a.content_hash, a.voided_at IS NOT NULL AS voided, a.created_at \
         FROM approvals a JOIN users u ON u.user_id = a.approver_id WHERE a.request_id = ? ORDER BY a.approval_id DESC",
    )
    .bind(id.0)
    .fetch_all(conn)
    .await
}

/// Registration fields of a request.
#[derive(Debug, sqlx::FromRow)]
pub struct RegistrationRow {
    /// Image id.
    pub image_id: Option<String>,
    /// Image state.
    pub image_state: Option<String>,
    /// EC2 error code.
    pub error_code: Option<String>,
    /// Error sentence.
    pub error_message: Option<String>,
    /// Last editor.
    pub last_editor_id: i64,
}

/// The registration fields.
pub async fn registration(
    conn: &mut SqliteConnection,
    id: RequestId,
) -> Result<RegistrationRow, sqlx::Error> {
    sqlx::query_as("SELECT image_id, image_state, error_code, error_message, last_editor_id FROM requests WHERE request_id = ?")
        .bind(id.0)
        .fetch_one(conn)
        .await
}

/// `approved → registering`, exactly one caller wins.
pub async fn claim_registration(
    conn: &mut SqliteConnection,
    id: RequestId,
) -> Result<bool, sqlx::Error> {
    let now = crate::db::now_text();
    Ok(sqlx::query(
        "UPDATE requests SET state = 'registering', registering_since = ?, updated_at = ?, \
         register_attempts = register_attempts + 1, error_code = NULL, error_message = NULL \
         WHERE request_id = ? AND state = 'approved'",
    )
    .bind(&now)
    .bind(&now)
    .bind(id.0)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// How a registration ended.
pub struct Finish<'a> {
    /// `registered` or `failed`.
    pub state: &'a str,
    /// The image, when registered.
    pub image_id: Option<&'a str>,
    /// Its state.
    pub image_state: Option<&'a str>,
    /// EC2's code, when failed.
    pub error_code: Option<&'a str>,
    /// A sentence, when failed.
    pub error_message: Option<&'a str>,
    /// AWS's request id.
    pub aws_request_id: Option<&'a str>,
}

/// `registering → registered | failed`.
pub async fn finish_registration(
    conn: &mut SqliteConnection,
    id: RequestId,
    f: &Finish<'_>,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE requests SET state = ?, image_id = ?, image_state = ?, error_code = ?, error_message = ?, \
         aws_request_id = ?, updated_at = ? WHERE request_id = ? AND state = 'registering'",
    )
    .bind(f.state)
    .bind(f.image_id)
    .bind(f.image_state)
    .bind(f.error_code)
    .bind(f.error_message)
    .bind(f.aws_request_id)
    .bind(crate::db::now_text())
    .bind(id.0)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Requests in `registering` since before `older_than` (all of them when `None`).
pub async fn stuck_registrations(
    conn: &mut SqliteConnection,
    older_than: Option<&str>,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT request_id FROM requests WHERE state = 'registering' AND (? IS NULL OR registering_since < ?)")
        .bind(older_than)
        .bind(older_than)
        .fetch_all(conn)
        .await
}

/// Records an image's latest state.
pub async fn update_image_state(
    conn: &mut SqliteConnection,
    id: RequestId,
    state: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE requests SET image_state = ? WHERE request_id = ?")
        .bind(state)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}
