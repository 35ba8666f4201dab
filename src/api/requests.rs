//! `/api/v1/requests`: file, list, read, submit, approve, reject, test and follow requests.

use super::{ApiError, Caller, Problem};
use crate::domain::register_image::{form_from_cli_json, RegisterImageRequest};
use crate::domain::template::TemplateField;
use crate::domain::{RequestId, Role, TeamId};
use crate::error::AppError;
use crate::requests::{DryRunVerdict, ListFilter, ListScope, RequestDetail, RequestSummary};
use crate::state::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

/// A request as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestResource {
    /// Its id.
    pub id: i64,
    /// `draft`, `pending`, `approved`, `registering`, `registered`, `failed`, `rejected` or `withdrawn`.
    pub state: String,
    /// Current revision (every save adds one).
    pub revision: i64,
    /// SHA-256 of the content; approvals bind to it.
    pub content_hash: String,
    /// Owning team.
    pub team: String,
    /// Author's display name.
    pub author: String,
    /// Target Region.
    pub region: String,
    /// The AMI name.
    pub name: String,
    /// The registered image, once there is one.
    pub image_id: Option<String>,
    /// Created (RFC 3339 UTC).
    pub created_at: String,
    /// Last change (RFC 3339 UTC).
    pub updated_at: String,
    /// The RegisterImage call in `--cli-input-json` form, once every field passes.
    #[schema(value_type = Option<Object>)]
    pub register_image: Option<Value>,
    /// Where to go next.
    pub links: RequestLinks,
}

/// Links of a request.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestLinks {
    /// This resource.
    #[serde(rename = "self")]
    pub this: String,
    /// `POST` to submit it for approval.
    pub submit: String,
    /// `POST` to approve it.
    pub approve: String,
    /// `POST` to reject it.
    pub reject: String,
    /// `POST` to test it with DryRun.
    pub dry_run: String,
    /// `GET` the registered image.
    pub image: String,
    /// The request's page in the dashboard.
    pub dashboard: String,
}

fn resource(detail: RequestDetail) -> RequestResource {
    let id = detail.id.0;
    let base = format!("/api/v1/requests/{id}");
    let register_image = RegisterImageRequest::try_from(&detail.form)
        .ok()
        .and_then(|r| serde_json::to_value(r).ok());
    RequestResource {
        id,
        state: detail.state.to_string(),
        revision: detail.revision,
        content_hash: detail.content_hash,
        team: detail.team,
        author: detail.author,
        region: detail.form.region,
        name: detail.form.name,
        image_id: detail.image_id,
        created_at: detail.created_at,
        updated_at: detail.updated_at,
        register_image,
        links: RequestLinks {
            submit: format!("{base}/submit"),
            approve: format!("{base}/approve"),
            reject: format!("{base}/reject"),
            dry_run: format!("{base}/dry-run"),
            image: format!("{base}/image"),
            dashboard: format!("/requests/{id}"),
            this: base,
        },
    }
}

/// The body of `POST /api/v1/requests`: the `aws ec2 register-image --cli-input-json`
/// document plus where it goes. Unknown keys are refused.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(non_snake_case, dead_code)]
pub struct FileRequestBody {
    /// Target Region (one of the service's allowed Regions).
    region: String,
    /// The owning team: its name or id. With a template, its team (may be left out).
    #[schema(value_type = String, example = "Platform")]
    team: Option<Value>,
    /// Start from this template (its id): its defaults apply to the fields the body leaves
    /// out, and its locked fields may not be set to other values.
    template: Option<i64>,
    /// The AMI name (3–128 characters).
    Name: Option<String>,
    /// Description.
    Description: Option<String>,
    /// `x86_64`, `arm64`, `i386`, `x86_64_mac` or `arm64_mac`.
    Architecture: Option<String>,
    /// e.g. `/dev/xvda`.
    RootDeviceName: Option<String>,
    /// `hvm` or `paravirtual`.
    VirtualizationType: Option<String>,
    /// `legacy-bios`, `uefi` or `uefi-preferred`.
    BootMode: Option<String>,
    /// ENA support.
    EnaSupport: Option<bool>,
    /// `simple`.
    SriovNetSupport: Option<String>,
    /// `v2.0`.
    ImdsSupport: Option<String>,
    /// `v2.0`.
    TpmSupport: Option<String>,
    /// Base64 UEFI variable store.
    UefiData: Option<String>,
    /// Paravirtual kernel.
    KernelId: Option<String>,
    /// Paravirtual RAM disk.
    RamdiskId: Option<String>,
    /// S3 manifest (instance-store images).
    ImageLocation: Option<String>,
    /// Billing product codes.
    BillingProducts: Option<Vec<String>>,
    /// Block device mappings, as in the RegisterImage API.
    #[schema(value_type = Option<Vec<Object>>)]
    BlockDeviceMappings: Option<Value>,
    /// Tag specifications for `image` and `snapshot`.
    #[schema(value_type = Option<Vec<Object>>)]
    TagSpecifications: Option<Value>,
}

fn body_of(body: Result<Json<Value>, JsonRejection>) -> Result<Map<String, Value>, AppError> {
    let Json(value) = body.map_err(|e| {
        AppError::invalid(
            "body",
            format!("The body is not usable JSON: {}", e.body_text()),
        )
    })?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(AppError::invalid("body", "The body must be a JSON object.")),
    }
}

async fn team_id(state: &AppState, team: Option<Value>) -> Result<TeamId, AppError> {
    match team {
        Some(Value::Number(n)) => n
            .as_i64()
            .map(TeamId)
            .ok_or_else(|| AppError::invalid("team", "team must be a team name or id.")),
        Some(Value::String(name)) => {
            let mut conn = state.pool.acquire().await?;
            crate::auth::store::find_team(&mut conn, name.trim())
                .await?
                .ok_or_else(|| AppError::invalid("team", format!("There is no team {name:?}.")))
        }
        _ => Err(AppError::invalid(
            "team",
            "team is required: a team name or id.",
        )),
    }
}

async fn file(
    state: &AppState,
    caller: &Caller,
    mut body: Map<String, Value>,
) -> Result<RequestId, AppError> {
    let region = match body.remove("region") {
        Some(Value::String(r)) => r,
        _ => return Err(AppError::invalid("region", "region is required.")),
    };
    let team = body.remove("team");
    let template = match body.remove("template") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_i64()
                .ok_or_else(|| AppError::invalid("template", "template must be a template id."))?,
        ),
    };
    let fields: Vec<TemplateField> = std::iter::once(TemplateField::Region)
        .chain(body.keys().filter_map(|k| TemplateField::of_path(k)))
        .chain(
            body.contains_key("TagSpecifications")
                .then_some(TemplateField::SnapshotTags),
        )
        .collect();
    let form = form_from_cli_json(&Value::Object(body).to_string(), &region)?;
    let meta = &caller.meta;
    let saved = match template {
        Some(tid) => {
            let owner = crate::templates::service::team_of(state, &caller.user, tid).await?;
            if team.is_some() && team_id(state, team).await? != owner {
                return Err(AppError::invalid(
                    "team",
                    "The template belongs to another team.",
                ));
            }
            let overrides = crate::templates::service::Overrides { form, fields };
            crate::templates::service::new_request_with(
                state,
                &caller.user,
                meta,
                tid,
                Some(overrides),
            )
            .await?
        }
        None => {
            let team = team_id(state, team).await?;
            crate::requests::service::may_file(&caller.user, team)?;
            RegisterImageRequest::try_from(&form)?;
            crate::requests::service::create(state, &caller.user, meta, team, form, "api").await?
        }
    };
    Ok(saved.id)
}

async fn read(state: &AppState, caller: &Caller, id: i64) -> Result<RequestResource, ApiError> {
    crate::requests::service::get(state, &caller.user, RequestId(id))
        .await
        .map(resource)
        .map_err(|e| caller.fail(e))
}

async fn refused<T>(
    state: &AppState,
    caller: &Caller,
    result: Result<T, AppError>,
) -> Result<T, ApiError> {
    crate::auth::guard::audit_rule_refusal(state, &caller.user, &caller.meta, result)
        .await
        .map_err(|e| caller.fail(e))
}

/// Files a new draft request.
#[utoipa::path(post, path = "/requests", tag = "requests",
    request_body = FileRequestBody,
    responses(
        (status = 201, description = "The request was filed as a draft.", body = RequestResource),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user may not file for this team, or the token is read-only.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field breaks a rule; one entry per field.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The token exceeded its rate.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn file_request(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<RequestResource>), ApiError> {
    let body = body_of(body).map_err(|e| caller.fail(e))?;
    let id = refused(&state, &caller, file(&state, &caller, body).await).await?;
    Ok((
        StatusCode::CREATED,
        Json(read(&state, &caller, id.0).await?),
    ))
}

/// Filters of the request list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only requests in this state.
    #[serde(default)]
    state: String,
    /// Only this team's requests (its name).
    #[serde(default)]
    team: String,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    cursor: String,
}

/// One page of requests.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestList {
    /// Newest change first, at most 50.
    pub items: Vec<RequestSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Lists the requests of the caller's teams (keyset pagination).
#[utoipa::path(get, path = "/requests", tag = "requests", params(ListQuery),
    responses(
        (status = 200, description = "One page.", body = RequestList),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown state.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn list_requests(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<RequestList>, ApiError> {
    let filter = ListFilter {
        scope: ListScope::Team,
        state: q.state,
        team: q.team,
        cursor: q.cursor,
        ..ListFilter::default()
    };
    let page = crate::requests::service::list(&state, &caller.user, &filter)
        .await
        .map_err(|e| caller.fail(e))?;
    Ok(Json(RequestList {
        items: page.rows,
        next_cursor: page.next_cursor,
    }))
}

/// One request.
#[utoipa::path(get, path = "/requests/{id}", tag = "requests", params(("id" = i64, Path, description = "Request id")),
    responses(
        (status = 200, description = "The request.", body = RequestResource),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request, or not one the caller may see.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn get_request(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<RequestResource>, ApiError> {
    Ok(Json(read(&state, &caller, id).await?))
}

/// The body of a submit.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SubmitBody {
    /// The revision being submitted; the current one when left out.
    #[serde(default)]
    revision: Option<i64>,
}

/// Submits a draft (or a rejected request) for approval.
#[utoipa::path(post, path = "/requests/{id}/submit", tag = "workflow", params(("id" = i64, Path, description = "Request id")),
    request_body(content = Option<SubmitBody>, description = "Optional; `{}` submits the current revision."),
    responses(
        (status = 200, description = "Pending approval.", body = RequestResource),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the author's team, or a read-only token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not in a state that can be submitted, or a stale revision.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field breaks a rule.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Option<Json<SubmitBody>>,
) -> Result<Json<RequestResource>, ApiError> {
    let revision = match body.and_then(|Json(b)| b.revision) {
        Some(r) => r,
        None => read(&state, &caller, id).await?.revision,
    };
    let result = crate::workflow::service::submit(
        &state,
        &caller.user,
        &caller.meta,
        RequestId(id),
        revision,
    )
    .await;
    refused(&state, &caller, result).await?;
    Ok(Json(read(&state, &caller, id).await?))
}

/// An approver's decision.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionBody {
    /// The `content_hash` the approver reviewed; refused (409) if the request changed since.
    content_hash: String,
    /// A comment (required to reject).
    #[serde(default)]
    comment: String,
}

fn decision(body: Result<Json<DecisionBody>, JsonRejection>) -> Result<DecisionBody, AppError> {
    body.map(|Json(b)| b).map_err(|e| {
        AppError::invalid(
            "content_hash",
            format!(
                "Send {{\"content_hash\": …, \"comment\": …}}: {}",
                e.body_text()
            ),
        )
    })
}

/// Approves the exact content with `content_hash` (approvers of the team, never the author).
/// Registration starts when the last approval needed is in.
#[utoipa::path(post, path = "/requests/{id}/approve", tag = "workflow", params(("id" = i64, Path, description = "Request id")),
    request_body = DecisionBody,
    responses(
        (status = 200, description = "Approved (or one approval closer).", body = RequestResource),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an approver of the team, the author, or a read-only token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not pending, or the content changed.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Result<Json<DecisionBody>, JsonRejection>,
) -> Result<Json<RequestResource>, ApiError> {
    caller.require(&state, Role::Approver).await?;
    let body = decision(body).map_err(|e| caller.fail(e))?;
    let result = crate::workflow::actions::approve(
        &state,
        &caller.user,
        &caller.meta,
        RequestId(id),
        &body.content_hash,
        &body.comment,
    )
    .await;
    refused(&state, &caller, result).await?;
    Ok(Json(read(&state, &caller, id).await?))
}

/// Sends the request back to its author with a comment.
#[utoipa::path(post, path = "/requests/{id}/reject", tag = "workflow", params(("id" = i64, Path, description = "Request id")),
    request_body = DecisionBody,
    responses(
        (status = 200, description = "Rejected.", body = RequestResource),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an approver of the team, the author, or a read-only token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not pending, or the content changed.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No comment.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Result<Json<DecisionBody>, JsonRejection>,
) -> Result<Json<RequestResource>, ApiError> {
    caller.require(&state, Role::Approver).await?;
    let body = decision(body).map_err(|e| caller.fail(e))?;
    let result = crate::workflow::service::reject(
        &state,
        &caller.user,
        &caller.meta,
        RequestId(id),
        &body.content_hash,
        &body.comment,
    )
    .await;
    refused(&state, &caller, result).await?;
    Ok(Json(read(&state, &caller, id).await?))
}

/// Asks EC2 whether it would accept the request (`DryRun=true`), with the service's credentials.
#[utoipa::path(post, path = "/requests/{id}/dry-run", tag = "requests", params(("id" = i64, Path, description = "Request id")),
    responses(
        (status = 200, description = "EC2's verdict.", body = DryRunVerdict),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A read-only token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field breaks a rule.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn dry_run(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<DryRunVerdict>, ApiError> {
    crate::requests::service::dry_run(&state, &caller.user, &caller.meta, RequestId(id))
        .await
        .map(Json)
        .map_err(|e| caller.fail(e))
}

/// The registered image of a request.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImageResource {
    /// The request's state.
    pub request_state: String,
    /// The image id, once registered.
    pub image_id: Option<String>,
    /// EC2's image state (`pending`, `available`, `failed` …), once registered.
    pub image_state: Option<String>,
}

/// The image id and its state once the request is registered (asks EC2 while it is pending).
#[utoipa::path(get, path = "/requests/{id}/image", tag = "requests", params(("id" = i64, Path, description = "Request id")),
    responses(
        (status = 200, description = "The image (ids are null until registered).", body = ImageResource),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn image(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<ImageResource>, ApiError> {
    let (image_id, image_state) =
        crate::workflow::actions::image(&state, &caller.user, RequestId(id))
            .await
            .map_err(|e| caller.fail(e))?;
    let request_state = read(&state, &caller, id).await?.state;
    Ok(Json(ImageResource {
        request_state,
        image_id,
        image_state,
    }))
}
