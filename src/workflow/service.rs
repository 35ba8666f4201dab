//! The workflow rules: who may move a request where, each move a compare-and-set inside one
//! write transaction together with its audit event.

use super::store;
use super::{Preflight, PreflightCheck, WorkflowView};
use crate::audit::{store::insert_audit_event, store::AuditEntry};
use crate::auth::CurrentUser;
use crate::domain::register_image::RegisterImageRequest;
use crate::domain::{RequestId, RequestState, Role, TeamId};
use crate::error::AppError;
use crate::requests::store::{find_request, RequestRow};
use crate::server::RequestMeta;
use crate::state::AppState;
use serde_json::json;
use sqlx::SqliteConnection;

/// Longest approval or rejection comment.
pub const MAX_COMMENT: usize = 2_000;

fn member(user: &CurrentUser, row: &RequestRow) -> bool {
    user.sees_team(TeamId(row.team_id))
}

async fn load(
    conn: &mut SqliteConnection,
    user: &CurrentUser,
    id: RequestId,
) -> Result<(RequestRow, RequestState), AppError> {
    match find_request(conn, id).await? {
        Some(row) if member(user, &row) => {
            let state = RequestState::parse(&row.state)
                .map_err(|e| AppError::internal("The request could not be read.", e))?;
            Ok((row, state))
        }
        Some(row) => {
            crate::auth::guard::note_hidden(user, "request", row.request_id);
            Err(AppError::NotFound)
        }
        None => Err(AppError::NotFound),
    }
}

fn conflict(message: impl Into<String>) -> AppError {
    AppError::Conflict {
        message: message.into(),
    }
}

fn entry(user: &CurrentUser, action: &'static str, row: &RequestRow) -> AuditEntry {
    AuditEntry::new(user.clone().into(), action)
        .subject("request", row.request_id)
        .team(TeamId(row.team_id))
}

/// Why `user` may not approve or reject `row` now, if anything stops them.
pub fn approve_blocker(
    user: &CurrentUser,
    row: &RequestRow,
    state: RequestState,
    last_editor: i64,
) -> Option<String> {
    if state != RequestState::Pending {
        return Some(format!(
            "Only pending requests can be approved; this one is {state}."
        ));
    }
    if row.author_id == user.id.0 {
        return Some("You wrote this request; someone else must approve it.".into());
    }
    if last_editor == user.id.0 {
        return Some("You edited this request last; someone else must approve it.".into());
    }
    if !user.role.allows(Role::Approver) {
        return Some("Only approvers can approve requests.".into());
    }
    if !member(user, row) {
        return Some("Only approvers of the owning team can approve.".into());
    }
    None
}

/// Loads a request an approver is deciding on: pending, not theirs, and still the content
/// they reviewed.
async fn load_for_review(
    conn: &mut SqliteConnection,
    user: &CurrentUser,
    id: RequestId,
    content_hash: &str,
) -> Result<RequestRow, AppError> {
    let (row, current) = load(conn, user, id).await?;
    let reg = store::registration(conn, id).await?;
    if let Some(reason) = approve_blocker(user, &row, current, reg.last_editor_id) {
        return Err(if current != RequestState::Pending {
            conflict(reason)
        } else {
            AppError::Forbidden.with_reason(reason)
        });
    }
    if row.content_hash != content_hash {
        return Err(conflict(
            "The request changed since you reviewed it. Reload and review the new content.",
        ));
    }
    Ok(row)
}

/// Submits a draft (or a rejected request) for approval, freezing the content at `revision`.
pub async fn submit(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    id: RequestId,
    revision: i64,
) -> Result<(), AppError> {
    let mut tx = crate::db::begin_write(&state.pool).await?;
    let (row, current) = load(&mut tx, user, id).await?;
    if !matches!(current, RequestState::Draft | RequestState::Rejected) {
        return Err(conflict(format!(
            "This request is {current} and cannot be submitted."
        )));
    }
    let form = serde_json::from_str(&row.content)
        .map_err(|e| AppError::internal("The request could not be read.", e))?;
    RegisterImageRequest::try_from(&form)?;
    if !store::transition(&mut tx, id, &["draft", "rejected"], "pending", revision).await? {
        return Err(conflict(
            "The request changed since you loaded it. Reload and submit again.",
        ));
    }
    let e = entry(user, "request.submit", &row)
        .details(json!({ "revision": revision, "content_hash": row.content_hash }));
    insert_audit_event(&mut tx, &e, meta).await?;
    tx.commit().await?;
    Ok(())
}

/// Approves the exact content the approver saw. Returns whether the request is now approved
/// (and registration should start).
pub async fn approve(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    id: RequestId,
    content_hash: &str,
    comment: &str,
) -> Result<bool, AppError> {
    let comment = check_comment(comment, false)?;
    let mut tx = crate::db::begin_write(&state.pool).await?;
    let row = load_for_review(&mut tx, user, id, content_hash).await?;
    if !store::insert_decision(&mut tx, id, content_hash, user.id, "approve", &comment).await? {
        return Err(conflict("You have already approved this content."));
    }
    let count = store::count_approvals(&mut tx, id, content_hash).await?;
    let needed = store::required_approvals(&mut tx, TeamId(row.team_id)).await?;
    let approved = count >= needed
        && store::transition(&mut tx, id, &["pending"], "approved", row.revision).await?;
    let e = entry(user, "request.approve", &row).details(json!({
        "content_hash": content_hash, "comment": comment, "approvals": count, "required": needed, "approved": approved,
    }));
    insert_audit_event(&mut tx, &e, meta).await?;
    tx.commit().await?;
    Ok(approved)
}

/// Sends a pending request back to its author with a comment; standing approvals are void.
pub async fn reject(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    id: RequestId,
    content_hash: &str,
    comment: &str,
) -> Result<(), AppError> {
    let comment = check_comment(comment, true)?;
    let mut tx = crate::db::begin_write(&state.pool).await?;
    let row = load_for_review(&mut tx, user, id, content_hash).await?;
    store::insert_decision(&mut tx, id, content_hash, user.id, "reject", &comment).await?;
    if !store::transition(&mut tx, id, &["pending"], "rejected", row.revision).await? {
        return Err(conflict("The request changed since you loaded it."));
    }
    store::void_approvals(&mut tx, id).await?;
    let e = entry(user, "request.reject", &row)
        .details(json!({ "content_hash": content_hash, "comment": comment }));
    insert_audit_event(&mut tx, &e, meta).await?;
    tx.commit().await?;
    Ok(())
}

/// The author gives up on a request that is not yet approved.
pub async fn withdraw(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    id: RequestId,
) -> Result<(), AppError> {
    author_move(
        state,
        user,
        meta,
        id,
        &["draft", "pending", "rejected"],
        "withdrawn",
        "request.withdraw",
    )
    .await
}

/// Puts a failed, rejected or withdrawn request back into draft.
pub async fn reopen(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    id: RequestId,
) -> Result<(), AppError> {
    author_move(
        state,
        user,
        meta,
        id,
        &["failed", "rejected", "withdrawn"],
        "draft",
        "request.reopen",
    )
    .await
}

async fn author_move(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    id: RequestId,
    from: &[&str],
    to: &str,
    action: &'static str,
) -> Result<(), AppError> {
    let mut tx = crate::db::begin_write(&state.pool).await?;
    let (row, current) = load(&mut tx, user, id).await?;
    if row.author_id != user.id.0 && user.role != Role::Admin {
        return Err(AppError::Forbidden.with_reason("Only the author can do this.".into()));
    }
    if !from.contains(&current.as_str())
        || !store::transition(&mut tx, id, from, to, row.revision).await?
    {
        return Err(conflict(format!(
            "A {current} request cannot be moved to {to}."
        )));
    }
    store::void_approvals(&mut tx, id).await?;
    let e = entry(user, action, &row).details(json!({ "from": current.as_str(), "to": to }));
    insert_audit_event(&mut tx, &e, meta).await?;
    tx.commit().await?;
    Ok(())
}

/// Puts a failed registration back to approved (its approvals still stand) and returns, so
/// the engine can try again — after looking the image up first.
pub async fn retry(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    id: RequestId,
) -> Result<(), AppError> {
    let mut tx = crate::db::begin_write(&state.pool).await?;
    let (row, current) = load(&mut tx, user, id).await?;
    let allowed = row.author_id == user.id.0 || user.role.allows(Role::Approver);
    if !allowed {
        return Err(
            AppError::Forbidden.with_reason("Only the author or an approver can retry.".into())
        );
    }
    let needed = store::required_approvals(&mut tx, TeamId(row.team_id)).await?;
    let count = store::count_approvals(&mut tx, id, &row.content_hash).await?;
    if current != RequestState::Failed
        || count < needed
        || !store::transition(&mut tx, id, &["failed"], "approved", row.revision).await?
    {
        return Err(conflict(
            "Only a failed request that still has its approvals can be retried; reopen it instead.",
        ));
    }
    let e = entry(user, "request.retry", &row);
    insert_audit_event(&mut tx, &e, meta).await?;
    tx.commit().await?;
    Ok(())
}

fn check_comment(comment: &str, required: bool) -> Result<String, AppError> {
    let c = comment.trim();
    if required && c.is_empty() {
        return Err(AppError::invalid(
            "comment",
            "Say why, so the author can fix it.",
        ));
    }
    if c.chars().count() > MAX_COMMENT {
        return Err(AppError::invalid(
            "comment",
            format!("Comments are at most {MAX_COMMENT} characters."),
        ));
    }
    Ok(c.to_string())
}

/// The workflow as the viewer sees it.
pub async fn view(
    state: &AppState,
    user: &CurrentUser,
    id: RequestId,
) -> Result<WorkflowView, AppError> {
    let mut conn = state.pool.acquire().await?;
    let (row, current) = load(&mut conn, user, id).await?;
    let reg = store::registration(&mut conn, id).await?;
    let required = store::required_approvals(&mut conn, TeamId(row.team_id)).await?;
    let current_approvals = store::count_approvals(&mut conn, id, &row.content_hash).await?;
    let approvals = store::list_decisions(&mut conn, id).await?;
    let author = row.author_id == user.id.0;
    Ok(WorkflowView {
        state: current.as_str().into(),
        content_hash: row.content_hash.clone(),
        revision: row.revision,
        required_approvals: required,
        current_approvals,
        approvals,
        can_submit: matches!(current, RequestState::Draft | RequestState::Rejected),
        approve_blocked: approve_blocker(user, &row, current, reg.last_editor_id),
        can_withdraw: (author || user.role == Role::Admin)
            && matches!(
                current,
                RequestState::Draft | RequestState::Pending | RequestState::Rejected
            ),
        can_reopen: (author || user.role == Role::Admin)
            && matches!(
                current,
                RequestState::Failed | RequestState::Rejected | RequestState::Withdrawn
            ),
        can_retry: current == RequestState::Failed && (author || user.role.allows(Role::Approver)),
        image_id: reg.image_id,
        image_state: reg.image_state,
        error_message: reg.error_message,
        error_code: reg.error_code,
    })
}

/// Live evidence for the approver: the rules, the snapshots, the name and a DryRun.
pub async fn preflight(
    state: &AppState,
    user: &CurrentUser,
    id: RequestId,
) -> Result<Preflight, AppError> {
    let detail = crate::requests::service::get(state, user, id).await?;
    let request = match RegisterImageRequest::try_from(&detail.form) {
        Ok(r) => r,
        Err(errors) => {
            return Ok(Preflight {
                checks: vec![PreflightCheck {
                    name: "Request rules".into(),
                    ok: false,
                    detail: errors.to_string(),
                }],
            })
        }
    };
    Ok(run_preflight(state, detail.form.region.trim(), &request, id).await)
}

/// The EC2 checks, shared by the approver's page and the engine.
pub async fn run_preflight(
    state: &AppState,
    region: &str,
    request: &RegisterImageRequest,
    id: RequestId,
) -> Preflight {
    let mut checks = vec![PreflightCheck {
        name: "Request rules".into(),
        ok: true,
        detail: "Every field passes.".into(),
    }];
    checks.extend(snapshot_checks(state, region, request).await);
    checks.push(
        match state
            .ec2
            .find_image_by_name(region, request.name.as_str())
            .await
        {
            Ok(None) => PreflightCheck {
                name: "Name is free".into(),
                ok: true,
                detail: format!("No image named {} in {region}.", request.name.as_str()),
            },
            Ok(Some(img)) if img.request_tag.as_deref() == Some(id.0.to_string().as_str()) => {
                PreflightCheck {
                    name: "Name is free".into(),
                    ok: true,
                    detail: format!("{} was already registered by this request.", img.image_id),
                }
            }
            Ok(Some(img)) => PreflightCheck {
                name: "Name is free".into(),
                ok: false,
                detail: format!("{} already has this name.", img.image_id),
            },
            Err(sentence) => PreflightCheck {
                name: "Name is free".into(),
                ok: false,
                detail: sentence,
            },
        },
    );
    checks.push(match state.ec2.dry_run_register(region, request).await {
        Ok(a) => {
            let v = crate::requests::service::verdict_of(&a.code, &a.message);
            PreflightCheck {
                name: "DryRun".into(),
                ok: v.would_succeed,
                detail: format!("{} ({})", v.message, a.code),
            }
        }
        Err(sentence) => PreflightCheck {
            name: "DryRun".into(),
            ok: false,
            detail: sentence,
        },
    });
    Preflight { checks }
}

async fn snapshot_checks(
    state: &AppState,
    region: &str,
    request: &RegisterImageRequest,
) -> Vec<PreflightCheck> {
    let wanted: Vec<(String, Option<i32>)> = request
        .block_device_mappings
        .iter()
        .filter_map(|m| m.ebs.as_ref())
        .filter_map(|e| e.snapshot_id.clone().map(|s| (s, e.volume_size)))
        .collect();
    if wanted.is_empty() {
        return vec![];
    }
    let ids: Vec<String> = wanted.iter().map(|(s, _)| s.clone()).collect();
    let found = match state.ec2.find_snapshots(region, &ids).await {
        Ok(found) => found,
        Err(sentence) => {
            return vec![PreflightCheck {
                name: "Snapshots".into(),
                ok: false,
                detail: sentence,
            }]
        }
    };
    wanted
        .into_iter()
        .map(|(id, size)| {
            let name = format!("Snapshot {id}");
            match found.iter().find(|s| s.snapshot_id == id) {
                None => PreflightCheck {
                    name,
                    ok: false,
                    detail: format!("{id} does not exist in {region}."),
                },
                Some(s) if s.state != "completed" => PreflightCheck {
                    name,
                    ok: false,
                    detail: format!("{id} is {}, not completed.", s.state),
                },
                Some(s) if size.is_some_and(|v| s.size.is_some_and(|snap| snap > v)) => {
                    PreflightCheck {
                        name,
                        ok: false,
                        detail: format!(
                            "{id} is {} GiB, larger than the {} GiB volume asked for.",
                            s.size.unwrap_or_default(),
                            size.unwrap_or_default()
                        ),
                    }
                }
                Some(s) => PreflightCheck {
                    name,
                    ok: true,
                    detail: format!(
                        "{id} exists, completed, {} GiB.",
                        s.size.unwrap_or_default()
                    ),
                },
            }
        })
        .collect()
}
