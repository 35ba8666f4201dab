//! Rules for managing users and teams, shared by the admin page and `amidesk user`.

use super::AdminData;
use crate::audit::{store::insert_audit_event, store::AuditEntry, Actor};
use crate::auth::{password::hash_password, store, AuthRuntime, CurrentUser};
use crate::domain::{DisplayName, FieldErrors, Password, Role, TeamId, TeamName, UserId, Username};
use crate::error::AppError;
use crate::server::RequestMeta;
use crate::state::AppState;
use serde_json::json;
use sqlx::SqlitePool;

/// A new account, parsed.
#[derive(Debug)]
pub struct NewUser {
    /// Sign-in name.
    pub username: Username,
    /// Shown name.
    pub display_name: DisplayName,
    /// Initial password.
    pub password: Password,
    /// Role.
    pub role: Role,
    /// Teams to join (created when missing).
    pub teams: Vec<TeamName>,
}

impl NewUser {
    /// Parses the form fields; every bad field is named. An empty display name means the username.
    pub fn parse(
        username: &str,
        display_name: &str,
        password: &str,
        role: &str,
        team: Option<&str>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let username = errors.check("username", Username::parse(username));
        let shown = if display_name.trim().is_empty() {
            username.as_ref().map_or("", |u| u.as_str())
        } else {
            display_name
        };
        let display_name = errors.check("display_name", DisplayName::parse(shown));
        let password = errors.check("password", Password::parse(password));
        let role = errors.check("role", role.parse::<Role>());
        let teams: Vec<TeamName> = team
            .filter(|t| !t.trim().is_empty())
            .and_then(|t| errors.check("team", TeamName::parse(t)))
            .into_iter()
            .collect();
        match (username, display_name, password, role) {
            (Some(username), Some(display_name), Some(password), Some(role))
                if errors.is_empty() =>
            {
                Ok(Self {
                    username,
                    display_name,
                    password,
                    role,
                    teams,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Users and teams for the admin page.
pub async fn overview(pool: &SqlitePool) -> Result<AdminData, AppError> {
    Ok(AdminData {
        users: store::list_users(pool).await?,
        teams: store::list_teams(pool).await?,
    })
}

/// Adds an account (and any missing team), audited in the same transaction.
pub async fn create_user_in(
    pool: &SqlitePool,
    runtime: &AuthRuntime,
    actor: &Actor,
    meta: &RequestMeta,
    input: NewUser,
) -> Result<UserId, AppError> {
    let hash = hash_password(runtime, input.password.expose())
        .await
        .map_err(|e| AppError::internal("The password could not be stored.", e))?;
    let mut tx = crate::db::begin_write(pool).await?;
    if store::username_exists(&mut tx, input.username.as_str()).await? {
        return Err(AppError::invalid(
            "username",
            "That username is already taken.",
        ));
    }
    let id = store::insert_user(
        &mut tx,
        input.username.as_str(),
        input.display_name.as_str(),
        &hash,
        input.role,
    )
    .await?;
    let created = AuditEntry::new(actor.clone(), "user.create")
        .subject("user", id)
        .details(json!({
            "username": input.username.as_str(),
            "display_name": input.display_name.as_str(),
            "role": input.role.as_str(),
        }));
    insert_audit_event(&mut tx, &created, meta).await?;
    for team in &input.teams {
        let team_id = match store::find_team(&mut tx, team.as_str()).await? {
            Some(t) => t,
            None => {
                let t = store::insert_team(&mut tx, team.as_str(), 1).await?;
                let entry = AuditEntry::new(actor.clone(), "team.create")
                    .subject("team", t)
                    .team(t)
                    .details(json!({ "name": team.as_str(), "required_approvals": 1 }));
                insert_audit_event(&mut tx, &entry, meta).await?;
                t
            }
        };
        store::insert_member(&mut tx, team_id, id).await?;
        let entry = AuditEntry::new(actor.clone(), "team.add_member")
            .subject("team", team_id)
            .team(team_id)
            .details(json!({ "username": input.username.as_str() }));
        insert_audit_event(&mut tx, &entry, meta).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// [`create_user_in`] with the service's state.
pub async fn create_user(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: NewUser,
) -> Result<UserId, AppError> {
    create_user_in(&state.pool, &state.auth, actor, meta, input).await
}

/// Changes a user's role. Admins cannot change their own role (no accidental lock-out).
pub async fn set_role(
    state: &AppState,
    admin: &CurrentUser,
    meta: &RequestMeta,
    user: UserId,
    role: Role,
) -> Result<(), AppError> {
    if user == admin.id {
        return Err(AppError::invalid(
            "role",
            "You cannot change your own role.",
        ));
    }
    let mut tx = crate::db::begin_write(&state.pool).await?;
    let old = store::update_role(&mut tx, user, role)
        .await?
        .ok_or(AppError::NotFound)?;
    let entry = AuditEntry::new(admin.clone().into(), "user.set_role")
        .subject("user", user)
        .details(json!({ "from": old, "to": role.as_str() }));
    insert_audit_event(&mut tx, &entry, meta).await?;
    tx.commit().await?;
    state.auth.users.changed();
    Ok(())
}

/// Disables or re-enables a user. Admins cannot disable themselves.
pub async fn set_disabled(
    state: &AppState,
    admin: &CurrentUser,
    meta: &RequestMeta,
    user: UserId,
    disabled: bool,
) -> Result<(), AppError> {
    if user == admin.id && disabled {
        return Err(AppError::invalid(
            "disabled",
            "You cannot disable your own account.",
        ));
    }
    let mut tx = crate::db::begin_write(&state.pool).await?;
    if !store::update_disabled(&mut tx, user, disabled).await? {
        return Err(AppError::NotFound);
    }
    let action = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    let entry = AuditEntry::new(admin.clone().into(), action).subject("user", user);
    insert_audit_event(&mut tx, &entry, meta).await?;
    tx.commit().await?;
    state.auth.users.changed();
    Ok(())
}

/// Adds a team that needs `required_approvals` distinct approvals per request.
pub async fn create_team(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    name: &str,
    required_approvals: i64,
) -> Result<TeamId, AppError> {
    let mut errors = FieldErrors::default();
    let name = errors.check("name", TeamName::parse(name));
    if !(1..=10).contains(&required_approvals) {
        errors.push(
            "required_approvals",
            "Required approvals must be between 1 and 10.",
        );
    }
    errors.into_result()?;
    let Some(name) = name else {
        return Err(AppError::invalid("name", "Team name is required."));
    };
    let mut tx = crate::db::begin_write(&state.pool).await?;
    if store::find_team(&mut tx, name.as_str()).await?.is_some() {
        return Err(AppError::invalid(
            "name",
            "A team with that name already exists.",
        ));
    }
    let id = store::insert_team(&mut tx, name.as_str(), required_approvals).await?;
    let entry = AuditEntry::new(actor.clone(), "team.create")
        .subject("team", id)
        .team(id)
        .details(json!({ "name": name.as_str(), "required_approvals": required_approvals }));
    insert_audit_event(&mut tx, &entry, meta).await?;
    tx.commit().await?;
    Ok(id)
}

/// Puts a user in a team.
pub async fn add_member(
    state: &AppState,
    admin: &CurrentUser,
    meta: &RequestMeta,
    team: TeamId,
    username: &str,
) -> Result<(), AppError> {
    change_membership(state, admin, meta, team, username, true).await
}

/// Takes a user out of a team.
pub async fn remove_member(
    state: &AppState,
    admin: &CurrentUser,
    meta: &RequestMeta,
    team: TeamId,
    username: &str,
) -> Result<(), AppError> {
    change_membership(state, admin, meta, team, username, false).await
}

async fn change_membership(
    state: &AppState,
    admin: &CurrentUser,
    meta: &RequestMeta,
    team: TeamId,
    username: &str,
    add: bool,
) -> Result<(), AppError> {
    let name = Username::parse(username).map_err(|e| AppError::invalid("username", e))?;
    let row = store::find_user_for_sign_in(&state.pool, name.as_str()).await?;
    let user = row
        .map(|r| UserId(r.user_id))
        .ok_or_else(|| AppError::invalid("username", "No user has that username."))?;
    let mut tx = crate::db::begin_write(&state.pool).await?;
    let changed = if add {
        store::insert_member(&mut tx, team, user).await
    } else {
        store::delete_member(&mut tx, team, user).await
    };
    let changed = changed.map_err(|e| match e {
        sqlx::Error::Database(ref d) if d.is_foreign_key_violation() => AppError::NotFound,
        other => other.into(),
    })?;
    if changed {
        let action = if add {
            "team.add_member"
        } else {
            "team.remove_member"
        };
        let entry = AuditEntry::new(admin.clone().into(), action)
            .subject("team", team)
            .team(team)
            .details(json!({ "username": name.as_str() }));
        insert_audit_event(&mut tx, &entry, meta).await?;
    }
    tx.commit().await?;
    state.auth.users.changed();
    Ok(())
}
