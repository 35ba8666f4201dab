//! The EC2 gateway: one SDK client per Region, built lazily from the standard AWS chain
//! (so nothing touches AWS on the start-up path), with operation and attempt timeouts.

use super::Ec2Status;
use crate::settings::Settings;
use aws_config::{retry::RetryConfig, timeout::TimeoutConfig, BehaviorVersion, Region, SdkConfig};
use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::Client;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// Hands out EC2 clients and caches the status check.
#[derive(Clone)]
pub struct Ec2Gateway {
    inner: Arc<Inner>,
}

struct Inner {
    base: OnceCell<SdkConfig>,
    clients: Mutex<HashMap<String, Client>>,
    status: tokio::sync::Mutex<Option<(Instant, Ec2Status)>>,
    status_ttl: Duration,
    status_region: String,
    operation_timeout: Duration,
    attempt_timeout: Duration,
    /// Image states by (Region, image id), fresh for a few seconds.
    images: crate::ttl_cache::TtlCache<(String, String), Option<String>>,
    /// Snapshots by (Region, snapshot id); `None` when EC2 said it does not exist.
    snapshots: crate::ttl_cache::TtlCache<(String, String), Option<FoundSnapshot>>,
}

/// How long an image state or snapshot answer is reused.
const ANSWER_TTL: Duration = Duration::from_secs(5);
/// Most answers of each kind kept.
const MAX_ANSWERS: usize = 4_096;

impl Ec2Gateway {
    /// A gateway configured from the settings and the standard AWS chain; makes no call yet.
    pub fn new(settings: &Settings) -> Self {
        Self::build(settings, OnceCell::new())
    }

    /// A gateway over an explicit SDK configuration (tests point it at a local endpoint).
    pub fn with_sdk_config(settings: &Settings, config: SdkConfig) -> Self {
        Self::build(settings, OnceCell::new_with(Some(config)))
    }

    fn build(settings: &Settings, base: OnceCell<SdkConfig>) -> Self {
        Self {
            inner: Arc::new(Inner {
                base,
                clients: Mutex::new(HashMap::new()),
                status: tokio::sync::Mutex::new(None),
                status_ttl: Duration::from_secs(settings.ec2_status_cache_secs),
                status_region: settings
                    .regions
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "us-east-1".into()),
                operation_timeout: Duration::from_secs(settings.ec2_timeout_secs.max(1)),
                attempt_timeout: Duration::from_secs(settings.ec2_attempt_timeout_secs.max(1)),
                images: crate::ttl_cache::TtlCache::new(ANSWER_TTL, MAX_ANSWERS),
                snapshots: crate::ttl_cache::TtlCache::new(ANSWER_TTL, MAX_ANSWERS),
            }),
        }
    }

    async fn base(&self) -> &SdkConfig {
        let inner = &self.inner;
        inner
            .base
            .get_or_init(|| async {
                aws_config::defaults(BehaviorVersion::latest())
                    .timeout_config(
                        TimeoutConfig::builder()
                            .connect_timeout(Duration::from_secs(3))
                            .operation_timeout(inner.operation_timeout)
                            .operation_attempt_timeout(inner.attempt_timeout)
                            .build(),
                    )
                    .retry_config(RetryConfig::standard().with_max_attempts(3))
                    .load()
                    .await
            })
            .await
    }

    /// The client for `region`.
    pub async fn client(&self, region: &str) -> Client {
        if let Some(client) = self
            .inner
            .clients
            .lock()
            .ok()
            .and_then(|c| c.get(region).cloned())
        {
            return client;
        }
        let config = aws_sdk_ec2::config::Builder::from(self.base().await)
            .region(Region::new(region.to_string()))
            .build();
        let client = Client::from_conf(config);
        if let Ok(mut clients) = self.inner.clients.lock() {
            clients.insert(region.to_string(), client.clone());
        }
        client
    }

    /// Whether EC2 answers (DescribeRegions), cached for the configured time.
    pub async fn status(&self) -> Ec2Status {
        let mut cached = self.inner.status.lock().await;
        if let Some((at, status)) = cached.as_ref() {
            if at.elapsed() < self.inner.status_ttl {
                return status.clone();
            }
        }
        let status = self.check_status().await;
        *cached = Some((Instant::now(), status.clone()));
        status
    }

    async fn check_status(&self) -> Ec2Status {
        let region = self.inner.status_region.clone();
        let client = self.client(&region).await;
        let result = client.describe_regions().send().await;
        let (reachable, message) = match result {
            Ok(out) => (
                true,
                format!(
                    "EC2 reachable in {region} ({} Regions visible)",
                    out.regions().len()
                ),
            ),
            Err(err) => {
                tracing::warn!(error = %DisplayErrorContext(&err), "EC2 status check failed");
                (false, describe_failure(&err))
            }
        };
        Ec2Status {
            reachable,
            region,
            message,
            checked_at: crate::db::now_text(),
        }
    }
}

/// A plain sentence for a failed call, without raw SDK internals.
pub fn describe_failure<E, R>(err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err {
        SdkError::TimeoutError(_) => "EC2 did not answer in time.".into(),
        SdkError::DispatchFailure(_) => "EC2 could not be reached (connection failed).".into(),
        SdkError::ConstructionFailure(_) => {
            let text = DisplayErrorContext(err).to_string();
            if text.contains("credentials") {
                "No AWS credentials were found for the service (set AWS_PROFILE or AWS_ACCESS_KEY_ID).".into()
            } else {
                "The EC2 request could not be built; check AWS_REGION and the AWS settings.".into()
            }
        }
        _ => match err.code() {
            Some("AuthFailure") | Some("UnauthorizedOperation") => {
                "AWS refused the service's credentials.".into()
            }
            Some(code) => format!("EC2 answered with an error ({code})."),
            None => {
                let text = DisplayErrorContext(err).to_string();
                if text.contains("credentials") {
                    "No AWS credentials were found for the service (set AWS_PROFILE or AWS_ACCESS_KEY_ID).".into()
                } else {
                    "EC2 answered with an unexpected error.".into()
                }
            }
        },
    }
}

/// What EC2 answered to a call that reached it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ec2Answer {
    /// The error code, or `Ok` when the call succeeded.
    pub code: String,
    /// EC2's message (empty on success).
    pub message: String,
    /// AWS's request id, for support cases and the audit history.
    pub aws_request_id: Option<String>,
}

impl Ec2Gateway {
    /// Sends RegisterImage with `DryRun=true`: EC2 checks permissions and parameters and
    /// registers nothing. `Err` carries a plain sentence when EC2 could not be reached.
    pub async fn dry_run_register(
        &self,
        region: &str,
        req: &crate::domain::register_image::RegisterImageRequest,
    ) -> Result<Ec2Answer, String> {
        use aws_sdk_ec2::operation::RequestId;
        let client = self.client(region).await;
        match super::register::register_image_call(&client, req, true, &[])
            .send()
            .await
        {
            Ok(out) => Ok(Ec2Answer {
                code: "Ok".into(),
                message: String::new(),
                aws_request_id: out.request_id().map(str::to_string),
            }),
            Err(SdkError::ServiceError(service)) => {
                let err = service.err();
                Ok(Ec2Answer {
                    code: err.code().unwrap_or("Unknown").to_string(),
                    message: err.message().unwrap_or_default().to_string(),
                    aws_request_id: err.request_id().map(str::to_string),
                })
            }
            Err(other) => {
                tracing::warn!(error = %DisplayErrorContext(&other), "DryRun RegisterImage failed");
                Err(describe_failure(&other))
            }
        }
    }
}

/// The tag that ties an image to the request that registered it.
pub const REQUEST_TAG: &str = "amidesk:request-id";

/// An image found by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundImage {
    /// `ami-…`
    pub image_id: String,
    /// `pending`, `available`, `failed` …
    pub state: String,
    /// The value of the request tag, if any.
    pub request_tag: Option<String>,
    /// When it was created (RFC 3339).
    pub created: Option<String>,
}

impl FoundImage {
    /// Whether this image was registered for request `id`: it carries the request's tag, or
    /// carries no AMI Desk tag and was created after registration began (`since`, RFC 3339,
    /// minus five minutes of clock skew). A tag naming another request means it is not ours.
    pub fn belongs_to(&self, id: i64, since: Option<&str>) -> bool {
        match &self.request_tag {
            Some(tag) => tag == &id.to_string(),
            None => match (
                since.and_then(parse_time),
                self.created.as_deref().and_then(parse_time),
            ) {
                (Some(since), Some(created)) => created >= since - time::Duration::minutes(5),
                _ => false,
            },
        }
    }
}

fn parse_time(text: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}

/// A snapshot as preflight needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundSnapshot {
    /// `snap-…`
    pub snapshot_id: String,
    /// `completed`, `pending` …
    pub state: String,
    /// GiB.
    pub size: Option<i32>,
}

/// The outcome of RegisterImage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegisterOutcome {
    /// Registered.
    Registered {
        /// The new image.
        image_id: String,
        /// AWS's request id.
        aws_request_id: Option<String>,
    },
    /// EC2 answered with an error code.
    Refused(Ec2Answer),
    /// No answer (timeout, connection, throttling after retries): the call may or may not
    /// have taken effect.
    Unknown(String),
}

impl Ec2Gateway {
    /// The image with `name` owned by this account, if any.
    pub async fn find_image_by_name(
        &self,
        region: &str,
        name: &str,
    ) -> Result<Option<FoundImage>, String> {
        use aws_sdk_ec2::types::Filter;
        let client = self.client(region).await;
        let out = client
            .describe_images()
            .owners("self")
            .filters(Filter::builder().name("name").values(name).build())
            .send()
            .await
            .map_err(|e| {
                tracing::warn!(error = %DisplayErrorContext(&e), "DescribeImages failed");
                describe_failure(&e)
            })?;
        Ok(out.images().first().map(|img| FoundImage {
            image_id: img.image_id().unwrap_or_default().to_string(),
            state: img
                .state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            request_tag: img
                .tags()
                .iter()
                .find(|t| t.key() == Some(REQUEST_TAG))
                .and_then(|t| t.value().map(str::to_string)),
            created: img.creation_date().map(str::to_string),
        }))
    }

    /// The state of one image (`None` when it does not exist).
    pub async fn image_state(
        &self,
        region: &str,
        image_id: &str,
    ) -> Result<Option<String>, String> {
        let key = (region.to_string(), image_id.to_string());
        if let Some(state) = self.inner.images.get(&key) {
            return Ok(state);
        }
        let client = self.client(region).await;
        let state = match client.describe_images().image_ids(image_id).send().await {
            Ok(out) => out
                .images()
                .first()
                .and_then(|i| i.state())
                .map(|s| s.as_str().to_string()),
            Err(e) if e.code() == Some("InvalidAMIID.NotFound") => None,
            Err(e) => return Err(describe_failure(&e)),
        };
        self.inner.images.put(key, state.clone());
        Ok(state)
    }

    /// The snapshots with these ids; missing ones are absent from the answer.
    pub async fn find_snapshots(
        &self,
        region: &str,
        ids: &[String],
    ) -> Result<Vec<FoundSnapshot>, String> {
        let client = self.client(region).await;
        let mut found = Vec::new();
        for id in ids {
            let key = (region.to_string(), id.clone());
            if let Some(answer) = self.inner.snapshots.get(&key) {
                found.extend(answer);
                continue;
            }
            let answer = match client.describe_snapshots().snapshot_ids(id).send().await {
                Ok(out) => out.snapshots().first().map(|s| FoundSnapshot {
                    snapshot_id: s.snapshot_id().unwrap_or_default().to_string(),
                    state: s
                        .state()
                        .map(|st| st.as_str().to_string())
                        .unwrap_or_default(),
                    size: s.volume_size(),
                }),
                Err(e) if e.code().is_some_and(|c| c.starts_with("InvalidSnapshot")) => None,
                Err(e) => return Err(describe_failure(&e)),
            };
            self.inner.snapshots.put(key, answer.clone());
            found.extend(answer);
        }
        Ok(found)
    }

    /// Calls RegisterImage once, with the request's tags plus `extra_tags`.
    pub async fn register_image(
        &self,
        region: &str,
        req: &crate::domain::register_image::RegisterImageRequest,
        extra_tags: &[(String, String)],
    ) -> RegisterOutcome {
        use aws_sdk_ec2::operation::RequestId;
        let client = self.client(region).await;
        match super::register::register_image_call(&client, req, false, extra_tags)
            .send()
            .await
        {
            Ok(out) => RegisterOutcome::Registered {
                image_id: out.image_id().unwrap_or_default().to_string(),
                aws_request_id: out.request_id().map(str::to_string),
            },
            Err(SdkError::ServiceError(service)) => {
                let err = service.err();
                let code = err.code().unwrap_or("Unknown").to_string();
                let answer = Ec2Answer {
                    message: err.message().unwrap_or_default().to_string(),
                    aws_request_id: err.request_id().map(str::to_string),
                    code,
                };
                if super::messages::explain(&answer.code).1
                    || service.raw().status().is_server_error()
                {
                    RegisterOutcome::Unknown(format!("EC2 answered {}.", answer.code))
                } else {
                    RegisterOutcome::Refused(answer)
                }
            }
            Err(other) => {
                tracing::warn!(error = %DisplayErrorContext(&other), "RegisterImage failed");
                RegisterOutcome::Unknown(describe_failure(&other))
            }
        }
    }
}
