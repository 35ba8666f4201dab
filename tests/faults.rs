//! Faults outside the code: a full database, and the server killed with SIGKILL while
//! RegisterImage is in flight. The service answers clearly where it can, nothing is lost or
//! half-written, and a restart settles the request without registering twice.

mod common;

use common::*;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn form(name: &str, snapshot: &str, tags: usize) -> Value {
    let tags: Vec<Value> = (0..tags)
        .map(|i| json!({ "key": format!("key-{i}"), "value": "v".repeat(200) }))
        .collect();
    json!({
        "region": "us-east-1", "name": name, "architecture": "x86_64",
        "root_device_name": "/dev/xvda", "virtualization_type": "hvm",
        "block_device_mappings": [{ "kind": "ebs", "device_name": "/dev/xvda", "snapshot_id": snapshot, "volume_size": "8", "volume_type": "gp3", "delete_on_termination": true }],
        "image_tags": tags
    })
}

async fn create(app: &TestApp, client: &Client, body: Value) -> reqwest::Response {
    client
        .post(app.url("/api/requests/create"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.state.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_full_database_refuses_writes_clearly_keeps_serving_reads_and_loses_nothing() {
    let app = spawn_app().await;
    let rick = app.user("rick", "requester", "Platform").await;
    let snap = app.snapshot().await;
    let body =
        json!({ "team_id": app.team_id("Platform").await, "form": form("before-full", &snap, 1) });
    assert_eq!(create(&app, &rick, body).await.status(), StatusCode::OK);
    let pages: i64 = count(&app, "PRAGMA page_count").await;
    let capped = spawn_app_at(&app.db_path, |s| s.db_max_pages = Some(pages as u64)).await;
    let (requests, events) = (
        count(&app, "SELECT COUNT(*) FROM requests").await,
        count(&app, "SELECT COUNT(*) FROM audit_events").await,
    );
    let big =
        json!({ "team_id": app.team_id("Platform").await, "form": form("too-big", &snap, 50) });
    let res = create(&capped, &rick, big).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key("x-correlation-id"));
    let err: Value = res.json().await.unwrap();
    let text = err.to_string();
    assert!(
        text.contains("The database is full; nothing was changed"),
        "{text}"
    );
    assert!(
        !text.contains("sqlite") && !text.contains("SQLITE"),
        "{text}"
    );
    let list = capped
        .call_json(&rick, "requests/list", json!({ "filter": {} }))
        .await;
    assert_eq!(list.status(), StatusCode::OK, "reads go on");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM requests").await, requests);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_events").await,
        events
    );
    let report = amidesk::audit::chain::verify(&app.state.pool)
        .await
        .unwrap();
    assert!(
        matches!(report, amidesk::audit::chain::VerifyReport::Intact { .. }),
        "{report:?}"
    );
}

/// A proxy to moto that holds every RegisterImage call for `delay` before forwarding it.
async fn slow_register_proxy(delay: Duration) -> String {
    use axum::body::Bytes;
    use axum::extract::State;
    use axum::http::{HeaderMap, Method, StatusCode as Status, Uri};
    async fn forward(
        State(delay): State<Duration>,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> (Status, HeaderMap, Bytes) {
        // Forward in a task of its own, so the call reaches EC2 even when the caller dies.
        let task = tokio::spawn(async move { held(delay, method, uri, headers, body).await });
        task.await.unwrap()
    }
    async fn held(
        delay: Duration,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> (Status, HeaderMap, Bytes) {
        if String::from_utf8_lossy(&body).contains("Action=RegisterImage") {
            tokio::time::sleep(delay).await;
        }
        common::relay(&moto().endpoint, method, uri, headers, body).await
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(forward).with_state(delay);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// The real `amidesk` binary serving `db` on `port`, with EC2 at `endpoint`.
fn start_binary(db: &std::path::Path, port: u16, endpoint: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_amidesk"))
        .env("AMIDESK_DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("AMIDESK_LISTEN", format!("127.0.0.1:{port}"))
        .env("AMIDESK_LOG", "warn")
        .env("AWS_ENDPOINT_URL_EC2", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start amidesk")
}

async fn wait_until_up(base: &str) {
    for _ in 0..200 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{base} did not start");
}

async fn state_of(app: &TestApp, id: i64) -> (String, Option<String>) {
    sqlx::query_as("SELECT state, image_id FROM requests WHERE request_id = ?")
        .bind(id)
        .fetch_one(&app.state.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_server_killed_mid_registration_settles_it_exactly_once_on_restart() {
    let app = spawn_app().await;
    let rick = app.user("rick", "requester", "Platform").await;
    let carol = app.user("carol", "approver", "Platform").await;
    let snap = app.snapshot().await;
    let body = json!({ "team_id": app.team_id("Platform").await, "form": form("killed-mid-call", &snap, 1) });
    let id = create(&app, &rick, body)
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let sid = id.to_string();
    let res = app
        .call(&rick, "workflow/submit", &[("id", &sid), ("revision", "1")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let hash: String = sqlx::query_scalar("SELECT content_hash FROM requests WHERE request_id = ?")
        .bind(id)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();

    let slow = slow_register_proxy(Duration::from_secs(3)).await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start_binary(&app.db_path, port, &slow);
    wait_until_up(&base).await;
    let res = carol
        .post(format!("{base}/api/workflow/approve"))
        .form(&[
            ("id", sid.as_str()),
            ("content_hash", &hash),
            ("comment", "ok"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        state_of(&app, id).await.0,
        "registering",
        "the call is in flight"
    );
    server.kill().expect("SIGKILL");
    server.wait().unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await; // the held call reaches EC2 meanwhile

    let mut restarted = start_binary(&app.db_path, port, &moto().endpoint);
    wait_until_up(&base).await;
    let mut settled = (String::new(), None);
    for _ in 0..100 {
        settled = state_of(&app, id).await;
        if settled.0 != "registering" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    restarted.kill().ok();
    restarted.wait().ok();
    assert_eq!(settled.0, "registered", "{settled:?}");
    let ec2 = app.state.ec2.client("us-east-1").await;
    let name = aws_sdk_ec2::types::Filter::builder()
        .name("name")
        .values("killed-mid-call")
        .build();
    let images = ec2
        .describe_images()
        .owners("self")
        .filters(name)
        .send()
        .await
        .unwrap();
    assert_eq!(images.images().len(), 1, "registered exactly once");
    assert_eq!(images.images()[0].image_id(), settled.1.as_deref());
    let report = amidesk::audit::chain::verify(&app.state.pool)
        .await
        .unwrap();
    assert!(
        matches!(report, amidesk::audit::chain::VerifyReport::Intact { .. }),
        "{report:?}"
    );
}
