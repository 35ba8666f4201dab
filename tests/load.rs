//! Concurrent users saving drafts, submitting and approving for a fixed time, against one
//! SQLite file: zero 5xx, zero "database is locked", every accepted write present
//! afterwards and the audit chain intact.
//!
//! `make test` runs a short version; `make soak` runs 100 users for 60 s
//! (`AMIDESK_LOAD_USERS`, `AMIDESK_LOAD_SECS`) and prints the figures.

mod common;

use common::*;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What the users saw.
#[derive(Default)]
struct Tally {
    calls: AtomicU64,
    server_errors: AtomicU64,
    locked: AtomicU64,
    conflicts: AtomicU64,
    /// (request id, revision) of every accepted save.
    saved: Mutex<Vec<(i64, i64)>>,
    /// Ids of accepted submissions.
    submitted: Mutex<Vec<i64>>,
    /// Ids of accepted decisions (approvals and rejections).
    approved: Mutex<Vec<i64>>,
}

impl Tally {
    async fn post(
        &self,
        client: &Client,
        url: String,
        body: Value,
        json: bool,
    ) -> (StatusCode, Value) {
        let req = client.post(url);
        let req = if json {
            req.json(&body)
        } else {
            let pairs: Vec<(String, String)> = body
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().map_or(v.to_string(), str::to_string)))
                        .collect()
                })
                .unwrap_or_default();
            req.form(&pairs)
        };
        self.calls.fetch_add(1, Ordering::Relaxed);
        let Ok(res) = req.send().await else {
            self.server_errors.fetch_add(1, Ordering::Relaxed);
            return (StatusCode::INTERNAL_SERVER_ERROR, Value::Null);
        };
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        if status.is_server_error() {
            self.server_errors.fetch_add(1, Ordering::Relaxed);
            eprintln!("{status}: {text}");
        }
        if text.contains("locked") && text.contains("database") {
            self.locked.fetch_add(1, Ordering::Relaxed);
        }
        if status == StatusCode::CONFLICT {
            self.conflicts.fetch_add(1, Ordering::Relaxed);
        }
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// A complete request (it can be submitted); the snapshot need not exist for this test.
fn complete_form(name: &str, architecture: &str) -> Value {
    json!({
        "region": "us-east-1", "name": name, "architecture": architecture, "virtualization_type": "hvm",
        "root_device_name": "/dev/xvda", "ena_support": "true", "imds_v2": true,
        "block_device_mappings": [{ "kind": "ebs", "device_name": "/dev/xvda", "snapshot_id": "snap-0123456789abcdef0", "volume_size": "8", "volume_type": "gp3", "delete_on_termination": true }]
    })
}

async fn requester(
    app: Arc<TestApp>,
    client: Client,
    team: i64,
    n: u64,
    until: Instant,
    t: Arc<Tally>,
) {
    let mut i = 0;
    while Instant::now() < until {
        i += 1;
        let port = app.base.rsplit(':').next().unwrap_or_default();
        let name = format!("load-{port}-{n}-{i}");
        let form = complete_form(&name, "x86_64");
        let (status, saved) = t
            .post(
                &client,
                app.url("/api/requests/create"),
                json!({ "team_id": team, "form": form }),
                true,
            )
            .await;
        if status != StatusCode::OK {
            continue;
        }
        let id = saved["id"].as_i64().unwrap_or_default();
        t.saved.lock().unwrap().push((id, 1));
        let form = complete_form(&name, "arm64");
        let body = json!({ "id": id, "revision": 1, "form": form });
        let (status, _) = t
            .post(&client, app.url("/api/requests/save"), body, true)
            .await;
        if status != StatusCode::OK {
            continue;
        }
        t.saved.lock().unwrap().push((id, 2));
        let body = json!({ "id": id, "revision": 2 });
        let (status, _) = t
            .post(&client, app.url("/api/workflow/submit"), body, false)
            .await;
        if status == StatusCode::OK {
            t.submitted.lock().unwrap().push(id);
        }
    }
}

async fn approver(app: Arc<TestApp>, client: Client, until: Instant, t: Arc<Tally>) {
    while Instant::now() < until {
        let filter = json!({ "filter": { "scope": "team", "state": "pending" } });
        let (_, page) = t
            .post(&client, app.url("/api/requests/list"), filter, true)
            .await;
        let ids: Vec<i64> = page["rows"]
            .as_array()
            .map(|rows| rows.iter().filter_map(|r| r["id"].as_i64()).collect())
            .unwrap_or_default();
        if ids.is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        }
        for id in ids.into_iter().take(3) {
            let (_, view) = t
                .post(
                    &client,
                    app.url("/api/workflow/view"),
                    json!({ "id": id }),
                    false,
                )
                .await;
            let Some(hash) = view["content_hash"].as_str() else {
                continue;
            };
            let body = json!({ "id": id, "content_hash": hash, "comment": "load" });
            let decision = if id % 2 == 0 { "approve" } else { "reject" };
            let url = app.url(&format!("/api/workflow/{decision}"));
            let (status, _) = t.post(&client, url, body, false).await;
            if status == StatusCode::OK {
                t.approved.lock().unwrap().push(id);
            }
        }
    }
}

/// What one run showed.
struct Figures {
    lost: u64,
    report: amidesk::audit::chain::VerifyReport,
}

async fn run_load(app: Arc<TestApp>, label: &str) -> (Arc<Tally>, Figures) {
    let users = knob("AMIDESK_LOAD_USERS", 16);
    let secs = knob("AMIDESK_LOAD_SECS", 4);
    let approvers = (users / 5).max(1);
    let mut clients = Vec::new();
    for n in 0..users {
        let role = if n < approvers {
            "approver"
        } else {
            "requester"
        };
        clients.push((
            n,
            role,
            app.user(&format!("user{n}"), role, "Platform").await,
        ));
    }
    let team: i64 = app.team_id("Platform").await;
    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let until = started + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for (n, role, client) in clients {
        let (app, t) = (app.clone(), tally.clone());
        tasks.push(if role == "approver" {
            tokio::spawn(approver(app, client, until, t))
        } else {
            tokio::spawn(requester(app, client, team, n, until, t))
        });
    }
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let figures = settle(&app, &tally).await;
    let calls = tally.calls.load(Ordering::Relaxed);
    eprintln!(
        "{label}: {users} users for {elapsed:.1} s: {calls} calls ({:.0}/s), {} saves, {} submissions, {} decisions, \
         {} conflicts (409, expected when approvers race), {} server errors, {} 'database is locked', {} lost writes; audit chain: {:?}",
        calls as f64 / elapsed,
        tally.saved.lock().unwrap().len(),
        tally.submitted.lock().unwrap().len(),
        tally.approved.lock().unwrap().len(),
        tally.conflicts.load(Ordering::Relaxed),
        tally.server_errors.load(Ordering::Relaxed),
        tally.locked.load(Ordering::Relaxed),
        figures.lost,
        figures.report,
    );
    (tally, figures)
}

/// Checks every accepted write against the database once the dust settles.
async fn settle(app: &TestApp, tally: &Tally) -> Figures {
    let pool = &app.state.pool;
    let mut lost = 0;
    let saved = tally.saved.lock().unwrap().clone();
    for (id, revision) in saved {
        let stored: Option<i64> =
            sqlx::query_scalar("SELECT revision FROM requests WHERE request_id = ?")
                .bind(id)
                .fetch_optional(pool)
                .await
                .unwrap();
        if stored.is_none_or(|r| r < revision) {
            lost += 1;
        }
    }
    let submitted = tally.submitted.lock().unwrap().clone();
    let decided = tally.approved.lock().unwrap().clone();
    for (ids, unmoved) in [
        (submitted, &["draft"][..]),
        (decided, &["draft", "pending"][..]),
    ] {
        for id in ids {
            let state: String =
                sqlx::query_scalar("SELECT state FROM requests WHERE request_id = ?")
                    .bind(id)
                    .fetch_one(pool)
                    .await
                    .unwrap();
            if unmoved.contains(&state.as_str()) {
                lost += 1;
            }
        }
    }
    let report = amidesk::audit::chain::verify(pool).await.unwrap();
    Figures { lost, report }
}

fn assert_clean(tally: &Tally, figures: &Figures) {
    assert_eq!(tally.server_errors.load(Ordering::Relaxed), 0);
    assert_eq!(tally.locked.load(Ordering::Relaxed), 0);
    assert_eq!(figures.lost, 0);
    assert!(!tally.submitted.lock().unwrap().is_empty());
    assert!(
        matches!(
            figures.report,
            amidesk::audit::chain::VerifyReport::Intact { .. }
        ),
        "{:?}",
        figures.report
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_users_lose_nothing_and_see_no_server_errors() {
    let app = Arc::new(spawn_app().await);
    let (tally, figures) = run_load(app, "load").await;
    assert_clean(&tally, &figures);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_ec2_failing_users_still_see_no_server_errors_and_nothing_registers_twice() {
    let calls = Arc::new(AtomicU64::new(0));
    let seen = calls.clone();
    // RegisterImage in turn: an internal error, throttling, a refused-looking 503, success.
    let fault: Fault = Arc::new(move |body: &str| {
        if !body.contains("Action=RegisterImage") {
            return None;
        }
        let error = |code: &str| {
            format!("<Response><Errors><Error><Code>{code}</Code><Message>injected</Message></Error></Errors><RequestID>x</RequestID></Response>")
        };
        match seen.fetch_add(1, Ordering::Relaxed) % 4 {
            0 => Some((500, error("InternalError"))),
            1 => Some((503, error("RequestLimitExceeded"))),
            2 => Some((503, error("Unavailable"))),
            _ => None,
        }
    });
    let endpoint = proxy(Arc::new(Mutex::new(Vec::new())), fault).await;
    let app = Arc::new(spawn_app_with_ec2(&endpoint).await);
    let (tally, figures) = run_load(app.clone(), "load with EC2 failing").await;
    assert_clean(&tally, &figures);
    // Wait for registrations in flight, then count images per name in EC2 itself.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let ec2 = app.state.ec2.client("us-east-1").await;
    let images = ec2.describe_images().owners("self").send().await.unwrap();
    let mut names: Vec<&str> = images.images().iter().filter_map(|i| i.name()).collect();
    let total = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), total, "an image name was registered twice");
    eprintln!(
        "load with EC2 failing: {} RegisterImage calls reached the proxy",
        calls.load(Ordering::Relaxed)
    );
}
