//! SQL for users, teams and memberships.

use super::{CurrentUser, TeamRef};
use crate::admin::{TeamSummary, UserSummary};
use crate::domain::{Role, TeamId, UserId};
use sqlx::{SqliteConnection, SqlitePool};

/// What sign-in needs to know about an account.
#[derive(Debug, sqlx::FromRow)]
pub struct SignInRow {
    /// The user's id.
    pub user_id: i64,
    /// The stored Argon2 hash.
    pub password_hash: String,
    /// Set when the account is disabled.
    pub disabled_at: Option<String>,
}

/// The account behind a username, if any.
pub async fn find_user_for_sign_in(
    pool: &SqlitePool,
    username: &str,
) -> Result<Option<SignInRow>, sqlx::Error> {
    sqlx::query_as("SELECT user_id, password_hash, disabled_at FROM users WHERE username = ?")
        .bind(username)
        .fetch_optional(pool)
        .await
}

/// The signed-in user with their teams, or `None` when the account is missing or disabled.
/// One query (a row per team, or one row with no team): it runs on every page.
pub async fn load_active_user(
    pool: &SqlitePool,
    user_id: UserId,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    type Row = (i64, String, String, String, Option<i64>, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT u.user_id, u.username, u.display_name, u.role, t.team_id, t.name \
         FROM users u LEFT JOIN team_members m ON m.user_id = u.user_id \
         LEFT JOIN teams t ON t.team_id = m.team_id \
         WHERE u.user_id = ? AND u.disabled_at IS NULL ORDER BY t.name",
    )
    .bind(user_id.0)
    .fetch_all(pool)
    .await?;
    let Some((id, username, display_name, role, _, _)) = rows.first().cloned() else {
        return Ok(None);
    };
    let teams = rows
        .into_iter()
        .filter_map(|(_, _, _, _, team_id, name)| {
            Some(TeamRef {
                id: TeamId(team_id?),
                name: name?,
            })
        })
        .collect();
    Ok(Some(CurrentUser {
        id: UserId(id),
        username,
        display_name,
        role: role.parse().unwrap_or(Role::Requester),
        teams,
        via_token: None,
    }))
}

/// Adds an account and returns its id.
pub async fn insert_user(
    conn: &mut SqliteConnection,
    username: &str,
    display_name: &str,
    password_hash: &str,
    role: Role,
) -> Result<UserId, sqlx::Error> {
    let now = crate::db::now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (username, display_name, password_hash, role, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?) RETURNING user_id",
    )
    .bind(username)
    .bind(display_name)
    .bind(password_hash)
    .bind(role.as_str())
    .bind(&now)
    .bind(&now)
    .fetch_one(conn)
    .await?;
    Ok(UserId(id))
}

/// Whether a username is taken.
pub async fn username_exists(
    conn: &mut SqliteConnection,
    username: &str,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username = ?")
        .bind(username)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

/// How many accounts exist.
pub async fn count_users(pool: &SqlitePool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(pool)
        .await
}

/// Changes a user's role; returns the old role, or `None` when there is no such user.
pub async fn update_role(
    conn: &mut SqliteConnection,
    user_id: UserId,
    role: Role,
) -> Result<Option<String>, sqlx::Error> {
    let old: Option<String> = sqlx::query_scalar("SELECT role FROM users WHERE user_id = ?")
        .bind(user_id.0)
        .fetch_optional(&mut *conn)
        .await?;
    if old.is_some() {
        sqlx::query("UPDATE users SET role = ?, updated_at = ? WHERE user_id = ?")
            .bind(role.as_str())
            .bind(crate::db::now_text())
            .bind(user_id.0)
            .execute(conn)
            .await?;
    }
    Ok(old)
}

/// Disables or enables an account; returns whether the user exists.
pub async fn update_disabled(
    conn: &mut SqliteConnection,
    user_id: UserId,
    disabled: bool,
) -> Result<bool, sqlx::Error> {
    let now = crate::db::now_text();
    let result = sqlx::query(
        "UPDATE users SET disabled_at = CASE WHEN ? THEN COALESCE(disabled_at, ?) ELSE NULL END, \
         updated_at = ? WHERE user_id = ?",
    )
    .bind(disabled)
    .bind(&now)
    .bind(&now)
    .bind(user_id.0)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

#[derive(sqlx::FromRow)]
struct UserRow {
    user_id: i64,
    username: String,
    display_name: String,
    role: String,
    disabled_at: Option<String>,
    teams: Option<String>,
}

/// Every account with its teams, by username.
pub async fn list_users(pool: &SqlitePool) -> Result<Vec<UserSummary>, sqlx::Error> {
    let rows: Vec<UserRow> = sqlx::query_as(
        "SELECT u.user_id, u.username, u.display_name, u.role, u.disabled_at, \
         (SELECT GROUP_CONCAT(name, ', ') FROM (SELECT t.name FROM teams t JOIN team_members m \
           ON m.team_id = t.team_id WHERE m.user_id = u.user_id ORDER BY t.name)) AS teams \
         FROM users u ORDER BY u.username",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| UserSummary {
            id: UserId(r.user_id),
            username: r.username,
            display_name: r.display_name,
            role: r.role.parse().unwrap_or(Role::Requester),
            disabled: r.disabled_at.is_some(),
            teams: r.teams.unwrap_or_default(),
        })
        .collect())
}

/// Every team with its members, by name.
pub async fn list_teams(pool: &SqlitePool) -> Result<Vec<TeamSummary>, sqlx::Error> {
    let rows: Vec<(i64, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT t.team_id, t.name, t.required_approvals, \
         (SELECT GROUP_CONCAT(username, ', ') FROM (SELECT u.username FROM users u JOIN team_members m \
           ON m.user_id = u.user_id WHERE m.team_id = t.team_id ORDER BY u.username)) \
         FROM teams t ORDER BY t.name",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| TeamSummary {
            id: TeamId(r.0),
            name: r.1,
            required_approvals: r.2,
            members: r.3.unwrap_or_default(),
        })
        .collect())
}

/// The id of the team called `name`, if any.
pub async fn find_team(
    conn: &mut SqliteConnection,
    name: &str,
) -> Result<Option<TeamId>, sqlx::Error> {
    let id: Option<i64> = sqlx::query_scalar("SELECT team_id FROM teams WHERE name = ?")
        .bind(name)
        .fetch_optional(conn)
        .await?;
    Ok(id.map(TeamId))
}

/// Adds a team and returns its id.
pub async fn insert_team(
    conn: &mut SqliteConnection,
    name: &str,
    required_approvals: i64,
) -> Result<TeamId, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO teams (name, required_approvals, created_at) VALUES (?, ?, ?) RETURNING team_id",
    )
    .bind(name)
    .bind(required_approvals)
    .bind(crate::db::now_text())
    .fetch_one(conn)
    .await?;
    Ok(TeamId(id))
}

/// Puts a user in a team (no change when already a member); returns whether it changed.
pub async fn insert_member(
    conn: &mut SqliteConnection,
    team: TeamId,
    user: UserId,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO team_members (team_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(team.0)
    .bind(user.0)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Takes a user out of a team; returns whether it changed.
pub async fn delete_member(
    conn: &mut SqliteConnection,
    team: TeamId,
    user: UserId,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query("DELETE FROM team_members WHERE team_id = ? AND user_id = ?")
        .bind(team.0)
        .bind(user.0)
        .execute(conn)
        .await?;
    Ok(result.rows_affected() == 1)
}
