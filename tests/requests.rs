//! Drafts, revisions, conflicts, lists, import/export and DryRun, through HTTP.

mod common;

use common::*;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

fn form(name: &str) -> Value {
    json!({
        "region": "us-east-1",
        "name": name,
        "architecture": "x86_64",
        "virtualization_type": "hvm",
        "root_device_name": "/dev/xvda",
        "ena_support": "true",
        "imds_v2": true,
        "block_device_mappings": [
            { "kind": "ebs", "device_name": "/dev/xvda", "snapshot_id": "snap-0123456789abcdef0", "volume_type": "gp3", "delete_on_termination": true },
            { "kind": "ebs", "device_name": "/dev/xvdb", "volume_size": "100", "volume_type": "io2", "iops": "4000", "encrypted": "true" }
        ],
        "image_tags": [{ "key": "team", "value": "platform" }]
    })
}

async fn post_json(
    app: &TestApp,
    client: &Client,
    endpoint: &str,
    body: Value,
) -> reqwest::Response {
    client
        .post(app.url(&format!("/api/{endpoint}")))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn team_id(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT team_id FROM teams WHERE name = ?")
        .bind(name)
        .fetch_one(&app.state.pool)
        .await
        .unwrap()
}

async fn create(app: &TestApp, client: &Client, name: &str) -> (i64, i64) {
    let team = team_id(app, "Platform").await;
    let res = post_json(
        app,
        client,
        "requests/create",
        json!({ "team_id": team, "form": form(name) }),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let saved: Value = res.json().await.unwrap();
    (
        saved["id"].as_i64().unwrap(),
        saved["revision"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn a_draft_is_created_saved_as_revisions_and_diffed() {
    let app = spawn_app().await;
    let alice = app.user("alice", "requester", "Platform").await;
    let (id, rev) = create(&app, &alice, "web-1").await;
    assert_eq!(rev, 1);
    let mut changed = form("web-2");
    changed["description"] = json!("second");
    let res = post_json(
        &app,
        &alice,
        "requests/save",
        json!({ "id": id, "revision": 1, "form": changed }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let detail: Value = app
        .call(&alice, "requests/get", &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["revision"], 2);
    assert_eq!(detail["form"]["name"], "web-2");
    let revs: Value = app
        .call(&alice, "requests/revisions", &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(revs.as_array().unwrap().len(), 2);
    let diff: Value = app
        .call(
            &alice,
            "requests/diff",
            &[("id", &id.to_string()), ("from", "1"), ("to", "2")],
        )
        .await
        .json()
        .await
        .unwrap();
    let fields: Vec<&str> = diff
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["description", "name"]);
    assert_eq!(app.audit_count("request.create").await, 1);
    assert_eq!(app.audit_count("request.save").await, 1);
}

#[tokio::test]
async fn a_save_based_on_an_old_revision_is_refused_with_a_conflict() {
    let app = spawn_app().await;
    let alice = app.user("alice", "requester", "Platform").await;
    let bob = app.user("bob", "requester", "Platform").await;
    let (id, _) = create(&app, &alice, "shared-1").await;
    let first = post_json(
        &app,
        &bob,
        "requests/save",
        json!({ "id": id, "revision": 1, "form": form("by-bob") }),
    )
    .await;
    assert_eq!(first.status(), StatusCode::OK);
    let second = post_json(
        &app,
        &alice,
        "requests/save",
        json!({ "id": id, "revision": 1, "form": form("by-alice") }),
    )
    .await;
    assert_eq!(second.status(), StatusCode::CONFLICT);
    let body = second.text().await.unwrap();
    assert!(
        body.contains("saved revision 2") && body.contains("Reload"),
        "{body}"
    );
    let detail: Value = app
        .call(&alice, "requests/get", &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["form"]["name"], "by-bob");
}

#[tokio::test]
async fn drafts_may_be_incomplete_but_not_unbounded_or_in_another_region() {
    let app = spawn_app().await;
    let alice = app.user("alice", "requester", "Platform").await;
    let team = team_id(&app, "Platform").await;
    let mut partial = form("");
    partial["architecture"] = json!("");
    let ok = post_json(
        &app,
        &alice,
        "requests/create",
        json!({ "team_id": team, "form": partial }),
    )
    .await;
    assert_eq!(ok.status(), StatusCode::OK);
    let mut huge = form("big");
    huge["block_device_mappings"] = json!(vec![
        json!({"kind": "ebs", "device_name": "/dev/xvdb"});
        10_000
    ]);
    huge["region"] = json!("mars-north-1");
    let res = post_json(
        &app,
        &alice,
        "requests/create",
        json!({ "team_id": team, "form": huge }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("\"field\":\"BlockDeviceMappings\"") && body.contains("\"field\":\"Region\""),
        "{body}"
    );
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM requests")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn requests_are_listed_filtered_and_hidden_from_other_teams() {
    let app = spawn_app().await;
    let alice = app.user("alice", "requester", "Platform").await;
    let mallory = app.user("mallory", "requester", "Other").await;
    for i in 0..55 {
        create(&app, &alice, &format!("img-{i:02}")).await;
    }
    let page: Value = post_json(
        &app,
        &alice,
        "requests/list",
        json!({ "filter": { "scope": "mine" } }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(page["rows"].as_array().unwrap().len(), 50);
    let cursor = page["next_cursor"].as_str().unwrap().to_string();
    let next: Value = post_json(
        &app,
        &alice,
        "requests/list",
        json!({ "filter": { "scope": "mine", "cursor": cursor } }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(next["rows"].as_array().unwrap().len(), 5);
    assert!(next["next_cursor"].is_null());
    let search: Value = post_json(
        &app,
        &alice,
        "requests/list",
        json!({ "filter": { "scope": "team", "search": "img-1" } }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(search["rows"].as_array().unwrap().len(), 10);
    let theirs: Value = post_json(
        &app,
        &mallory,
        "requests/list",
        json!({ "filter": { "scope": "team" } }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(theirs["rows"].as_array().unwrap().len(), 0);
    let id = page["rows"][0]["id"].as_i64().unwrap().to_string();
    assert_eq!(
        app.call(&mallory, "requests/get", &[("id", &id)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let steal = post_json(
        &app,
        &mallory,
        "requests/save",
        json!({ "id": id.parse::<i64>().unwrap(), "revision": 1, "form": form("x") }),
    )
    .await;
    assert_eq!(steal.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn duplicate_and_soft_delete_are_audited() {
    let app = spawn_app().await;
    let alice = app.user("alice", "requester", "Platform").await;
    let (id, _) = create(&app, &alice, "dup-me").await;
    let copy: Value = app
        .call(&alice, "requests/duplicate", &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    let copy_id = copy["id"].as_i64().unwrap();
    assert_ne!(copy_id, id);
    assert_eq!(
        app.call(&alice, "requests/delete", &[("id", &copy_id.to_string())])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.call(&alice, "requests/get", &[("id", &copy_id.to_string())])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.audit_count("request.delete").await, 1);
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM requests")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(kept, 2, "deletion is soft");
}

#[tokio::test]
async fn export_downloads_round_trip_through_import() {
    let app = spawn_app().await;
    let alice = app.user("alice", "requester", "Platform").await;
    let (id, _) = create(&app, &alice, "export-me").await;
    let res = alice
        .get(app.url(&format!("/requests/{id}/export/cli-input.json")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let exported = res.text().await.unwrap();
    let json: Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(json["Name"], "export-me");
    assert_eq!(json["BlockDeviceMappings"][1]["Ebs"]["Iops"], 4000);
    let tf = alice
        .get(app.url(&format!("/requests/{id}/export/aws_ami.tf")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(tf.contains("resource \"aws_ami\" \"export_me\""), "{tf}");

    let team = team_id(&app, "Platform").await;
    let res = post_json(
        &app,
        &alice,
        "requests/import",
        json!({ "team_id": team, "region": "us-east-1", "json": exported }),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let new_id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let again = alice
        .get(app.url(&format!("/requests/{new_id}/export/cli-input.json")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(again, exported);

    let anonymous = app
        .client()
        .get(app.url(&format!("/requests/{id}/export/cli-input.json")))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn import_names_bad_fields_and_writes_nothing() {
    let app = spawn_app().await;
    let alice = app.user("alice", "requester", "Platform").await;
    let team = team_id(&app, "Platform").await;
    let doc = r#"{"Name":"x","Architecture":"amd64","Colour":"red"}"#;
    let res = post_json(
        &app,
        &alice,
        "requests/import",
        json!({ "team_id": team, "region": "us-east-1", "json": doc }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("\"field\":\"Colour\""), "{body}");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM requests")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn test_request_asks_ec2_with_dry_run_and_reports_the_verdict() {
    let app = spawn_app().await;
    let alice = app.user("alice", "requester", "Platform").await;
    let (id, _) = create(&app, &alice, "dry-run-1").await;
    let res = app
        .call(&alice, "requests/dry_run", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let verdict: Value = res.json().await.unwrap();
    assert_eq!(verdict["would_succeed"], true, "{verdict}");
    assert_eq!(verdict["code"], "DryRunOperation");
    assert_eq!(app.audit_count("ec2.register_image_dry_run").await, 1);
    let images = app
        .state
        .ec2
        .client("us-east-1")
        .await
        .describe_images()
        .owners("self")
        .send()
        .await
        .unwrap();
    assert!(images.images().is_empty(), "a dry run registers nothing");
}

#[tokio::test]
async fn test_request_refuses_an_incomplete_draft_naming_its_fields() {
    let app = spawn_app().await;
    let alice = app.user("alice", "requester", "Platform").await;
    let team = team_id(&app, "Platform").await;
    let res = post_json(
        &app,
        &alice,
        "requests/create",
        json!({ "team_id": team, "form": form("") }),
    )
    .await;
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = app
        .call(&alice, "requests/dry_run", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("\"field\":\"Name\""));
}

#[tokio::test]
async fn test_request_explains_an_unreachable_ec2() {
    let mut app = spawn_app().await;
    let dead = format!("http://127.0.0.1:{}", free_port());
    app.state = app
        .state
        .with_ec2(amidesk::ec2::Ec2Gateway::with_sdk_config(
            &app.state.settings,
            sdk_config(&dead),
        ));
    let alice = app.user("alice", "requester", "Platform").await;
    let (id, _) = create(&app, &alice, "dry-run-2").await;
    let verdict = amidesk::requests::service::dry_run(
        &app.state,
        &amidesk::auth::store::load_active_user(&app.state.pool, amidesk::domain::UserId(2))
            .await
            .unwrap()
            .unwrap(),
        &amidesk::server::RequestMeta::detached(),
        amidesk::domain::RequestId(id),
    )
    .await
    .unwrap();
    assert!(!verdict.would_succeed);
    assert!(
        verdict.message.contains("could not be reached") || verdict.message.contains("in time"),
        "{}",
        verdict.message
    );
}
