//! The automation API against a real server, SQLite file and moto: every endpoint with its
//! success and refusals, tokens, rate limits, the OpenAPI document and the README's example.

mod common;

use common::*;
use reqwest::{Client, RequestBuilder, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

/// Creates a token for the signed-in `client` through the profile page's server function.
async fn token(app: &TestApp, client: &Client, name: &str, read_only: bool) -> String {
    let res = app
        .call(
            client,
            "tokens/create",
            &[("name", name), ("read_only", &read_only.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let created: Value = res.json().await.unwrap();
    created["secret"].as_str().unwrap().to_string()
}

/// A bare client (no cookies) speaking to `/api/v1` with `secret`.
struct Api {
    base: String,
    secret: String,
    http: Client,
}

impl Api {
    fn new(app: &TestApp, secret: &str) -> Self {
        Self {
            base: app.url("/api/v1"),
            secret: secret.into(),
            http: Client::new(),
        }
    }
    fn get(&self, path: &str) -> RequestBuilder {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.secret)
    }
    fn post(&self, path: &str, body: Value) -> RequestBuilder {
        self.http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.secret)
            .json(&body)
    }
}

async fn send(req: RequestBuilder) -> (StatusCode, Value) {
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn body(name: &str, snapshot: &str) -> Value {
    json!({
        "region": "us-east-1", "team": "Platform",
        "Name": name, "Architecture": "x86_64", "RootDeviceName": "/dev/xvda",
        "VirtualizationType": "hvm", "EnaSupport": true, "ImdsSupport": "v2.0",
        "BlockDeviceMappings": [{ "DeviceName": "/dev/xvda", "Ebs": { "SnapshotId": snapshot, "VolumeType": "gp3", "VolumeSize": 8 } }],
        "TagSpecifications": [{ "ResourceType": "image", "Tags": [{ "Key": "team", "Value": "platform" }] }]
    })
}

async fn wait_for_state(api: &Api, id: i64, wanted: &str) -> Value {
    for _ in 0..100 {
        let (_, r) = send(api.get(&format!("/requests/{id}"))).await;
        if r["state"] == wanted {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("request {id} never reached {wanted}");
}

#[tokio::test]
async fn a_pipeline_files_follows_and_fetches_a_request_with_tokens() {
    let app = spawn_app().await;
    let snap = app.snapshot().await;
    let alice = app.user("alice", "requester", "Platform").await;
    let carol = app.user("carol", "approver", "Platform").await;
    let ci = Api::new(&app, &token(&app, &alice, "ci pipeline", false).await);
    let reviewer = Api::new(&app, &token(&app, &carol, "review bot", false).await);

    let (status, filed) = send(ci.post("/requests", body("web-api-1", &snap))).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let id = filed["id"].as_i64().unwrap();
    assert_eq!(filed["state"], "draft");
    assert_eq!(filed["revision"], 1);
    assert_eq!(filed["team"], "Platform");
    assert_eq!(filed["register_image"]["Name"], "web-api-1");
    assert_eq!(filed["links"]["self"], format!("/api/v1/requests/{id}"));
    assert_eq!(filed["content_hash"].as_str().unwrap().len(), 64);

    let (status, verdict) = send(ci.post(&format!("/requests/{id}/dry-run"), json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{verdict}");
    assert_eq!(verdict["would_succeed"], true);

    let (status, listed) = send(ci.get("/requests?state=draft&team=Platform")).await;
    assert_eq!(status, StatusCode::OK);
    let item = &listed["items"][0];
    assert_eq!(item["id"], id);
    // Every column of the list, each in its own field (the list reads them by position).
    assert_eq!(
        (&item["team"], &item["name"], &item["region"]),
        (&json!("Platform"), &json!("web-api-1"), &json!("us-east-1"))
    );
    assert_eq!(
        (&item["state"], &item["author"]),
        (&json!("draft"), &json!("alice"))
    );
    assert_eq!(item["revision"], 1);
    assert!(
        item["updated_at"].as_str().unwrap().ends_with('Z'),
        "{item}"
    );
    let (_, none) = send(ci.get("/requests?team=Other")).await;
    assert!(none["items"].as_array().unwrap().is_empty());

    let (status, submitted) = send(ci.post(&format!("/requests/{id}/submit"), json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{submitted}");
    assert_eq!(submitted["state"], "pending");
    let (_, image) = send(ci.get(&format!("/requests/{id}/image"))).await;
    assert_eq!(image["image_id"], Value::Null);

    let hash = submitted["content_hash"].as_str().unwrap();
    let (status, approved) = send(reviewer.post(
        &format!("/requests/{id}/approve"),
        json!({ "content_hash": hash, "comment": "looks right" }),
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    let done = wait_for_state(&ci, id, "registered").await;
    let (status, image) = send(ci.get(&format!("/requests/{id}/image"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(image["image_id"], done["image_id"]);
    assert!(image["image_id"].as_str().unwrap().starts_with("ami-"));
    assert_eq!(image["request_state"], "registered");

    let (status, events) = send(reviewer.get(&format!("/audit?request={id}"))).await;
    assert_eq!(status, StatusCode::OK, "{events}");
    let actors: Vec<&str> = events["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor_name"].as_str().unwrap())
        .collect();
    assert!(
        actors.contains(&"alice via token ci pipeline"),
        "{actors:?}"
    );
    assert!(actors.contains(&"carol via token review bot"), "{actors:?}");

    let (status, templates) = send(ci.get("/templates")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(templates.as_array().unwrap().is_empty());
}

#[tokio::test]
async fn refusals_are_problem_documents_with_the_status_they_mean_and_are_audited() {
    let app = spawn_app().await;
    let snap = app.snapshot().await;
    let alice = app.user("alice", "requester", "Platform").await;
    let carol = app.user("carol", "approver", "Platform").await;
    let olga = app.user("olga", "approver", "Other").await;
    let ci = Api::new(&app, &token(&app, &alice, "ci", false).await);
    let approver = Api::new(&app, &token(&app, &carol, "carol", false).await);
    let outsider = Api::new(&app, &token(&app, &olga, "olga", false).await);
    let reader = Api::new(&app, &token(&app, &alice, "reader", true).await);

    // 401: no token, a malformed one, an unknown one.
    let bare = app
        .client()
        .get(app.url("/api/v1/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(bare.headers()["content-type"], "application/problem+json");
    assert_eq!(bare.headers()["www-authenticate"], "Bearer");
    let problem: Value = bare.json().await.unwrap();
    assert_eq!(problem["status"], 401);
    assert_eq!(problem["title"], "Unauthorized");
    assert_eq!(problem["correlation_id"].as_str().unwrap().len(), 16);
    for secret in ["nonsense", "amd_0000000000000000000000000000000000000000"] {
        let (status, _) = send(Api::new(&app, secret).get("/requests")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let refusals_before = app.audit_count("access.refused").await;
    assert!(refusals_before >= 3);

    // 422: one entry per field, with the form's rules; nothing written.
    let mut bad = body("x", "snap-nothing");
    bad["Architecture"] = json!("sparc");
    let (status, problem) = send(ci.post("/requests", bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"Name"), "{fields:?}");
    assert!(fields.contains(&"Architecture"), "{fields:?}");
    assert!(
        fields.contains(&"BlockDeviceMappings[0].Ebs.SnapshotId"),
        "{fields:?}"
    );
    let (status, problem) =
        send(ci.post("/requests", json!({ "team": "Platform", "Name": "web" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "region");
    let (status, problem) = send(ci.post(
        "/requests",
        json!({ "region": "us-east-1", "team": "Platform", "Bogus": 1 }),
    ))
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let raw = app
        .client()
        .post(app.url("/api/v1/requests"))
        .bearer_auth(&ci.secret)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM requests")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(count, 0, "refused input writes nothing");

    // 403: another team, a read-only token, a requester approving, the author approving.
    let mut theirs = body("web-theirs", &snap);
    theirs["team"] = json!("Other");
    let (status, _) = send(ci.post("/requests", theirs)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) = send(reader.post("/requests", body("web-ro", &snap))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(problem["detail"], "This token is read-only.");
    let (status, _) = send(reader.get("/requests")).await;
    assert_eq!(status, StatusCode::OK, "read-only tokens read");

    let (_, mine) = send(approver.post("/requests", body("web-carol", &snap))).await;
    let id = mine["id"].as_i64().unwrap();
    let (_, pending) = send(approver.post(&format!("/requests/{id}/submit"), json!({}))).await;
    let hash = pending["content_hash"].as_str().unwrap().to_string();
    let decision = json!({ "content_hash": hash, "comment": "fine" });
    let (status, problem) =
        send(approver.post(&format!("/requests/{id}/approve"), decision.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let (status, _) = send(ci.post(&format!("/requests/{id}/approve"), decision.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "requesters do not approve");
    let (status, _) = send(ci.get("/audit")).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "requesters do not read the audit history"
    );

    // 404: another team's request, an unknown one, an unknown route.
    let (status, _) = send(outsider.get(&format!("/requests/{id}"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) =
        send(outsider.post(&format!("/requests/{id}/approve"), decision.clone())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(ci.get("/requests/999999")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, problem) = send(ci.get("/nothing-here")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(problem["status"], 404);

    // 409: a stale content hash, submitting twice; 422: rejecting without a comment.
    let stale = json!({ "content_hash": "0".repeat(64), "comment": "" });
    let (status, _) = send(approver.post(&format!("/requests/{id}/reject"), stale)).await;
    assert!(status == StatusCode::CONFLICT || status == StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = send(approver.post(&format!("/requests/{id}/submit"), json!({}))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, problem) = send(ci.post(&format!("/requests/{id}/approve"), json!({}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");

    assert!(
        app.audit_count("access.refused").await >= refusals_before + 5,
        "403s are audited"
    );
}

#[tokio::test]
async fn a_revoked_token_stops_working_at_once_and_use_is_recorded() {
    let app = spawn_app().await;
    let alice = app.user("alice", "requester", "Platform").await;
    let secret = token(&app, &alice, "short lived", false).await;
    let api = Api::new(&app, &secret);
    let (status, _) = send(api.get("/requests")).await;
    assert_eq!(status, StatusCode::OK);
    let listed: Value = app
        .call(&alice, "tokens/list", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["name"], "short lived");
    assert!(listed[0]["last_used_at"].is_string(), "{listed}");
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert!(!stored.contains(&secret[4..]), "only a hash is stored");

    let id = listed[0]["id"].as_i64().unwrap().to_string();
    let res = app.call(&alice, "tokens/revoke", &[("id", &id)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (status, _) = send(api.get("/requests")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let bob = app.user("bob", "requester", "Platform").await;
    let res = app.call(&bob, "tokens/revoke", &[("id", &id)]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "nobody else's tokens");
    assert_eq!(app.audit_count("token.create").await, 1);
    assert_eq!(app.audit_count("token.revoke").await, 1);

    // Disabling the user stops their tokens too.
    let other = Api::new(&app, &token(&app, &bob, "bob", false).await);
    let admin = app.admin().await;
    let bob_id: i64 = sqlx::query_scalar("SELECT user_id FROM users WHERE username = 'bob'")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    let res = app
        .call(
            &admin,
            "admin/set_disabled",
            &[("user_id", &bob_id.to_string()), ("disabled", "true")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let (status, _) = send(other.get("/requests")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_token_over_its_rate_is_told_to_wait() {
    let app = spawn_app_with(|s| s.api_rate_per_minute = 3).await;
    let alice = app.user("alice", "requester", "Platform").await;
    let api = Api::new(&app, &token(&app, &alice, "busy", false).await);
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let res = api.get("/requests").send().await.unwrap();
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(res.headers().contains_key("retry-after"));
        }
        statuses.push(res.status().as_u16());
    }
    // A minute boundary may fall inside the loop, so count rather than match positions.
    assert!(
        statuses.iter().filter(|s| **s == 429).count() >= 1,
        "{statuses:?}"
    );
    let calm = Api::new(&app, &token(&app, &alice, "calm", false).await);
    assert_eq!(
        send(calm.get("/requests")).await.0,
        StatusCode::OK,
        "rates are per token"
    );
}

#[tokio::test]
async fn a_request_from_a_template_keeps_its_locked_fields() {
    let app = spawn_app().await;
    let snap = app.snapshot().await;
    let carol = app.user("carol", "approver", "Platform").await;
    let alice = app.user("alice", "requester", "Platform").await;
    let team: i64 = app.team_id("Platform").await;
    let content = json!({
        "form": { "name": "{team}-base-{seq}", "architecture": "arm64", "boot_mode": "uefi", "region": "us-east-1" },
        "modes": { "Name": "default", "Architecture": "locked", "BootMode": "locked" }
    });
    let res = app
        .call_json(
            &carol,
            "templates/create",
            json!({ "team_id": team, "name": "Graviton", "description": "", "content": content }),
        )
        .await;
    let template = res.json::<i64>().await.unwrap();
    let api = Api::new(&app, &token(&app, &alice, "ci", false).await);

    let mut changed = body("web-arm", &snap);
    changed["template"] = json!(template);
    let (status, problem) = send(api.post("/requests", changed)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "Architecture", "{problem}");

    let mut kept = body("web-arm", &snap);
    kept["template"] = json!(template);
    kept.as_object_mut().unwrap().remove("Architecture");
    kept.as_object_mut().unwrap().remove("Name");
    let (status, filed) = send(api.post("/requests", kept)).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    assert_eq!(filed["name"], "Platform-base-1");
    assert_eq!(filed["register_image"]["Architecture"], "arm64");
    assert_eq!(filed["register_image"]["BootMode"], "uefi");
}

#[tokio::test]
async fn the_openapi_document_is_valid_and_lists_every_route() {
    let app = spawn_app().await;
    let res = Client::new()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let expected = [
        ("post", "/api/v1/requests"),
        ("get", "/api/v1/requests"),
        ("get", "/api/v1/requests/{id}"),
        ("post", "/api/v1/requests/{id}/submit"),
        ("post", "/api/v1/requests/{id}/approve"),
        ("post", "/api/v1/requests/{id}/reject"),
        ("post", "/api/v1/requests/{id}/dry-run"),
        ("get", "/api/v1/requests/{id}/image"),
        ("get", "/api/v1/audit"),
        ("get", "/api/v1/templates"),
    ];
    let mut listed = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            listed += 1;
            assert!(
                expected.contains(&(method.as_str(), path.as_str())),
                "undocumented: {method} {path}"
            );
            assert!(
                op["responses"]["401"].is_object(),
                "{method} {path} documents 401"
            );
            assert!(op["security"].is_array(), "{method} {path} needs a token");
        }
    }
    assert_eq!(listed, expected.len());
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );

    // Every documented route answers (401 without a token, never 404 or 405).
    for (method, path) in expected {
        let url = app.url(&path.replace("{id}", "1"));
        let res = match method {
            "get" => Client::new().get(url),
            _ => Client::new().post(url).json(&json!({})),
        }
        .send()
        .await
        .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
    }

    // The OpenAPI 3.1 schema validator from PyPI (installed beside moto) accepts it.
    let server = std::env::var("AMIDESK_MOTO_SERVER").unwrap_or_default();
    let python = std::path::Path::new(&server).with_file_name("python");
    if python.exists() {
        let file = app.db_path.with_extension("openapi.json");
        std::fs::write(&file, &text).unwrap();
        let out = std::process::Command::new(python)
            .args(["-m", "openapi_spec_validator"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openapi-spec-validator: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The README's shell example, run as written against this server and moto, while an
/// approver approves through the API.
#[tokio::test]
async fn the_readme_example_files_a_request_waits_for_approval_and_prints_the_image_id() {
    let app = spawn_app().await;
    let snap = app.snapshot().await;
    let alice = app.user("alice", "requester", "Platform").await;
    let carol = app.user("carol", "approver", "Platform").await;
    let secret = token(&app, &alice, "packer", false).await;
    let reviewer = Api::new(&app, &token(&app, &carol, "review", false).await);

    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("<!-- api-example:start -->")
        .expect("example start marker");
    let end = readme
        .find("<!-- api-example:end -->")
        .expect("example end marker");
    let block = &readme[start..end];
    let script = block
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(code, _)| code.to_string())
        .expect("a sh code block between the markers");

    let child = tokio::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .env("AMIDESK_URL", &app.base)
        .env("AMIDESK_TOKEN", &secret)
        .env("SNAPSHOT_ID", &snap)
        .env("POLL_SECONDS", "0.2")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let approve = async {
        for _ in 0..200 {
            let (_, page) = send(reviewer.get("/requests?state=pending")).await;
            if let Some(id) = page["items"][0]["id"].as_i64() {
                let (_, r) = send(reviewer.get(&format!("/requests/{id}"))).await;
                let decision = json!({ "content_hash": r["content_hash"], "comment": "ok" });
                let (status, _) =
                    send(reviewer.post(&format!("/requests/{id}/approve"), decision)).await;
                assert_eq!(status, StatusCode::OK);
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the example never submitted a request");
    };
    let (out, ()) = tokio::join!(
        tokio::time::timeout(Duration::from_secs(60), child.wait_with_output()),
        approve
    );
    let out = out.expect("the example finished").unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "example failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let image_id = stdout.trim();
    assert!(image_id.starts_with("ami-"), "{stdout}");
    let ec2 = app.state.ec2.client("us-east-1").await;
    let found = ec2
        .describe_images()
        .image_ids(image_id)
        .send()
        .await
        .unwrap();
    assert_eq!(found.images().len(), 1);
}
