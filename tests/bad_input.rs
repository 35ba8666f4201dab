//! Bad input at every server function and API route: random bytes, invalid UTF-8, wrong
//! types, deep nesting, oversized bodies, huge UefiData, 10,000 block device mappings.
//! Never a panic or a 5xx, always a clear 4xx (naming the field where there is one), and
//! nothing written.

mod common;

use common::*;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

/// A small deterministic generator, so a failure can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
    fn value(&mut self, depth: u32) -> Value {
        match self.below(if depth > 3 { 5 } else { 8 }) {
            0 => Value::Null,
            1 => json!(self.below(2) == 0),
            2 => json!(self.next() as i64),
            3 => json!(-1e308),
            4 => {
                let len = self.below(40) as usize;
                json!(String::from_utf8_lossy(&self.bytes(len)))
            }
            5 => Value::Array((0..self.below(4)).map(|_| self.value(depth + 1)).collect()),
            _ => {
                let keys = [
                    "id", "team_id", "form", "filter", "revision", "name", "json", "content",
                ];
                let mut map = serde_json::Map::new();
                for _ in 0..self.below(5) {
                    let k = keys[self.below(keys.len() as u64) as usize];
                    map.insert(k.into(), self.value(depth + 1));
                }
                Value::Object(map)
            }
        }
    }
}

/// One hostile body: (content type, bytes).
fn hostile(rng: &mut Rng, case: u64) -> (&'static str, Vec<u8>) {
    const FORM: &str = "application/x-www-form-urlencoded";
    const JSON: &str = "application/json";
    match case % 8 {
        0 => (FORM, rng.bytes(200)),
        1 => (JSON, rng.bytes(200)),
        2 => (JSON, rng.value(0).to_string().into_bytes()),
        3 => (JSON, "[".repeat(100_000).into_bytes()),
        4 => (
            FORM,
            b"id=abc&revision=%FF%FE&team_id=99999999999999999999999".to_vec(),
        ),
        5 => (
            FORM,
            [b"id=1&name=".as_slice(), &[0xff, 0xfe, 0xc3, 0x28]].concat(),
        ),
        6 => (
            JSON,
            json!({ "id": "x", "filter": [1], "form": "text", "team_id": {} })
                .to_string()
                .into_bytes(),
        ),
        _ => (
            JSON,
            format!("{{\"json\":\"{}\"}}", "a".repeat(3 << 20)).into_bytes(),
        ),
    }
}

async fn counts(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "users",
        "teams",
        "team_members",
        "requests",
        "request_revisions",
        "templates",
        "template_versions",
        "api_tokens",
        "approvals",
    ] {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        out.push(
            sqlx::query_scalar(&sql)
                .fetch_one(&app.state.pool)
                .await
                .unwrap(),
        );
    }
    out
}

fn assert_clear(endpoint: &str, status: StatusCode, body: &str) {
    assert!(
        status.is_success() || status.is_client_error(),
        "{endpoint}: {status} {body}"
    );
    for leak in ["panicked", "sqlx", "SQLITE", "RUST_BACKTRACE", "src/"] {
        assert!(!body.contains(leak), "{endpoint} leaked {leak}: {body}");
    }
}

#[tokio::test]
async fn garbage_at_every_server_function_is_a_clear_4xx_and_writes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let before = counts(&app).await;
    let mut rng = Rng(0x005e_ed0f_ade5);
    let mut paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_string())
        .filter(|p| p != "/api/auth/sign_out")
        .collect();
    paths.sort();
    let mut calls = 0;
    for path in &paths {
        for case in 0..16 {
            let (content_type, body) = hostile(&mut rng, case);
            let res = admin
                .post(app.url(path))
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = res.status();
            let text = res.text().await.unwrap_or_default();
            assert_clear(path, status, &text);
            if status == StatusCode::UNPROCESSABLE_ENTITY {
                let err: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                assert!(
                    err["Invalid"].is_array() || err["Invalid"].is_object(),
                    "{path}: {text}"
                );
            }
            calls += 1;
        }
    }
    assert_eq!(counts(&app).await, before, "hostile input wrote something");
    assert!(calls >= 16 * 40, "{calls} calls");
    let res = app.call(&admin, "auth/whoami", &[]).await;
    assert_eq!(res.status(), StatusCode::OK, "the server is still up");
}

async fn create(app: &TestApp, client: &Client, form: Value) -> (StatusCode, String) {
    let team: i64 = app.team_id("Platform").await;
    let res = client
        .post(app.url("/api/requests/create"))
        .json(&json!({ "team_id": team, "form": form }))
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.text().await.unwrap())
}

#[tokio::test]
async fn huge_fields_are_refused_on_the_field_they_are_in() {
    let app = spawn_app().await;
    let rick = app.user("rick", "requester", "Platform").await;
    let before = counts(&app).await;
    let mappings: Vec<Value> = (0..10_000)
        .map(|i| json!({ "kind": "ephemeral", "device_name": format!("/dev/sd{i}"), "virtual_name": "ephemeral0" }))
        .collect();
    let cases = [
        (
            json!({ "region": "us-east-1", "name": "uefi", "uefi_data": "A".repeat(200_000) }),
            "UefiData",
        ),
        (
            json!({ "region": "us-east-1", "name": "bdm", "block_device_mappings": mappings }),
            "BlockDeviceMappings",
        ),
        (
            json!({ "region": "us-east-1", "name": "n".repeat(100_000) }),
            "Name",
        ),
        (
            json!({ "region": "us-east-1", "name": "ok", "description": "d".repeat(100_000) }),
            "Description",
        ),
    ];
    for (form, field) in cases {
        let (status, body) = create(&app, &rick, form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert!(
            body.contains(&format!("\"{field}\"")),
            "{field} must be named: {body}"
        );
    }
    let res = rick
        .post(app.url("/api/requests/create"))
        .header("content-type", "application/json")
        .body(vec![b'x'; 8 << 20])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(counts(&app).await, before);
}

#[tokio::test]
async fn garbage_at_the_automation_api_is_a_clear_problem_document() {
    let app = spawn_app().await;
    let rick = app.user("rick", "requester", "Platform").await;
    let secret = app
        .call(
            &rick,
            "tokens/create",
            &[("name", "fuzz"), ("read_only", "false")],
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let before = counts(&app).await;
    let http = Client::new();
    let mut rng = Rng(0x000a_11ce);
    let routes = [
        "/api/v1/requests",
        "/api/v1/requests/1/submit",
        "/api/v1/requests/1/approve",
        "/api/v1/requests/1/reject",
        "/api/v1/requests/1/dry-run",
    ];
    for route in routes {
        for case in 0..16 {
            let (_, body) = hostile(&mut rng, case);
            let res = http
                .post(app.url(route))
                .bearer_auth(&secret)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = res.status();
            let text = res.text().await.unwrap_or_default();
            assert!(status.is_client_error(), "{route}: {status} {text}");
            assert_clear(route, status, &text);
        }
    }
    for query in [
        "?state=bogus",
        "?cursor=-1",
        "?cursor=abc",
        "?team=%FF",
        "?state=draft&state=pending",
    ] {
        let res = http
            .get(app.url(&format!("/api/v1/requests{query}")))
            .bearer_auth(&secret)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        assert_clear(query, status, &text);
    }
    assert_eq!(counts(&app).await, before);
}
