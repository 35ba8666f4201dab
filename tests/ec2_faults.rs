//! EC2 hanging or throttling during registration: the request ends in a clear, retryable
//! state within the configured timeouts, nothing is registered twice, nothing is lost.

mod common;

use amidesk::domain::RequestId;
use amidesk::server::RequestMeta;
use common::*;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// An approved request whose registration the test drives with its own gateway.
async fn approved_request(app: &TestApp, name: &str) -> i64 {
    let alice = app.user("alice", "requester", "Platform").await;
    let team: i64 = app.team_id("Platform").await;
    let form = json!({ "region": "us-east-1", "name": name, "architecture": "x86_64", "virtualization_type": "hvm",
        "image_location": "bucket/image.manifest.xml", "root_device_name": "", "block_device_mappings": [] });
    let res = alice
        .post(app.url("/api/requests/create"))
        .json(&json!({ "team_id": team, "form": form }))
        .send()
        .await
        .unwrap();
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    sqlx::query("UPDATE requests SET state = 'approved' WHERE request_id = ?")
        .bind(id)
        .execute(&app.state.pool)
        .await
        .unwrap();
    id
}

async fn outcome(app: &TestApp, id: i64) -> (String, Option<String>, Option<String>) {
    sqlx::query_as("SELECT state, error_code, error_message FROM requests WHERE request_id = ?")
        .bind(id)
        .fetch_one(&app.state.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_hanging_ec2_fails_the_registration_clearly_within_the_timeout() {
    let app = spawn_app().await;
    let id = approved_request(&app, "fault-hang").await;
    let state = app.state.clone();
    let state = state.with_ec2(amidesk::ec2::Ec2Gateway::with_sdk_config(
        &state.settings,
        sdk_config(&hanging_endpoint().await),
    ));
    let started = Instant::now();
    amidesk::workflow::engine::register(&state, RequestId(id), &RequestMeta::detached())
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    let (s, code, message) = outcome(&app, id).await;
    assert_eq!(s, "failed");
    assert_eq!(code.as_deref(), Some("Unreachable"));
    assert!(message.unwrap().contains("retry"));
}

#[tokio::test]
async fn throttling_is_retried_with_backoff_then_fails_retryably_without_registering() {
    let app = spawn_app().await;
    let id = approved_request(&app, "fault-throttle").await;
    let captured = Captured::default();
    let throttle: Fault = Arc::new(|body: &str| {
        body.contains("Action=RegisterImage").then(|| {
            (503, "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>t-1</RequestID></Response>".to_string())
        })
    });
    let url = proxy(captured.clone(), throttle).await;
    let state = app.state.clone();
    let state = state.with_ec2(amidesk::ec2::Ec2Gateway::with_sdk_config(
        &state.settings,
        sdk_config(&url),
    ));
    amidesk::workflow::engine::register(&state, RequestId(id), &RequestMeta::detached())
        .await
        .unwrap();
    let attempts = captured
        .lock()
        .unwrap()
        .iter()
        .filter(|b| b.contains("Action=RegisterImage"))
        .count();
    assert_eq!(
        attempts, 3,
        "the SDK's standard retry mode tries three times"
    );
    let (s, _, message) = outcome(&app, id).await;
    assert_eq!(s, "failed");
    assert!(message.unwrap().contains("retry"));
    let ec2 = app.state.ec2.client("us-east-1").await;
    let filter = aws_sdk_ec2::types::Filter::builder()
        .name("name")
        .values("fault-throttle")
        .build();
    assert!(ec2
        .describe_images()
        .owners("self")
        .filters(filter)
        .send()
        .await
        .unwrap()
        .images()
        .is_empty());

    // When EC2 recovers, a retry registers it exactly once.
    sqlx::query("UPDATE requests SET state = 'approved' WHERE request_id = ?")
        .bind(id)
        .execute(&app.state.pool)
        .await
        .unwrap();
    amidesk::workflow::engine::register(&app.state, RequestId(id), &RequestMeta::detached())
        .await
        .unwrap();
    assert_eq!(outcome(&app, id).await.0, "registered");
}

#[tokio::test]
async fn an_internal_error_after_the_call_is_settled_by_lookup_not_by_calling_again() {
    let app = spawn_app().await;
    let id = approved_request(&app, "fault-500").await;
    let captured = Captured::default();
    // The first RegisterImage reaches moto (the image is created) but the answer is lost as a 500.
    let seen = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ec2 = app.state.ec2.client("us-east-1").await;
    let flag = seen.clone();
    let lose_answer: Fault = Arc::new(move |body: &str| {
        if body.contains("Action=RegisterImage")
            && !flag.swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            let client = ec2.clone();
            std::thread::spawn(move || {
                tokio::runtime::Runtime::new()
                    .unwrap()
                    .block_on(async move {
                        client
                            .register_image()
                            .name("fault-500")
                            .architecture("x86_64".into())
                            .image_location("bucket/image.manifest.xml")
                            .send()
                            .await
                            .unwrap();
                    })
            })
            .join()
            .unwrap();
            return Some((500, "<Response><Errors><Error><Code>InternalError</Code><Message>boom</Message></Error></Errors><RequestID>t-2</RequestID></Response>".into()));
        }
        body.contains("Action=RegisterImage").then(|| (500, "<Response><Errors><Error><Code>InternalError</Code><Message>boom</Message></Error></Errors><RequestID>t-3</RequestID></Response>".into()))
    });
    let url = proxy(captured.clone(), lose_answer).await;
    let state = app.state.clone();
    let state = state.with_ec2(amidesk::ec2::Ec2Gateway::with_sdk_config(
        &state.settings,
        sdk_config(&url),
    ));
    amidesk::workflow::engine::register(&state, RequestId(id), &RequestMeta::detached())
        .await
        .unwrap();
    assert_eq!(
        outcome(&app, id).await.0,
        "registered",
        "found by name after the lost answer"
    );
    let ec2 = app.state.ec2.client("us-east-1").await;
    let filter = aws_sdk_ec2::types::Filter::builder()
        .name("name")
        .values("fault-500")
        .build();
    assert_eq!(
        ec2.describe_images()
            .owners("self")
            .filters(filter)
            .send()
            .await
            .unwrap()
            .images()
            .len(),
        1
    );
}
