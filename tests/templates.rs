//! Templates: who may create them, versions, placeholders, and locked fields enforced on the
//! server whatever the browser sends.

mod common;

use common::*;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

fn content() -> Value {
    json!({
        "form": { "name": "{team}-base-{date}-{seq}", "architecture": "arm64", "boot_mode": "uefi", "region": "us-east-1" },
        "modes": { "Name": "default", "Architecture": "locked", "BootMode": "locked" }
    })
}

async fn create(app: &TestApp, client: &Client) -> reqwest::Response {
    let body = json!({ "team_id": app.team_id("Platform").await, "name": "Graviton base", "description": "arm64 baseline", "content": content() });
    client
        .post(app.url("/api/templates/create"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn approvers_create_templates_and_requesters_may_not() {
    let app = spawn_app().await;
    let rick = app.user("rick", "requester", "Platform").await;
    let carol = app.user("carol", "approver", "Platform").await;
    assert_eq!(create(&app, &rick).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(create(&app, &carol).await.status(), StatusCode::OK);
    let list: Value = app
        .call(&rick, "templates/list", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["name"], "Graviton base");
    let outsider = app.user("olga", "approver", "Other").await;
    let theirs: Value = app
        .call(&outsider, "templates/list", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(theirs.as_array().unwrap().is_empty());
    assert_eq!(app.audit_count("template.create").await, 1);
}

#[tokio::test]
async fn a_request_from_a_template_expands_placeholders_and_records_the_version() {
    let app = spawn_app().await;
    let carol = app.user("carol", "approver", "Platform").await;
    let rick = app.user("rick", "requester", "Platform").await;
    let id = create(&app, &carol).await.json::<i64>().await.unwrap();
    let edit = json!({ "id": id, "version": 1, "description": "v2", "content": content() });
    assert_eq!(
        carol
            .post(app.url("/api/templates/update"))
            .json(&edit)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let saved: Value = app
        .call(&rick, "templates/new_request", &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    let rid = saved["id"].as_i64().unwrap();
    let detail: Value = app
        .call(&rick, "requests/get", &[("id", &rid.to_string())])
        .await
        .json()
        .await
        .unwrap();
    let today = &amidesk::db::now_text()[..10];
    assert_eq!(detail["form"]["name"], format!("Platform-base-{today}-1"));
    assert_eq!(detail["form"]["architecture"], "arm64");
    let (tid, ver): (i64, i64) =
        sqlx::query_as("SELECT template_id, template_version FROM requests WHERE request_id = ?")
            .bind(rid)
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
    assert_eq!((tid, ver), (id, 2));
    let second: Value = app
        .call(&rick, "templates/new_request", &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    let second = app
        .call(
            &rick,
            "requests/get",
            &[("id", &second["id"].as_i64().unwrap().to_string())],
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(second["form"]["name"], format!("Platform-base-{today}-2"));
}

#[tokio::test]
async fn locked_fields_cannot_be_changed_by_a_crafted_save() {
    let app = spawn_app().await;
    let carol = app.user("carol", "approver", "Platform").await;
    let rick = app.user("rick", "requester", "Platform").await;
    let id = create(&app, &carol).await.json::<i64>().await.unwrap();
    let saved: Value = app
        .call(&rick, "templates/new_request", &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    let rid = saved["id"].as_i64().unwrap();
    let mut form = app
        .call(&rick, "requests/get", &[("id", &rid.to_string())])
        .await
        .json::<Value>()
        .await
        .unwrap()["form"]
        .clone();
    form["name"] = json!("renamed-is-fine");
    let ok = rick
        .post(app.url("/api/requests/save"))
        .json(&json!({ "id": rid, "revision": 1, "form": form }))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK, "a default may change");
    form["architecture"] = json!("x86_64");
    let refused = rick
        .post(app.url("/api/requests/save"))
        .json(&json!({ "id": rid, "revision": 2, "form": form }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("locked by the request's template"));
}

#[tokio::test]
async fn archived_templates_are_no_longer_offered() {
    let app = spawn_app().await;
    let carol = app.user("carol", "approver", "Platform").await;
    let id = create(&app, &carol).await.json::<i64>().await.unwrap();
    assert_eq!(
        app.call(&carol, "templates/archive", &[("id", &id.to_string())])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.call(&carol, "templates/new_request", &[("id", &id.to_string())])
            .await
            .status(),
        StatusCode::CONFLICT
    );
    let detail: Value = app
        .call(&carol, "templates/get", &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["summary"]["archived"], true);
}

#[tokio::test]
async fn versions_list_their_requests_and_diff_and_templates_round_trip_as_json() {
    let app = spawn_app().await;
    let carol = app.user("carol", "approver", "Platform").await;
    let rick = app.user("rick", "requester", "Platform").await;
    let id = create(&app, &carol).await.json::<i64>().await.unwrap();
    app.call(&rick, "templates/new_request", &[("id", &id.to_string())])
        .await;
    let mut v2 = content();
    v2["modes"]["Architecture"] = json!("default");
    v2["form"]["boot_mode"] = json!("uefi-preferred");
    v2["form"]["architecture"] = json!("x86_64");
    let edit = json!({ "id": id, "version": 1, "description": "v2", "content": v2 });
    assert_eq!(
        carol
            .post(app.url("/api/templates/update"))
            .json(&edit)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let stale = carol
        .post(app.url("/api/templates/update"))
        .json(&edit)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::CONFLICT);

    let versions: Value = app
        .call(&rick, "templates/versions", &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(versions[0]["version"], 2);
    assert_eq!(versions[0]["requests"], 0);
    assert_eq!(versions[1]["requests"], 1);
    let diff: Value = app
        .call(
            &rick,
            "templates/diff",
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
    assert!(fields.contains(&"Architecture (mode)"), "{fields:?}");
    assert!(fields.contains(&"BootMode: boot_mode"), "{fields:?}");

    let exported: String = app
        .call(&carol, "templates/export", &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    let renamed = exported.replace("Graviton base", "Graviton copy");
    let res = app
        .call_json(
            &carol,
            "templates/import",
            json!({ "team_id": app.team_id("Platform").await, "json": renamed }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let bad = app
        .call_json(
            &carol,
            "templates/import",
            json!({ "team_id": app.team_id("Platform").await, "json": "{\"name\":\"x\",\"colour\":1}" }),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let list: Value = app
        .call(&rick, "templates/list", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_template_value_that_breaks_a_register_image_rule_is_refused_on_its_field() {
    let app = spawn_app().await;
    let carol = app.user("carol", "approver", "Platform").await;
    let mut bad = content();
    bad["form"]["boot_mode"] = json!("legacy-bios");
    let body = json!({ "team_id": app.team_id("Platform").await, "name": "Broken", "description": "", "content": bad });
    let res = app.call_json(&carol, "templates/create", body).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = res.text().await.unwrap();
    assert!(text.contains("BootMode"), "{text}");
    assert!(text.contains("arm64 images boot with uefi"), "{text}");
    assert_eq!(app.audit_count("template.create").await, 0);
}

#[tokio::test]
async fn the_default_diff_is_the_latest_pair_and_the_export_downloads() {
    let app = spawn_app().await;
    let carol = app.user("carol", "approver", "Platform").await;
    let id = create(&app, &carol).await.json::<i64>().await.unwrap();
    let mut v2 = content();
    v2["modes"]["BootMode"] = json!("default");
    let edit = json!({ "id": id, "version": 1, "description": "v2", "content": v2 });
    let res = app.call_json(&carol, "templates/update", edit).await;
    assert_eq!(res.status(), StatusCode::OK);
    let diff: Value = app
        .call(
            &carol,
            "templates/diff",
            &[("id", &id.to_string()), ("from", "0"), ("to", "0")],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(diff[0]["field"], "BootMode (mode)");
    assert_eq!(diff[0]["before"], "locked");

    let file = carol
        .get(app.url(&format!("/templates/{id}/export.json")))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    let doc: Value = file.json().await.unwrap();
    assert_eq!(doc["name"], "Graviton base");
    let outsider = app.user("olga", "approver", "Other").await;
    let hidden = outsider
        .get(app.url(&format!("/templates/{id}/export.json")))
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
}
