//! Reading the audit history: filters, keyset pages, streamed exports, and the promise that a
//! change whose audit event cannot be written does not happen.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn list(app: &TestApp, client: &reqwest::Client, filter: Value) -> reqwest::Response {
    client
        .post(app.url("/api/audit/list"))
        .json(&json!({ "filter": filter }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn pages_are_keyset_paginated_with_exact_boundaries() {
    let app = spawn_app().await;
    amidesk::audit::seed::seed(&app.state.pool, 149)
        .await
        .unwrap();
    let admin = app.admin().await; // the sign-in makes 151 events with the first start's
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(total, 151);
    let mut seen = Vec::new();
    let mut before = String::new();
    let mut pages = 0;
    loop {
        let page: Value = list(&app, &admin, json!({ "before": before }))
            .await
            .json()
            .await
            .unwrap();
        pages += 1;
        let rows = page["rows"].as_array().unwrap();
        seen.extend(rows.iter().map(|r| r["seq"].as_i64().unwrap()));
        match page["next_before"].as_i64() {
            Some(b) => before = b.to_string(),
            None => break,
        }
    }
    assert_eq!(pages, 4);
    assert_eq!(seen.len(), 151);
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first, no repeats"
    );
    amidesk::audit::seed::seed(&app.state.pool, 49)
        .await
        .unwrap();
    let full: Value = list(&app, &admin, json!({})).await.json().await.unwrap();
    assert_eq!(full["rows"].as_array().unwrap().len(), 50);
}

#[tokio::test]
async fn filters_narrow_by_actor_action_request_team_and_time() {
    let app = spawn_app().await;
    let alice = app.user("alice", "requester", "Platform").await;
    let admin = app.admin().await;
    let by_action: Value = list(&app, &admin, json!({ "action": "auth.sign_in" }))
        .await
        .json()
        .await
        .unwrap();
    assert!(by_action["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["action"] == "auth.sign_in"));
    let by_actor: Value = list(&app, &admin, json!({ "actor": "alice" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_actor["rows"].as_array().unwrap().len(), 1);
    let team: Value = list(&app, &admin, json!({ "team": "Platform" }))
        .await
        .json()
        .await
        .unwrap();
    assert!(team["rows"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["action"] == "team.create"));
    let future: Value = list(&app, &admin, json!({ "from": "2999-01-01" }))
        .await
        .json()
        .await
        .unwrap();
    assert!(future["rows"].as_array().unwrap().is_empty());
    let today = &amidesk::db::now_text()[..10];
    let now: Value = list(&app, &admin, json!({ "from": today, "to": today }))
        .await
        .json()
        .await
        .unwrap();
    assert!(!now["rows"].as_array().unwrap().is_empty());
    let bad = list(&app, &admin, json!({ "from": "yesterday" })).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = list(&app, &alice, json!({})).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_request_timeline_and_the_request_filter_show_its_events() {
    let app = spawn_app().await;
    let alice = app.user("alice", "requester", "Platform").await;
    let team: i64 = app.team_id("Platform").await;
    let form = json!({ "region": "us-east-1", "name": "timeline-1" });
    let res = alice
        .post(app.url("/api/requests/create"))
        .json(&json!({ "team_id": team, "form": form }))
        .send()
        .await
        .unwrap();
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let timeline: Value = app
        .call(&alice, "audit/timeline", &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(timeline[0]["action"], "request.create");
    let admin = app.admin().await;
    let page: Value = list(&app, &admin, json!({ "request": id.to_string() }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["rows"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn exports_stream_csv_and_json_lines_with_the_same_filters() {
    let app = spawn_app().await;
    let carol = app.user("carol", "approver", "Platform").await;
    // An event whose details hold a comma, quotes and a newline.
    let admin = app.admin().await;
    let weird = "Ops, \"night\" shift\nteam";
    app.call(
        &admin,
        "admin/create_team",
        &[("name", "Night Ops"), ("required_approvals", "1")],
    )
    .await;
    let entry =
        amidesk::audit::store::AuditEntry::new(amidesk::audit::Actor::system(), "test.note")
            .details(json!({ "comment": weird }));
    amidesk::audit::store::record(
        &app.state.pool,
        &entry,
        &amidesk::server::RequestMeta::detached(),
    )
    .await
    .unwrap();

    let csv = carol
        .get(app.url("/audit/export?format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    assert!(text
        .starts_with("seq,at,actor,action,subject,team_id,details,client_addr,correlation_id\n"));
    let expected_cell = format!(
        "\"{}\"",
        serde_json::to_string(&json!({ "comment": weird }))
            .unwrap()
            .replace('"', "\"\"")
    );
    assert!(text.contains(&expected_cell), "{text}");

    let jsonl = carol
        .get(app.url("/audit/export?format=jsonl&action=test.note"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["details"]["comment"], weird);

    let requester = app.user("rick", "requester", "Platform").await;
    assert_eq!(
        requester
            .get(app.url("/audit/export"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        carol
            .get(app.url("/audit/export?format=xml"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn a_change_whose_audit_event_cannot_be_written_does_not_happen() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    sqlx::query(
        "CREATE TRIGGER refuse_team_events BEFORE INSERT ON audit_events WHEN NEW.action = 'team.create' \
         BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    )
    .execute(&app.state.pool)
    .await
    .unwrap();
    let res = app
        .call(
            &admin,
            "admin/create_team",
            &[("name", "Ghosts"), ("required_approvals", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("reference") || body.contains("correlation_id"),
        "{body}"
    );
    assert!(
        !body.contains("disk full"),
        "no raw database text reaches the user: {body}"
    );
    let teams: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM teams")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(teams, 0);
}

#[tokio::test]
async fn a_seeded_history_verifies() {
    let app = spawn_app().await;
    amidesk::audit::seed::seed(&app.state.pool, 2_500)
        .await
        .unwrap();
    let report = amidesk::audit::chain::verify(&app.state.pool)
        .await
        .unwrap();
    assert!(
        matches!(
            report,
            amidesk::audit::chain::VerifyReport::Intact { checked: 2_501, .. }
        ),
        "{report}"
    );
}
