//! Rules for drafts: who may see and change them, revisions with compare-and-set, and
//! every change audited in the same transaction.

use super::store::{self, Content, RequestRow};
use super::{
    DryRunVerdict, EditorOptions, ListFilter, ListScope, RequestDetail, RequestPage,
    RequestSummary, RevisionInfo, Saved,
};
use crate::audit::{store::insert_audit_event, store::record, store::AuditEntry};
use crate::auth::CurrentUser;
use crate::domain::register_image::{
    diff_forms, form_from_cli_json, FieldChange, RegisterImageForm, RegisterImageRequest,
};
use crate::domain::{RequestId, RequestState, Role, TeamId};
use crate::error::AppError;
use crate::server::RequestMeta;
use crate::state::AppState;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Rows on a page of the request list.
pub const PAGE_SIZE: i64 = 50;

/// SHA-256 (hex) of the form's JSON: what approvals are bound to.
pub fn content_hash(json: &str) -> String {
    hex::encode(Sha256::digest(json.as_bytes()))
}

/// The Regions and teams the editor offers to `user`.
pub fn editor_options(state: &AppState, user: &CurrentUser) -> EditorOptions {
    EditorOptions {
        regions: state.settings.regions.clone(),
        teams: user.teams.clone(),
        today: crate::db::now_text()[..10].to_string(),
    }
}

fn can_see(user: &CurrentUser, row: &RequestRow) -> bool {
    user.sees_team(TeamId(row.team_id))
}

fn check_draft(state: &AppState, form: &RegisterImageForm) -> Result<(), AppError> {
    let mut errors = form.check_draft();
    if !state
        .settings
        .regions
        .iter()
        .any(|r| r == form.region.trim())
    {
        errors.push(
            "Region",
            format!(
                "Choose one of the allowed Regions: {}.",
                state.settings.regions.join(", ")
            ),
        );
    }
    errors.into_result().map_err(AppError::Invalid)
}

fn to_json(form: &RegisterImageForm) -> Result<String, AppError> {
    serde_json::to_string(form)
        .map_err(|e| AppError::internal("The request could not be stored.", e))
}

fn detail(user: &CurrentUser, row: RequestRow) -> Result<RequestDetail, AppError> {
    let member = can_see(user, &row);
    let form: RegisterImageForm = serde_json::from_str(&row.content)
        .map_err(|e| AppError::internal("The request could not be read.", e))?;
    let state = RequestState::parse(&row.state)
        .map_err(|e| AppError::internal("The request could not be read.", e))?;
    Ok(RequestDetail {
        id: RequestId(row.request_id),
        team_id: TeamId(row.team_id),
        team: row.team,
        author: row.author,
        last_editor: row.last_editor,
        can_edit: match state {
            RequestState::Draft | RequestState::Rejected => member,
            RequestState::Pending => row.author_id == user.id.0,
            _ => false,
        },
        state,
        revision: row.revision,
        form,
        content_hash: row.content_hash,
        created_at: row.created_at,
        updated_at: row.updated_at,
        image_id: row.image_id,
        locked: Vec::new(),
    })
}

async fn load_visible(
    state: &AppState,
    user: &CurrentUser,
    id: RequestId,
) -> Result<RequestRow, AppError> {
    let mut conn = state.pool.acquire().await?;
    visible(user, store::find_request(&mut conn, id).await?)
}

/// The row when `user` may see it; 404 otherwise (a hidden one is audited).
fn visible(user: &CurrentUser, row: Option<RequestRow>) -> Result<RequestRow, AppError> {
    match row {
        Some(row) if can_see(user, &row) => Ok(row),
        Some(row) => {
            crate::auth::guard::note_hidden(user, "request", row.request_id);
            Err(AppError::NotFound)
        }
        None => Err(AppError::NotFound),
    }
}

/// Refuses a user who is not in `team` (checked before any input, so nothing leaks).
pub fn may_file(user: &CurrentUser, team: TeamId) -> Result<(), AppError> {
    if user.in_team(team) {
        Ok(())
    } else {
        Err(AppError::Forbidden
            .with_reason("You can file requests only for your own teams.".into()))
    }
}

/// Creates a draft for `team` (the user must belong to it).
pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    team: TeamId,
    form: RegisterImageForm,
    how: &'static str,
) -> Result<Saved, AppError> {
    create_inner(state, user, meta, team, form, how, None).await
}

/// Creates a draft that starts from a template version, recorded on the request so that its
/// locked fields are enforced on every save.
pub async fn create_from_template(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    team: TeamId,
    form: RegisterImageForm,
    template: (i64, i64),
) -> Result<Saved, AppError> {
    create_inner(state, user, meta, team, form, "template", Some(template)).await
}

async fn create_inner(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    team: TeamId,
    form: RegisterImageForm,
    how: &'static str,
    template: Option<(i64, i64)>,
) -> Result<Saved, AppError> {
    may_file(user, team)?;
    check_draft(state, &form)?;
    let json = to_json(&form)?;
    let hash = content_hash(&json);
    let content = Content {
        region: form.region.trim(),
        name: form.name.trim(),
        json: &json,
        hash: &hash,
    };
    let mut tx = crate::db::begin_write(&state.pool).await?;
    let id = store::insert_request(&mut tx, team, user.id, &content).await?;
    if let Some(t) = template {
        store::set_template(&mut tx, id, t).await?;
    }
    let entry = AuditEntry::new(user.clone().into(), "request.create")
        .subject("request", id)
        .team(team)
        .details(json!({ "how": how, "revision": 1, "content_hash": hash, "name": form.name, "region": form.region,
            "template": template.map(|(t, v)| json!({ "id": t, "version": v })) }));
    insert_audit_event(&mut tx, &entry, meta).await?;
    tx.commit().await?;
    Ok(Saved { id, revision: 1 })
}

/// Refuses a save that changes a field locked by the request's template.
async fn check_template_locks(
    conn: &mut sqlx::SqliteConnection,
    row: &RequestRow,
    form: &RegisterImageForm,
) -> Result<(), AppError> {
    let (Some(template), Some(version)) = (row.template_id, row.template_version) else {
        return Ok(());
    };
    let id = RequestId(row.request_id);
    let (Some(t), Some(first)) = (
        crate::templates::store::version_content(conn, template, version).await?,
        store::first_content(conn, id).await?,
    ) else {
        return Ok(());
    };
    let read =
        |e: serde_json::Error| AppError::internal("The request's template could not be read.", e);
    let content: crate::domain::template::TemplateContent =
        serde_json::from_str(&t).map_err(read)?;
    let started: RegisterImageForm = serde_json::from_str(&first).map_err(read)?;
    content
        .check_locked(&started, form)
        .map_err(AppError::Invalid)
}

/// Saves a new revision if nobody saved since `expected_revision`.
pub async fn save(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    id: RequestId,
    expected_revision: i64,
    form: RegisterImageForm,
) -> Result<Saved, AppError> {
    check_draft(state, &form)?;
    let json = to_json(&form)?;
    let hash = content_hash(&json);
    let mut tx = crate::db::begin_write(&state.pool).await?;
    let row = visible(user, store::find_request(&mut tx, id).await?)?;
    check_template_locks(&mut tx, &row, &form).await?;
    let before: RegisterImageForm = serde_json::from_str(&row.content).unwrap_or_default();
    let content = Content {
        region: form.region.trim(),
        name: form.name.trim(),
        json: &json,
        hash: &hash,
    };
    let Some(revision) =
        store::update_content(&mut tx, id, expected_revision, user.id, &content).await?
    else {
        return Err(conflict(&row, expected_revision));
    };
    let voided = crate::workflow::store::void_approvals(&mut tx, id).await?;
    let changed: Vec<String> = diff_forms(&before, &form)
        .into_iter()
        .map(|c| c.field)
        .collect();
    let entry = AuditEntry::new(user.clone().into(), "request.save")
        .subject("request", id)
        .team(TeamId(row.team_id))
        .details(json!({ "revision": revision, "content_hash": hash, "changed": changed, "from": row.state, "approvals_voided": voided }));
    insert_audit_event(&mut tx, &entry, meta).await?;
    tx.commit().await?;
    Ok(Saved { id, revision })
}

fn conflict(row: &RequestRow, expected: i64) -> AppError {
    let message = if !RequestState::parse(&row.state).is_ok_and(RequestState::is_editable) {
        format!(
            "This request is {} and can no longer be edited. Reload to see it.",
            row.state
        )
    } else if row.revision != expected {
        format!(
            "{} saved revision {} while you were editing revision {expected}. Reload to see their changes; your edits are kept in this browser.",
            row.last_editor, row.revision
        )
    } else {
        "The request changed while you were editing. Reload to see it.".into()
    };
    AppError::Conflict { message }
}

/// One request, if the user may see it.
pub async fn get(
    state: &AppState,
    user: &CurrentUser,
    id: RequestId,
) -> Result<RequestDetail, AppError> {
    let row = load_visible(state, user, id).await?;
    let template = row.template_id.zip(row.template_version);
    let mut detail = detail(user, row)?;
    if let Some((template, version)) = template {
        let mut conn = state.pool.acquire().await?;
        if let Some(json) =
            crate::templates::store::version_content(&mut conn, template, version).await?
        {
            let content: crate::domain::template::TemplateContent = serde_json::from_str(&json)
                .map_err(|e| AppError::internal("The request's template could not be read.", e))?;
            detail.locked = content.locked().collect();
        }
    }
    Ok(detail)
}

/// A page of the user's (or their teams') requests.
pub async fn list(
    state: &AppState,
    user: &CurrentUser,
    filter: &ListFilter,
) -> Result<RequestPage, AppError> {
    if !filter.state.is_empty() {
        RequestState::parse(&filter.state).map_err(|e| AppError::invalid("state", e))?;
    }
    let all = user.role == Role::Admin && filter.scope == ListScope::Team;
    let rows = store::list_requests(&state.pool, user.id, all, filter, PAGE_SIZE + 1).await?;
    Ok(page_of(rows))
}

/// A page from up to `PAGE_SIZE + 1` rows, read that way so that the extra row tells
/// whether there is a next page.
pub fn page_of(mut rows: Vec<RequestSummary>) -> RequestPage {
    let next_cursor = (rows.len() as i64 > PAGE_SIZE).then(|| {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(store::cursor_after).unwrap_or_default()
    });
    RequestPage { rows, next_cursor }
}

/// The revision history.
pub async fn revisions(
    state: &AppState,
    user: &CurrentUser,
    id: RequestId,
) -> Result<Vec<RevisionInfo>, AppError> {
    load_visible(state, user, id).await?;
    Ok(store::list_revisions(&state.pool, id).await?)
}

/// Field-by-field differences between two revisions.
pub async fn diff(
    state: &AppState,
    user: &CurrentUser,
    id: RequestId,
    from: i64,
    to: i64,
) -> Result<Vec<FieldChange>, AppError> {
    let row = load_visible(state, user, id).await?;
    let (from, to) = if from == 0 && to == 0 {
        ((row.revision - 1).max(1), row.revision)
    } else {
        (from, to)
    };
    let load = |rev| async move {
        let json = store::revision_content(&state.pool, id, rev)
            .await?
            .ok_or(AppError::NotFound)?;
        serde_json::from_str::<RegisterImageForm>(&json)
            .map_err(|e| AppError::internal("A revision could not be read.", e))
    };
    Ok(diff_forms(&load(from).await?, &load(to).await?))
}

/// A new draft with the same content, for the user.
pub async fn duplicate(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    id: RequestId,
) -> Result<Saved, AppError> {
    let original = get(state, user, id).await?;
    let team = if user.in_team(original.team_id) {
        original.team_id
    } else {
        user.teams
            .first()
            .map(|t| t.id)
            .ok_or_else(|| AppError::invalid("team", "You belong to no team."))?
    };
    create(state, user, meta, team, original.form, "duplicate").await
}

/// Deletes a draft (softly: it stays in the audit history). Author or admin only.
pub async fn delete(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    id: RequestId,
) -> Result<(), AppError> {
    let mut tx = crate::db::begin_write(&state.pool).await?;
    let row = visible(user, store::find_request(&mut tx, id).await?)?;
    if row.author_id != user.id.0 && user.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    if !store::soft_delete(&mut tx, id).await? {
        return Err(AppError::Conflict {
            message: format!("A {} request cannot be deleted.", row.state),
        });
    }
    let entry = AuditEntry::new(user.clone().into(), "request.delete")
        .subject("request", id)
        .team(TeamId(row.team_id));
    insert_audit_event(&mut tx, &entry, meta).await?;
    tx.commit().await?;
    Ok(())
}

/// A new draft from a `--cli-input-json` document; every bad field is named.
pub async fn import(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    team: TeamId,
    region: &str,
    json: &str,
) -> Result<Saved, AppError> {
    may_file(user, team)?;
    if json.len() > 512 * 1024 {
        return Err(AppError::invalid(
            "json",
            "The document is too large (at most 512 KiB).",
        ));
    }
    let form = form_from_cli_json(json, region)?;
    RegisterImageRequest::try_from(&form)?;
    create(state, user, meta, team, form, "import").await
}

/// The request, checked by every rule (for export, DryRun and submission).
pub async fn checked(
    state: &AppState,
    user: &CurrentUser,
    id: RequestId,
) -> Result<(RequestDetail, RegisterImageRequest), AppError> {
    let detail = get(state, user, id).await?;
    let request = RegisterImageRequest::try_from(&detail.form).map_err(AppError::Invalid)?;
    Ok((detail, request))
}

/// Sends the request to EC2 with `DryRun=true` and says what EC2 thinks of it.
pub async fn dry_run(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    id: RequestId,
) -> Result<DryRunVerdict, AppError> {
    let (detail, request) = checked(state, user, id).await?;
    let region = detail.form.region.trim().to_string();
    let answer = state.ec2.dry_run_register(&region, &request).await;
    let (verdict, outcome, aws_request_id) = match answer {
        Ok(a) => (verdict_of(&a.code, &a.message), a.code, a.aws_request_id),
        Err(sentence) => (
            DryRunVerdict {
                would_succeed: false,
                code: "Unreachable".into(),
                message: sentence,
            },
            "Unreachable".into(),
            None,
        ),
    };
    let entry = AuditEntry::new(user.clone().into(), "ec2.register_image_dry_run")
        .subject("request", id)
        .team(detail.team_id)
        .details(json!({ "region": region, "revision": detail.revision, "outcome": outcome, "aws_request_id": aws_request_id }));
    record(&state.pool, &entry, meta).await?;
    Ok(verdict)
}

/// A sentence for each EC2 answer to a DryRun.
pub fn verdict_of(code: &str, message: &str) -> DryRunVerdict {
    let (ok, text) = match code {
        "DryRunOperation" | "Ok" => (
            true,
            "EC2 would accept this request with the service's credentials.".to_string(),
        ),
        "UnauthorizedOperation" => (
            false,
            format!("The service's credentials may not register images: {message}"),
        ),
        "AuthFailure" => (false, "AWS refused the service's credentials.".to_string()),
        "OptInRequired" => (
            false,
            "The account is not opted in to this Region.".to_string(),
        ),
        "RequestLimitExceeded" => (
            false,
            "EC2 is throttling requests; try again in a minute.".to_string(),
        ),
        _ => (
            false,
            format!("EC2 refused the request ({code}): {message}"),
        ),
    };
    DryRunVerdict {
        would_succeed: ok,
        code: code.to_string(),
        message: text,
    }
}
