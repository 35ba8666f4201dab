//! Rules for templates: team approvers and admins create and edit them, team members use
//! them; every version is kept and every change audited.

use super::store::{self, TemplateRow};
use super::{TemplateDetail, TemplateSummary};
use crate::audit::{store::insert_audit_event, store::AuditEntry};
use crate::auth::CurrentUser;
use crate::domain::register_image::RegisterImageForm;
use crate::domain::template::{Placeholders, TemplateContent, TemplateField};
use crate::domain::{Role, TeamId};
use crate::error::AppError;
use crate::requests::Saved;
use crate::server::RequestMeta;
use crate::state::AppState;
use serde_json::json;
use sqlx::SqliteConnection;

fn member(user: &CurrentUser, team: i64) -> bool {
    user.sees_team(TeamId(team))
}

fn may_edit(user: &CurrentUser, team: i64) -> bool {
    member(user, team) && user.role.allows(Role::Approver)
}

fn check(name: &str, description: &str, content: &TemplateContent) -> Result<(), AppError> {
    content
        .check(name, description)
        .into_result()
        .map_err(AppError::Invalid)
}

fn to_json(content: &TemplateContent) -> Result<String, AppError> {
    serde_json::to_string(content)
        .map_err(|e| AppError::internal("The template could not be stored.", e))
}

fn parse(json: &str) -> Result<TemplateContent, AppError> {
    serde_json::from_str(json).map_err(|e| AppError::internal("The template could not be read.", e))
}

async fn load_visible(
    conn: &mut SqliteConnection,
    user: &CurrentUser,
    id: i64,
) -> Result<TemplateRow, AppError> {
    match store::find(conn, id).await? {
        Some(row) if member(user, row.team_id) => Ok(row),
        Some(row) => {
            crate::auth::guard::note_hidden(user, "template", row.template_id);
            Err(AppError::NotFound)
        }
        None => Err(AppError::NotFound),
    }
}

fn summary(row: TemplateRow) -> TemplateSummary {
    TemplateSummary {
        id: row.template_id,
        team: row.team,
        name: row.name,
        description: row.description,
        version: row.current_version,
        archived: row.archived_at.is_some(),
        updated_at: row.updated_at,
    }
}

/// Refuses a user who may not create `team`'s templates (checked before any input).
fn may_create(user: &CurrentUser, team: TeamId) -> Result<(), AppError> {
    if may_edit(user, team.0) {
        Ok(())
    } else {
        Err(AppError::Forbidden
            .with_reason("Only approvers and admins of the team can create its templates.".into()))
    }
}

/// Creates a template for `team` (approvers and admins of the team).
pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    team: TeamId,
    name: &str,
    description: &str,
    content: TemplateContent,
) -> Result<i64, AppError> {
    may_create(user, team)?;
    check(name, description, &content)?;
    let json = to_json(&content)?;
    let mut tx = crate::db::begin_write(&state.pool).await?;
    let id = store::insert_template(&mut tx, team, name.trim(), description, &json, user.id)
        .await
        .map_err(crate::db::name_taken(
            "name",
            "The team already has a template with this name.",
        ))?;
    let e = AuditEntry::new(user.clone().into(), "template.create")
        .subject("template", id)
        .team(team)
        .details(json!({ "name": name.trim(), "version": 1 }));
    insert_audit_event(&mut tx, &e, meta).await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves a new version if nobody saved since `expected_version`.
pub async fn update(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    id: i64,
    expected_version: i64,
    description: &str,
    content: TemplateContent,
) -> Result<i64, AppError> {
    let mut tx = crate::db::begin_write(&state.pool).await?;
    let row = load_visible(&mut tx, user, id).await?;
    if !may_edit(user, row.team_id) {
        return Err(AppError::Forbidden
            .with_reason("Only approvers and admins of the team can edit its templates.".into()));
    }
    check(&row.name, description, &content)?;
    let json = to_json(&content)?;
    let Some(version) =
        store::update_template(&mut tx, id, expected_version, description, &json, user.id).await?
    else {
        return Err(AppError::Conflict {
            message: format!(
                "The template is at version {} or archived; reload before editing.",
                row.current_version
            ),
        });
    };
    let e = AuditEntry::new(user.clone().into(), "template.update")
        .subject("template", id)
        .team(TeamId(row.team_id))
        .details(json!({ "version": version }));
    insert_audit_event(&mut tx, &e, meta).await?;
    tx.commit().await?;
    Ok(version)
}

/// Archives a template: it stays readable and linked, but is no longer offered.
pub async fn archive(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    id: i64,
) -> Result<(), AppError> {
    let mut tx = crate::db::begin_write(&state.pool).await?;
    let row = load_visible(&mut tx, user, id).await?;
    if !may_edit(user, row.team_id) {
        return Err(AppError::Forbidden.with_reason(
            "Only approvers and admins of the team can archive its templates.".into(),
        ));
    }
    if !store::archive(&mut tx, id).await? {
        return Err(AppError::Conflict {
            message: "The template is already archived.".into(),
        });
    }
    let e = AuditEntry::new(user.clone().into(), "template.archive")
        .subject("template", id)
        .team(TeamId(row.team_id));
    insert_audit_event(&mut tx, &e, meta).await?;
    tx.commit().await?;
    Ok(())
}

/// The templates of the user's teams.
pub async fn list(state: &AppState, user: &CurrentUser) -> Result<Vec<TemplateSummary>, AppError> {
    let rows = store::list(&state.pool, user.id, user.role == Role::Admin).await?;
    Ok(rows.into_iter().map(summary).collect())
}

/// One template with its current content.
pub async fn get(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<TemplateDetail, AppError> {
    let mut conn = state.pool.acquire().await?;
    let row = load_visible(&mut conn, user, id).await?;
    let json = store::version_content(&mut conn, id, row.current_version)
        .await?
        .ok_or(AppError::NotFound)?;
    let can_edit = may_edit(user, row.team_id) && row.archived_at.is_none();
    Ok(TemplateDetail {
        content: parse(&json)?,
        can_edit,
        summary: summary(row),
    })
}

/// The versions of a template.
pub async fn versions(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<Vec<super::TemplateVersion>, AppError> {
    let mut conn = state.pool.acquire().await?;
    load_visible(&mut conn, user, id).await?;
    drop(conn);
    Ok(store::versions(&state.pool, id).await?)
}

/// Field differences between two versions (values and modes); 0 and 0 compare the current
/// version with the one before it.
pub async fn diff(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    from: i64,
    to: i64,
) -> Result<Vec<crate::domain::register_image::FieldChange>, AppError> {
    let mut conn = state.pool.acquire().await?;
    let row = load_visible(&mut conn, user, id).await?;
    // 0 means "the current version" for `to` and "the one before `to`" for `from`.
    let to = if to <= 0 { row.current_version } else { to };
    let from = if from <= 0 { (to - 1).max(1) } else { from };
    let mut load = async |v: i64| -> Result<TemplateContent, AppError> {
        parse(
            &store::version_content(&mut conn, id, v)
                .await?
                .ok_or(AppError::NotFound)?,
        )
    };
    let (a, b) = (load(from).await?, load(to).await?);
    let mut changes = crate::domain::template::diff(&a, &b);
    changes.sort_by(|x, y| x.field.cmp(&y.field));
    Ok(changes)
}

/// A template as JSON (`{ name, description, content }`), for export.
pub async fn export(state: &AppState, user: &CurrentUser, id: i64) -> Result<String, AppError> {
    let detail = get(state, user, id).await?;
    serde_json::to_string_pretty(&json!({
        "name": detail.summary.name, "description": detail.summary.description, "content": detail.content,
    }))
    .map_err(|e| AppError::internal("The template could not be exported.", e))
}

/// A new template from exported JSON, checked like any other.
pub async fn import(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    team: TeamId,
    json: &str,
) -> Result<i64, AppError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Exported {
        name: String,
        #[serde(default)]
        description: String,
        content: TemplateContent,
    }
    may_create(user, team)?;
    if json.len() > 512 * 1024 {
        return Err(AppError::invalid(
            "json",
            "The document is too large (at most 512 KiB).",
        ));
    }
    let doc: Exported = serde_json::from_str(json)
        .map_err(|e| AppError::invalid("json", format!("Not a template export: {e}.")))?;
    create(
        state,
        user,
        meta,
        team,
        &doc.name,
        &doc.description,
        doc.content,
    )
    .await
}

/// A new draft from the template's current version, placeholders expanded, recording the
/// template and version it started from.
pub async fn new_request(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    id: i64,
) -> Result<Saved, AppError> {
    new_request_with(state, user, meta, id, None).await
}

/// Values a caller sets over a template's starting form (the HTTP API), and which fields.
pub struct Overrides {
    /// The caller's values.
    pub form: RegisterImageForm,
    /// The fields the caller set.
    pub fields: Vec<TemplateField>,
}

/// [`new_request`], with the caller's values over the template's for the fields they set.
/// A changed locked field is refused on that field, and a request with overrides must pass
/// every RegisterImage rule.
pub async fn new_request_with(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    id: i64,
    overrides: Option<Overrides>,
) -> Result<Saved, AppError> {
    let mut tx = crate::db::begin_write(&state.pool).await?;
    let row = load_visible(&mut tx, user, id).await?;
    if row.archived_at.is_some() {
        return Err(AppError::Conflict {
            message: "This template is archived; it is no longer offered.".into(),
        });
    }
    let json = store::version_content(&mut tx, id, row.current_version)
        .await?
        .ok_or(AppError::NotFound)?;
    let seq = store::take_seq(&mut tx, id).await?;
    let content = parse(&json)?;
    let base = RegisterImageForm {
        region: state.settings.regions.first().cloned().unwrap_or_default(),
        ..RegisterImageForm::default()
    };
    let placeholders = Placeholders {
        team: row.team.clone(),
        date: crate::db::now_text()[..10].to_string(),
        seq,
    };
    let started = content.new_form(base, &placeholders);
    let form = match overrides {
        None => started,
        Some(o) => {
            let mut form = started.clone();
            for field in &o.fields {
                field.copy(&o.form, &mut form);
            }
            content
                .check_locked(&started, &form)
                .map_err(AppError::Invalid)?;
            crate::domain::register_image::RegisterImageRequest::try_from(&form)?;
            form
        }
    };
    tx.commit().await?;
    crate::requests::service::create_from_template(
        state,
        user,
        meta,
        TeamId(row.team_id),
        form,
        (id, row.current_version),
    )
    .await
}

/// The id of the team that owns template `id`, if the user may see it.
pub async fn team_of(state: &AppState, user: &CurrentUser, id: i64) -> Result<TeamId, AppError> {
    let mut conn = state.pool.acquire().await?;
    Ok(TeamId(load_visible(&mut conn, user, id).await?.team_id))
}
