//! Registration, exactly once: claim (`approved → registering`, committed), look the image up,
//! call RegisterImage once, settle. A request stuck in `registering` is settled by looking
//! up — never by calling RegisterImage again.

use super::store::{self, Finish};
use crate::audit::{store::insert_audit_event, store::AuditEntry, Actor};
use crate::domain::register_image::RegisterImageRequest;
use crate::domain::{RequestId, TeamId};
use crate::ec2::gateway::{RegisterOutcome, REQUEST_TAG};
use crate::ec2::messages::explain;
use crate::error::AppError;
use crate::requests::store::find_request;
use crate::server::RequestMeta;
use crate::state::AppState;
use serde_json::json;
use std::time::Duration;

/// Starts registration in the background (after the final approval or a retry).
pub fn spawn_register(state: AppState, id: RequestId, meta: RequestMeta) {
    tokio::spawn(async move {
        if let Err(err) = register(&state, id, &meta).await {
            tracing::error!(request_id = id.0, error = %err, "registration did not settle");
        }
    });
}

/// Registers an approved request. Only the caller that moves it to `registering` proceeds;
/// everyone else returns at once.
pub async fn register(state: &AppState, id: RequestId, meta: &RequestMeta) -> Result<(), AppError> {
    let mut tx = crate::db::begin_write(&state.pool).await?;
    if !store::claim_registration(&mut tx, id).await? {
        return Ok(());
    }
    let row = find_request(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let e = AuditEntry::new(Actor::system(), "request.registering")
        .subject("request", id)
        .team(TeamId(row.team_id))
        .details(json!({ "content_hash": row.content_hash, "region": row.region }));
    insert_audit_event(&mut tx, &e, meta).await?;
    tx.commit().await?;

    let form = serde_json::from_str(&row.content)
        .map_err(|e| AppError::internal("The request could not be read.", e))?;
    let request = match RegisterImageRequest::try_from(&form) {
        Ok(r) => r,
        Err(errors) => {
            return settle(state, id, meta, failed(None, &errors.to_string(), None)).await
        }
    };
    let region = row.region.clone();
    // Adopt an image this request already registered (a retry after an unknown outcome).
    match state
        .ec2
        .find_image_by_name(&region, request.name.as_str())
        .await
    {
        Ok(Some(img)) if img.belongs_to(id.0, row.registering_since.as_deref()) => {
            return settle(
                state,
                id,
                meta,
                registered(&img.image_id, &img.state, None, "adopted"),
            )
            .await;
        }
        Ok(Some(img)) => {
            let msg = format!(
                "{} ({} has this name).",
                explain("InvalidAMIName.Duplicate").0,
                img.image_id
            );
            return settle(
                state,
                id,
                meta,
                failed(Some("InvalidAMIName.Duplicate"), &msg, None),
            )
            .await;
        }
        Ok(None) => {}
        Err(sentence) => {
            return settle(
                state,
                id,
                meta,
                failed(Some("Unreachable"), &retryable(&sentence), None),
            )
            .await
        }
    }
    let tags = vec![(REQUEST_TAG.to_string(), id.0.to_string())];
    let outcome = state.ec2.register_image(&region, &request, &tags).await;
    let settled = match outcome {
        RegisterOutcome::Registered {
            image_id,
            aws_request_id,
        } => registered(&image_id, "pending", aws_request_id, "registered"),
        RegisterOutcome::Refused(answer) if answer.code == "InvalidAMIName.Duplicate" => {
            look_up(state, &row, &request, Some(answer.code), answer.message).await
        }
        RegisterOutcome::Refused(answer) => {
            let msg = format!("{} EC2 said: {}", explain(&answer.code).0, answer.message);
            failed(Some(&answer.code), &msg, answer.aws_request_id)
        }
        RegisterOutcome::Unknown(sentence) => look_up(state, &row, &request, None, sentence).await,
    };
    settle(state, id, meta, settled).await
}

/// How a registration ends, before it is written.
struct Settled {
    state: &'static str,
    image_id: Option<String>,
    image_state: Option<String>,
    code: Option<String>,
    message: Option<String>,
    aws_request_id: Option<String>,
    how: &'static str,
}

fn registered(
    image_id: &str,
    image_state: &str,
    aws_request_id: Option<String>,
    how: &'static str,
) -> Settled {
    Settled {
        state: "registered",
        image_id: Some(image_id.into()),
        image_state: Some(image_state.into()),
        code: None,
        message: None,
        aws_request_id,
        how,
    }
}

fn failed(code: Option<&str>, message: &str, aws_request_id: Option<String>) -> Settled {
    Settled {
        state: "failed",
        image_id: None,
        image_state: None,
        code: code.map(str::to_string),
        message: Some(message.to_string()),
        aws_request_id,
        how: "failed",
    }
}

fn retryable(sentence: &str) -> String {
    format!("{sentence} No image was registered; retry when EC2 answers again.")
}

/// After an unknown outcome or a duplicate name: is the image there, tagged with this request?
async fn look_up(
    state: &AppState,
    row: &crate::requests::store::RequestRow,
    request: &RegisterImageRequest,
    code: Option<String>,
    why: String,
) -> Settled {
    match state
        .ec2
        .find_image_by_name(&row.region, request.name.as_str())
        .await
    {
        Ok(Some(img)) if img.belongs_to(row.request_id, row.registering_since.as_deref()) => {
            registered(
                &img.image_id,
                &img.state,
                None,
                "found after an unknown outcome",
            )
        }
        Ok(Some(img)) => failed(
            Some("InvalidAMIName.Duplicate"),
            &format!(
                "{} ({} has this name.)",
                explain("InvalidAMIName.Duplicate").0,
                img.image_id
            ),
            None,
        ),
        Ok(None) => failed(
            code.as_deref().or(Some("Unreachable")),
            &retryable(&why),
            None,
        ),
        Err(sentence) => failed(
            Some("Unreachable"),
            &retryable(&format!("{why} {sentence}")),
            None,
        ),
    }
}

async fn settle(
    state: &AppState,
    id: RequestId,
    meta: &RequestMeta,
    s: Settled,
) -> Result<(), AppError> {
    let mut tx = crate::db::begin_write(&state.pool).await?;
    let f = Finish {
        state: s.state,
        image_id: s.image_id.as_deref(),
        image_state: s.image_state.as_deref(),
        error_code: s.code.as_deref(),
        error_message: s.message.as_deref(),
        aws_request_id: s.aws_request_id.as_deref(),
    };
    if !store::finish_registration(&mut tx, id, &f).await? {
        return Ok(());
    }
    let team = find_request(&mut tx, id).await?.map(|r| TeamId(r.team_id));
    let action = if s.state == "registered" {
        "request.registered"
    } else {
        "request.register_failed"
    };
    let mut e = AuditEntry::new(Actor::system(), action)
        .subject("request", id)
        .details(json!({
            "operation": "RegisterImage",
            "how": s.how,
            "image_id": s.image_id,
            "outcome": s.code.clone().unwrap_or_else(|| "Ok".into()),
            "message": s.message,
            "aws_request_id": s.aws_request_id,
        }));
    if let Some(team) = team {
        e = e.team(team);
    }
    insert_audit_event(&mut tx, &e, meta).await?;
    tx.commit().await?;
    Ok(())
}

/// Settles requests stuck in `registering` by looking their image up (never registering
/// again). `older_than = None` settles all of them (at start-up: nothing of ours is running).
pub async fn reconcile(state: &AppState, older_than: Option<Duration>) -> Result<usize, AppError> {
    let cutoff = older_than.map(|d| crate::db::format_time(time::OffsetDateTime::now_utc() - d));
    let mut conn = state.pool.acquire().await?;
    let stuck = store::stuck_registrations(&mut conn, cutoff.as_deref()).await?;
    drop(conn);
    let meta = RequestMeta::detached();
    for id in &stuck {
        let id = RequestId(*id);
        let mut conn = state.pool.acquire().await?;
        let Some(row) = find_request(&mut conn, id).await? else {
            continue;
        };
        drop(conn);
        let name =
            serde_json::from_str::<crate::domain::register_image::RegisterImageForm>(&row.content)
                .map(|f| f.name)
                .unwrap_or_default();
        let settled = match state.ec2.find_image_by_name(&row.region, &name).await {
            Ok(Some(img)) if img.belongs_to(id.0, row.registering_since.as_deref()) => {
                registered(&img.image_id, &img.state, None, "reconciled")
            }
            Ok(_) => failed(
                Some("Interrupted"),
                "Registration was interrupted and no image was found. Retry to register it.",
                None,
            ),
            Err(sentence) => {
                tracing::warn!(
                    request_id = id.0,
                    "reconcile could not reach EC2: {sentence}"
                );
                continue;
            }
        };
        settle(state, id, &meta, settled).await?;
    }
    Ok(stuck.len())
}

/// Runs reconciliation at start (in the background, never on the start-up path) and then
/// every minute for registrations older than four EC2 operation timeouts.
pub fn spawn_reconciler(state: AppState) {
    tokio::spawn(async move {
        let lease = Duration::from_secs(state.settings.ec2_timeout_secs.max(1) * 4);
        let mut first = true;
        loop {
            let older = if first { None } else { Some(lease) };
            first = false;
            if let Err(err) = reconcile(&state, older).await {
                tracing::warn!(error = %err, "reconciliation failed");
            }
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    });
}

/// Follows a registered image's state (pending → available or failed).
pub async fn refresh_image(state: &AppState, id: RequestId) -> Result<Option<String>, AppError> {
    let mut conn = state.pool.acquire().await?;
    let row = find_request(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(image_id) = row.image_id.clone() else {
        return Ok(None);
    };
    let current = store::registration(&mut conn, id).await?.image_state;
    if current
        .as_deref()
        .is_some_and(|s| s == "available" || s == "failed")
    {
        return Ok(current);
    }
    drop(conn);
    match state.ec2.image_state(&row.region, &image_id).await {
        Ok(Some(s)) => {
            let mut conn = state.pool.acquire().await?;
            store::update_image_state(&mut conn, id, &s).await?;
            Ok(Some(s))
        }
        Ok(None) => Ok(current),
        Err(_) => Ok(current),
    }
}
