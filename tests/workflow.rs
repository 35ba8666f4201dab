//! Submit, four-eyes approval, exactly one RegisterImage call, reconciliation after a crash,
//! and EC2 failures — against moto.

mod common;

use common::*;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

fn form(name: &str, snapshot: &str) -> Value {
    json!({
        "region": "us-east-1", "name": name, "architecture": "x86_64", "virtualization_type": "hvm",
        "root_device_name": "/dev/xvda", "ena_support": "true", "imds_v2": true,
        "block_device_mappings": [{ "kind": "ebs", "device_name": "/dev/xvda", "snapshot_id": snapshot, "volume_size": "8", "volume_type": "gp3", "delete_on_termination": true }],
        "image_tags": [{ "key": "team", "value": "platform" }]
    })
}

struct Cast {
    alice: Client,
    carol: Client,
    dave: Client,
}

async fn cast(app: &TestApp) -> Cast {
    Cast {
        alice: app.user("alice", "requester", "Platform").await,
        carol: app.user("carol", "approver", "Platform").await,
        dave: app.user("dave", "approver", "Platform").await,
    }
}

async fn create_and_submit(
    app: &TestApp,
    client: &Client,
    name: &str,
    snap: &str,
) -> (i64, String) {
    let team: i64 = app.team_id("Platform").await;
    let res = client
        .post(app.url("/api/requests/create"))
        .json(&json!({ "team_id": team, "form": form(name, snap) }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = app
        .call(
            client,
            "workflow/submit",
            &[("id", &id.to_string()), ("revision", "1")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    (
        id,
        view(app, client, id).await["content_hash"]
            .as_str()
            .unwrap()
            .to_string(),
    )
}

async fn view(app: &TestApp, client: &Client, id: i64) -> Value {
    app.call(client, "workflow/view", &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap()
}

async fn approve(app: &TestApp, client: &Client, id: i64, hash: &str) -> reqwest::Response {
    app.call(
        client,
        "workflow/approve",
        &[
            ("id", &id.to_string()),
            ("content_hash", hash),
            ("comment", "looks right"),
        ],
    )
    .await
}

async fn wait_for_state(app: &TestApp, id: i64, wanted: &[&str]) -> String {
    for _ in 0..100 {
        let state: String = sqlx::query_scalar("SELECT state FROM requests WHERE request_id = ?")
            .bind(id)
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
        if wanted.contains(&state.as_str()) {
            return state;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("request {id} never reached {wanted:?}");
}

async fn images_named(app: &TestApp, name: &str) -> Vec<String> {
    let ec2 = app.state.ec2.client("us-east-1").await;
    let filter = aws_sdk_ec2::types::Filter::builder()
        .name("name")
        .values(name)
        .build();
    let out = ec2
        .describe_images()
        .owners("self")
        .filters(filter)
        .send()
        .await
        .unwrap();
    out.images()
        .iter()
        .map(|i| i.image_id().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_request_goes_from_draft_to_a_registered_image() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let snap = app.snapshot().await;
    let (id, hash) = create_and_submit(&app, &c.alice, "wf-full-path", &snap).await;
    let preflight: Value = app
        .call(&c.carol, "workflow/preflight", &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    let checks = preflight["checks"].as_array().unwrap();
    assert!(checks.iter().all(|c| c["ok"] == true), "{preflight}");
    assert!(checks
        .iter()
        .any(|c| c["name"] == format!("Snapshot {snap}")));
    assert!(checks.iter().any(|c| c["name"] == "DryRun"));
    let res = approve(&app, &c.carol, id, &hash).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        wait_for_state(&app, id, &["registered", "failed"]).await,
        "registered"
    );
    let images = images_named(&app, "wf-full-path").await;
    assert_eq!(images.len(), 1);
    let v = view(&app, &c.alice, id).await;
    assert_eq!(v["image_id"], images[0]);
    let state: Value = app
        .call(&c.alice, "workflow/image", &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(state, "available");
    for action in [
        "request.submit",
        "request.approve",
        "request.registering",
        "request.registered",
    ] {
        assert_eq!(app.audit_count(action).await, 1, "{action}");
    }
}

#[tokio::test]
async fn nobody_approves_their_own_request_and_the_refusal_is_audited() {
    let app = spawn_app().await;
    let erin = app.user("erin", "approver", "Platform").await;
    let snap = app.snapshot().await;
    let (id, hash) = create_and_submit(&app, &erin, "wf-self", &snap).await;
    let res = approve(&app, &erin, id, &hash).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("someone else must approve"));
    assert_eq!(app.audit_count("access.refused").await, 1);
    let requester = app.user("rick", "requester", "Platform").await;
    assert_eq!(
        approve(&app, &requester, id, &hash).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn an_edit_after_submission_returns_to_draft_and_voids_approvals() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let admin = app.admin().await;
    let team: i64 = app.team_id("Platform").await;
    sqlx::query("UPDATE teams SET required_approvals = 2 WHERE team_id = ?")
        .bind(team)
        .execute(&app.state.pool)
        .await
        .unwrap();
    drop(admin);
    let snap = app.snapshot().await;
    let (id, hash) = create_and_submit(&app, &c.alice, "wf-stale", &snap).await;
    assert_eq!(
        approve(&app, &c.carol, id, &hash).await.status(),
        StatusCode::OK
    );
    assert_eq!(view(&app, &c.alice, id).await["current_approvals"], 1);
    let save = c
        .alice
        .post(app.url("/api/requests/save"))
        .json(&json!({ "id": id, "revision": 1, "form": form("wf-stale-2", &snap) }))
        .send()
        .await
        .unwrap();
    assert_eq!(save.status(), StatusCode::OK);
    let v = view(&app, &c.alice, id).await;
    assert_eq!(v["state"], "draft");
    assert_eq!(v["current_approvals"], 0);
    // The old approval does not count for the new content, nor for a stale hash.
    let res = app
        .call(
            &c.alice,
            "workflow/submit",
            &[("id", &id.to_string()), ("revision", "2")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        approve(&app, &c.dave, id, &hash).await.status(),
        StatusCode::CONFLICT
    );
    let new_hash = view(&app, &c.alice, id).await["content_hash"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        approve(&app, &c.dave, id, &new_hash).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        view(&app, &c.alice, id).await["state"],
        "pending",
        "one of two approvals"
    );
    assert_eq!(
        approve(&app, &c.carol, id, &new_hash).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        wait_for_state(&app, id, &["registered", "failed"]).await,
        "registered"
    );
}

#[tokio::test]
async fn a_rejected_request_goes_back_to_its_author_who_reopens_it() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let snap = app.snapshot().await;
    let (id, hash) = create_and_submit(&app, &c.alice, "wf-reject", &snap).await;
    let empty = app
        .call(
            &c.carol,
            "workflow/reject",
            &[
                ("id", &id.to_string()),
                ("content_hash", &hash),
                ("comment", " "),
            ],
        )
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .call(
            &c.carol,
            "workflow/reject",
            &[
                ("id", &id.to_string()),
                ("content_hash", &hash),
                ("comment", "use gp3 io"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v = view(&app, &c.alice, id).await;
    assert_eq!(v["state"], "rejected");
    assert_eq!(v["approvals"][0]["comment"], "use gp3 io");
    assert_eq!(
        app.call(&c.alice, "workflow/reopen", &[("id", &id.to_string())])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(view(&app, &c.alice, id).await["state"], "draft");
}

#[tokio::test]
async fn fifty_concurrent_approvals_make_one_registration() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let snap = app.snapshot().await;
    let (id, hash) = create_and_submit(&app, &c.alice, "wf-concurrent", &snap).await;
    let mut calls = Vec::new();
    for i in 0..50 {
        let client = if i % 2 == 0 {
            c.carol.clone()
        } else {
            c.dave.clone()
        };
        let url = app.url("/api/workflow/approve");
        let hash = hash.clone();
        calls.push(tokio::spawn(async move {
            client
                .post(url)
                .form(&[
                    ("id", id.to_string()),
                    ("content_hash", hash),
                    ("comment", "ok".into()),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut ok = 0;
    for call in calls {
        let status = call.await.unwrap();
        assert!(
            status == StatusCode::OK || status == StatusCode::CONFLICT,
            "{status}"
        );
        ok += usize::from(status == StatusCode::OK);
    }
    assert_eq!(
        ok, 1,
        "the team needs one approval; every later call finds the request approved"
    );
    assert_eq!(
        wait_for_state(&app, id, &["registered", "failed"]).await,
        "registered"
    );
    for _ in 0..20 {
        let meta = amidesk::server::RequestMeta::detached();
        amidesk::workflow::engine::register(&app.state, amidesk::domain::RequestId(id), &meta)
            .await
            .unwrap();
    }
    assert_eq!(
        images_named(&app, "wf-concurrent").await.len(),
        1,
        "exactly one RegisterImage call"
    );
    let approvals: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM approvals WHERE request_id = ?")
        .bind(id)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(approvals, 1);
    assert_eq!(app.audit_count("request.registered").await, 1);
}

#[tokio::test]
async fn a_request_left_registering_is_settled_on_restart_without_a_second_call() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let snap = app.snapshot().await;
    let (id, _) = create_and_submit(&app, &c.alice, "wf-crash", &snap).await;
    // Simulate a crash after RegisterImage succeeded but before the result was written.
    sqlx::query(
        "UPDATE requests SET state = 'registering', registering_since = ? WHERE request_id = ?",
    )
    .bind(amidesk::db::now_text())
    .bind(id)
    .execute(&app.state.pool)
    .await
    .unwrap();
    let ec2 = app.state.ec2.client("us-east-1").await;
    ec2.register_image()
        .name("wf-crash")
        .architecture("x86_64".into())
        .root_device_name("/dev/xvda")
        .send()
        .await
        .unwrap();
    // And one left registering whose call never happened.
    let (lost, lost_hash) = create_and_submit(&app, &c.alice, "wf-crash-lost", &snap).await;
    sqlx::query(
        "UPDATE requests SET state = 'registering', registering_since = ? WHERE request_id = ?",
    )
    .bind(amidesk::db::now_text())
    .bind(lost)
    .execute(&app.state.pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO approvals (request_id, content_hash, approver_id, decision, comment, created_at) SELECT ?, ?, user_id, 'approve', 'ok', '2026-01-01T00:00:00.000Z' FROM users WHERE username = 'carol'")
        .bind(lost)
        .bind(&lost_hash)
        .execute(&app.state.pool)
        .await
        .unwrap();
    let settled = amidesk::workflow::engine::reconcile(&app.state, None)
        .await
        .unwrap();
    assert_eq!(settled, 2);
    assert_eq!(
        wait_for_state(&app, id, &["registered"]).await,
        "registered"
    );
    assert_eq!(wait_for_state(&app, lost, &["failed"]).await, "failed");
    assert_eq!(images_named(&app, "wf-crash").await.len(), 1);
    assert!(
        images_named(&app, "wf-crash-lost").await.is_empty(),
        "reconciliation never registers"
    );
    // The failed one can be retried: it looks up first, then registers once.
    assert_eq!(
        app.call(&c.alice, "workflow/retry", &[("id", &lost.to_string())])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        wait_for_state(&app, lost, &["registered", "failed"]).await,
        "registered"
    );
    assert_eq!(images_named(&app, "wf-crash-lost").await.len(), 1);
}

#[tokio::test]
async fn an_unreachable_ec2_leaves_a_clear_retryable_failure_within_the_timeout() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let snap = app.snapshot().await;
    let (id, hash) = create_and_submit(&app, &c.alice, "wf-down", &snap).await;
    // The approval path uses the served state's gateway; point a copy at a dead port and
    // drive the engine directly.
    let state = app.state.clone();
    let dead = format!("http://127.0.0.1:{}", free_port());
    let state = state.with_ec2(amidesk::ec2::Ec2Gateway::with_sdk_config(
        &state.settings,
        sdk_config(&dead),
    ));
    sqlx::query("UPDATE requests SET state = 'approved' WHERE request_id = ?")
        .bind(id)
        .execute(&state.pool)
        .await
        .unwrap();
    let _ = hash;
    let started = std::time::Instant::now();
    amidesk::workflow::engine::register(
        &state,
        amidesk::domain::RequestId(id),
        &amidesk::server::RequestMeta::detached(),
    )
    .await
    .unwrap();
    assert!(started.elapsed() < Duration::from_secs(30));
    let v = view(&app, &c.alice, id).await;
    assert_eq!(v["state"], "failed");
    assert!(
        v["error_message"].as_str().unwrap().contains("retry"),
        "{v}"
    );
    assert_eq!(v["can_retry"], true);
}
