//! The access-control matrix: every server function and HTTP route, called without a
//! session, with a role below the one it needs and from a team that does not own the
//! object. Every expected refusal happens, changes nothing, and is audited exactly once.

mod common;

use common::*;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The objects and people the matrix acts on.
struct World {
    /// Team Platform's id.
    team: i64,
    /// A draft by rick (Platform).
    draft: i64,
    /// A pending request by rick (Platform).
    pending: i64,
    /// Its content hash.
    hash: String,
    /// A template of Platform, by carol.
    template: i64,
    /// rick's id.
    rick_id: i64,
    /// ron: requester of Platform, not the author of anything.
    ron: Client,
    /// olga: approver of another team.
    olga: Client,
}

/// A complete request (it can be submitted).
fn form(name: &str) -> Value {
    json!({
        "region": "us-east-1", "name": name, "architecture": "x86_64", "virtualization_type": "hvm",
        "root_device_name": "/dev/xvda", "ena_support": "true",
        "block_device_mappings": [{ "kind": "ebs", "device_name": "/dev/xvda", "snapshot_id": "snap-0123456789abcdef0", "volume_size": "8", "volume_type": "gp3" }]
    })
}

async fn world(app: &TestApp) -> World {
    let rick = app.user("rick", "requester", "Platform").await;
    let carol = app.user("carol", "approver", "Platform").await;
    let ron = app.user("ron", "requester", "Platform").await;
    let olga = app.user("olga", "approver", "Other").await;
    let team: i64 = app.team_id("Platform").await;
    let rick_id: i64 = sqlx::query_scalar("SELECT user_id FROM users WHERE username = 'rick'")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    let create = |name: &'static str| {
        rick.post(app.url("/api/requests/create"))
            .json(&json!({ "team_id": team, "form": form(name) }))
            .send()
    };
    let draft = create("matrix-draft")
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let pending = create("matrix-pending")
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let id = pending.to_string();
    let res = app
        .call(&rick, "workflow/submit", &[("id", &id), ("revision", "1")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let view: Value = app
        .call(&rick, "workflow/view", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    let content = json!({ "form": form("{team}-base"), "modes": { "Name": "default" } });
    let template = carol
        .post(app.url("/api/templates/create"))
        .json(&json!({ "team_id": team, "name": "Base", "description": "", "content": content }))
        .send()
        .await
        .unwrap()
        .json::<i64>()
        .await
        .unwrap();
    World {
        team,
        draft,
        pending,
        hash: view["content_hash"].as_str().unwrap().to_string(),
        template,
        rick_id,
        ron,
        olga,
    }
}

/// What a caller must get back, or `None` when this caller is not refused by design.
#[derive(Clone, Copy)]
enum Refusal {
    /// 401: no session.
    Unauthenticated,
    /// 403: role or team may not act.
    Forbidden,
    /// 404: the object belongs to a team the caller is not in.
    Hidden,
}

impl Refusal {
    fn status(self) -> StatusCode {
        match self {
            Refusal::Unauthenticated => StatusCode::UNAUTHORIZED,
            Refusal::Forbidden => StatusCode::FORBIDDEN,
            Refusal::Hidden => StatusCode::NOT_FOUND,
        }
    }
}

/// One server function: its arguments and the refusals each kind of caller must get.
struct Row {
    endpoint: &'static str,
    json: bool,
    args: Value,
    /// Without a session (None: the function is public).
    anonymous: Option<Refusal>,
    /// As ron, a requester of the owning team who wrote nothing.
    low_role: Option<Refusal>,
    /// As olga, an approver of another team.
    outsider: Option<Refusal>,
}

fn row(endpoint: &'static str, json: bool, args: Value) -> Row {
    Row {
        endpoint,
        json,
        args,
        anonymous: Some(Refusal::Unauthenticated),
        low_role: None,
        outsider: None,
    }
}

impl Row {
    fn low(mut self, r: Refusal) -> Self {
        self.low_role = Some(r);
        self
    }
    fn outside(mut self, r: Refusal) -> Self {
        self.outsider = Some(r);
        self
    }
    fn public(mut self) -> Self {
        self.anonymous = None;
        self
    }
}

fn matrix(w: &World) -> Vec<Row> {
    use Refusal::*;
    let (d, p, t, team) = (w.draft, w.pending, w.template, w.team);
    let hash = w.hash.clone();
    let tpl = json!({ "form": form("x"), "modes": {} });
    vec![
        row("auth/sign_in", false, json!({ "username": "x", "password": "y" })).public(),
        row("auth/sign_out", false, json!({})).public(),
        row("auth/whoami", false, json!({})).public(),
        row("ec2/status", false, json!({})),
        row("api/openapi", false, json!({})),
        row("admin/overview", false, json!({})).low(Forbidden).outside(Forbidden),
        row("admin/create_user", false, json!({ "username": "eve", "display_name": "Eve", "password": "long enough password", "role": "admin" }))
            .low(Forbidden).outside(Forbidden),
        row("admin/set_role", false, json!({ "user_id": w.rick_id, "role": "admin" })).low(Forbidden).outside(Forbidden),
        row("admin/set_disabled", false, json!({ "user_id": w.rick_id, "disabled": true })).low(Forbidden).outside(Forbidden),
        row("admin/create_team", false, json!({ "name": "Rogue", "required_approvals": 1 })).low(Forbidden).outside(Forbidden),
        row("admin/add_member", false, json!({ "team_id": team, "username": "olga" })).low(Forbidden).outside(Forbidden),
        row("admin/remove_member", false, json!({ "team_id": team, "username": "rick" })).low(Forbidden).outside(Forbidden),
        row("audit/list", true, json!({ "filter": {} })).low(Forbidden),
        row("audit/timeline", false, json!({ "id": d })).outside(Hidden),
        row("audit/verify", false, json!({})).low(Forbidden).outside(Forbidden),
        row("requests/options", false, json!({})),
        row("requests/create", true, json!({ "team_id": team, "form": form("intruder") })).outside(Forbidden),
        row("requests/import", true, json!({ "team_id": team, "region": "us-east-1", "json": "{\"Name\":\"intruder\"}" })).outside(Forbidden),
        row("requests/save", true, json!({ "id": d, "revision": 1, "form": form("changed") })).outside(Hidden),
        row("requests/get", false, json!({ "id": d })).outside(Hidden),
        row("requests/list", true, json!({ "filter": {} })),
        row("requests/revisions", false, json!({ "id": d })).outside(Hidden),
        row("requests/diff", false, json!({ "id": d, "from": 1, "to": 1 })).outside(Hidden),
        row("requests/duplicate", false, json!({ "id": d })).outside(Hidden),
        row("requests/delete", false, json!({ "id": d })).low(Forbidden).outside(Hidden),
        row("requests/dry_run", false, json!({ "id": d })).outside(Hidden),
        row("workflow/view", false, json!({ "id": p })).outside(Hidden),
        row("workflow/submit", false, json!({ "id": d, "revision": 1 })).outside(Hidden),
        row("workflow/approve", false, json!({ "id": p, "content_hash": hash, "comment": "ok" })).low(Forbidden).outside(Hidden),
        row("workflow/reject", false, json!({ "id": p, "content_hash": hash, "comment": "no" })).low(Forbidden).outside(Hidden),
        row("workflow/withdraw", false, json!({ "id": p })).low(Forbidden).outside(Hidden),
        row("workflow/reopen", false, json!({ "id": p })).outside(Hidden),
        row("workflow/retry", false, json!({ "id": p })).outside(Hidden),
        row("workflow/preflight", false, json!({ "id": p })).outside(Hidden),
        row("workflow/image", false, json!({ "id": p })).outside(Hidden),
        row("templates/list", false, json!({})),
        row("templates/get", false, json!({ "id": t })).outside(Hidden),
        row("templates/create", true, json!({ "team_id": team, "name": "Rogue", "description": "", "content": tpl })).low(Forbidden).outside(Forbidden),
        row("templates/update", true, json!({ "id": t, "version": 1, "description": "", "content": tpl })).low(Forbidden).outside(Hidden),
        row("templates/archive", false, json!({ "id": t })).low(Forbidden).outside(Hidden),
        row("templates/versions", false, json!({ "id": t })).outside(Hidden),
        row("templates/diff", false, json!({ "id": t, "from": 1, "to": 1 })).outside(Hidden),
        row("templates/export", false, json!({ "id": t })).outside(Hidden),
        row("templates/import", true, json!({ "team_id": team, "json": "{}" })).low(Forbidden).outside(Forbidden),
        row("templates/new_request", false, json!({ "id": t })).outside(Hidden),
        row("tokens/list", false, json!({})),
        row("tokens/create", false, json!({ "name": "ci", "read_only": false })),
        row("tokens/revoke", false, json!({ "id": 1 })),
    ]
}

async fn call(app: &TestApp, client: &Client, row: &Row) -> reqwest::Response {
    let req = client.post(app.url(&format!("/api/{}", row.endpoint)));
    let req = if row.json {
        req.json(&row.args)
    } else {
        let pairs: Vec<(String, String)> = row
            .args
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().map_or(v.to_string(), str::to_string)))
            .collect();
        req.form(&pairs)
    };
    req.send().await.unwrap()
}

/// Everything a refusal must not change: the rows of the tables that hold state.
async fn fingerprint(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM users",
        "SELECT COUNT(*) FROM users WHERE disabled_at IS NOT NULL OR role = 'admin'",
        "SELECT COUNT(*) FROM teams",
        "SELECT COUNT(*) FROM team_members",
        "SELECT COUNT(*) FROM requests",
        "SELECT COALESCE(SUM(revision), 0) FROM requests",
        "SELECT COUNT(*) FROM requests WHERE state <> 'draft'",
        "SELECT COUNT(*) FROM template_versions",
        "SELECT COUNT(*) FROM templates WHERE archived_at IS NOT NULL",
        "SELECT COUNT(*) FROM api_tokens",
    ] {
        out.push(
            sqlx::query_scalar(sql)
                .fetch_one(&app.state.pool)
                .await
                .unwrap(),
        );
    }
    out
}

async fn expect_refusal(app: &TestApp, client: &Client, row: &Row, who: &str, want: Refusal) {
    let before = app.audit_count("access.refused").await;
    let state = fingerprint(app).await;
    let res = call(app, client, row).await;
    let status = res.status();
    let body = res.text().await.unwrap_or_default();
    assert_eq!(status, want.status(), "{} as {who}: {body}", row.endpoint);
    assert!(
        !body.contains("sqlx") && !body.contains("panicked"),
        "{body}"
    );
    assert_eq!(
        app.audit_count("access.refused").await,
        before + 1,
        "{} as {who}: the refusal must be audited once",
        row.endpoint
    );
    assert_eq!(
        fingerprint(app).await,
        state,
        "{} as {who} changed something",
        row.endpoint
    );
}

#[tokio::test]
async fn every_server_function_refuses_whom_it_must_and_audits_it() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let rows = matrix(&w);
    let listed: BTreeSet<String> = rows
        .iter()
        .map(|r| format!("/api/{}", r.endpoint))
        .collect();
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    assert_eq!(
        listed, registered,
        "the matrix must list every server function"
    );
    let anonymous = app.client();
    for row in &rows {
        if let Some(want) = row.anonymous {
            expect_refusal(&app, &anonymous, row, "anonymous", want).await;
        }
        if let Some(want) = row.low_role {
            expect_refusal(&app, &w.ron, row, "a requester", want).await;
        }
        if let Some(want) = row.outsider {
            expect_refusal(&app, &w.olga, row, "another team", want).await;
        }
    }
}

#[tokio::test]
async fn download_routes_and_pages_refuse_whom_they_must_and_audit_it() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let anonymous = app.client();
    let cases: Vec<(String, &Client, &str, StatusCode)> = vec![
        (
            format!("/requests/{}/export/cli-input.json", w.draft),
            &w.olga,
            "another team",
            StatusCode::NOT_FOUND,
        ),
        (
            format!("/requests/{}/export/aws_ami.tf", w.draft),
            &w.olga,
            "another team",
            StatusCode::NOT_FOUND,
        ),
        (
            format!("/templates/{}/export.json", w.template),
            &w.olga,
            "another team",
            StatusCode::NOT_FOUND,
        ),
        (
            "/audit/export".into(),
            &w.ron,
            "a requester",
            StatusCode::FORBIDDEN,
        ),
        (
            "/admin".into(),
            &w.ron,
            "a requester",
            StatusCode::FORBIDDEN,
        ),
        (
            "/audit".into(),
            &w.ron,
            "a requester",
            StatusCode::FORBIDDEN,
        ),
    ];
    for (path, client, who, want) in cases {
        let before = app.audit_count("access.refused").await;
        let res = client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), want, "GET {path} as {who}");
        assert_eq!(
            app.audit_count("access.refused").await,
            before + 1,
            "GET {path} as {who}"
        );
    }
    // Without a session, pages and downloads send the browser to sign in (not a refusal).
    let downloads = [
        format!("/requests/{}/export/cli-input.json", w.draft),
        format!("/templates/{}/export.json", w.template),
        "/audit/export".to_string(),
    ];
    for page in downloads.iter().map(String::as_str).chain([
        "/requests",
        "/requests/new",
        "/templates",
        "/audit",
        "/admin",
        "/profile",
        "/api-docs",
    ]) {
        let res = anonymous.get(app.url(page)).send().await.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "GET {page} without a session"
        );
        let to = res.headers()["location"].to_str().unwrap();
        assert!(to.starts_with("/signin?next="), "{to}");
    }
}

async fn token(app: &TestApp, client: &Client, read_only: bool) -> String {
    let name = format!("matrix-{read_only}");
    let res = app
        .call(
            client,
            "tokens/create",
            &[("name", &name), ("read_only", &read_only.to_string())],
        )
        .await;
    res.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn every_api_route_refuses_whom_it_must_and_audits_it() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let ron = token(&app, &w.ron, false).await;
    let ron_read = token(&app, &w.ron, true).await;
    let olga = token(&app, &w.olga, false).await;
    let (d, p) = (w.draft, w.pending);
    let file = json!({ "region": "us-east-1", "team": "Platform", "Name": "api-intruder" });
    let decide = json!({ "content_hash": w.hash, "comment": "x" });
    // (method, path, body, caller token, expected status)
    let cases: Vec<(&str, String, Value, Option<&str>, StatusCode)> = vec![
        (
            "GET",
            "/api/v1/requests".into(),
            Value::Null,
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "GET",
            "/api/v1/requests".into(),
            Value::Null,
            Some("amd_not_a_token"),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "POST",
            "/api/v1/requests".into(),
            file.clone(),
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "POST",
            "/api/v1/requests".into(),
            file.clone(),
            Some(&ron_read),
            StatusCode::FORBIDDEN,
        ),
        (
            "POST",
            "/api/v1/requests".into(),
            file,
            Some(&olga),
            StatusCode::FORBIDDEN,
        ),
        (
            "GET",
            format!("/api/v1/requests/{d}"),
            Value::Null,
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "GET",
            format!("/api/v1/requests/{d}"),
            Value::Null,
            Some(&olga),
            StatusCode::NOT_FOUND,
        ),
        (
            "POST",
            format!("/api/v1/requests/{d}/submit"),
            json!({}),
            Some(&ron_read),
            StatusCode::FORBIDDEN,
        ),
        (
            "POST",
            format!("/api/v1/requests/{d}/submit"),
            json!({}),
            Some(&olga),
            StatusCode::NOT_FOUND,
        ),
        (
            "POST",
            format!("/api/v1/requests/{p}/approve"),
            decide.clone(),
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "POST",
            format!("/api/v1/requests/{p}/approve"),
            decide.clone(),
            Some(&ron),
            StatusCode::FORBIDDEN,
        ),
        (
            "POST",
            format!("/api/v1/requests/{p}/approve"),
            decide.clone(),
            Some(&olga),
            StatusCode::NOT_FOUND,
        ),
        (
            "POST",
            format!("/api/v1/requests/{p}/reject"),
            decide.clone(),
            Some(&ron),
            StatusCode::FORBIDDEN,
        ),
        (
            "POST",
            format!("/api/v1/requests/{p}/reject"),
            decide,
            Some(&olga),
            StatusCode::NOT_FOUND,
        ),
        (
            "POST",
            format!("/api/v1/requests/{d}/dry-run"),
            json!({}),
            Some(&olga),
            StatusCode::NOT_FOUND,
        ),
        (
            "GET",
            format!("/api/v1/requests/{p}/image"),
            Value::Null,
            Some(&olga),
            StatusCode::NOT_FOUND,
        ),
        (
            "GET",
            "/api/v1/audit".into(),
            Value::Null,
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "GET",
            "/api/v1/audit".into(),
            Value::Null,
            Some(&ron),
            StatusCode::FORBIDDEN,
        ),
        (
            "GET",
            "/api/v1/templates".into(),
            Value::Null,
            None,
            StatusCode::UNAUTHORIZED,
        ),
    ];
    let http = Client::new();
    for (method, path, body, bearer, want) in cases {
        let before = app.audit_count("access.refused").await;
        let state = fingerprint(&app).await;
        let mut req = if method == "GET" {
            http.get(app.url(&path))
        } else {
            http.post(app.url(&path)).json(&body)
        };
        if let Some(secret) = bearer {
            req = req.bearer_auth(secret);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let problem: Value = res.json().await.unwrap_or(Value::Null);
        assert_eq!(status, want, "{method} {path}: {problem}");
        assert_eq!(
            problem["status"],
            want.as_u16(),
            "{method} {path}: {problem}"
        );
        assert!(problem["correlation_id"].is_string(), "{problem}");
        assert_eq!(
            app.audit_count("access.refused").await,
            before + 1,
            "{method} {path} must be audited once"
        );
        assert_eq!(
            fingerprint(&app).await,
            state,
            "{method} {path} changed something"
        );
    }
}

#[tokio::test]
async fn cross_site_requests_and_plain_text_bodies_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let id = w.draft.to_string();
    type Attempt<'a> = (&'a str, Vec<(&'a str, &'a str)>, StatusCode);
    let attempts: Vec<Attempt> = vec![
        (
            "application/x-www-form-urlencoded",
            vec![("origin", "https://evil.example")],
            StatusCode::FORBIDDEN,
        ),
        (
            "application/x-www-form-urlencoded",
            vec![("sec-fetch-site", "cross-site")],
            StatusCode::FORBIDDEN,
        ),
        (
            "application/x-www-form-urlencoded",
            vec![("sec-fetch-site", "same-site")],
            StatusCode::FORBIDDEN,
        ),
        ("text/plain", vec![], StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (
            "text/plain;charset=UTF-8",
            vec![("origin", &app.base)],
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "multipart/form-data; boundary=x",
            vec![],
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
    ];
    for (content_type, headers, want) in attempts {
        let state = fingerprint(&app).await;
        let refusals = app.audit_count("access.cross_origin_refused").await;
        let mut req = w
            .ron
            .post(app.url("/api/requests/delete"))
            .header("content-type", content_type)
            .body(format!("id={id}"));
        for (name, value) in &headers {
            req = req.header(*name, *value);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), want, "{content_type} {headers:?}");
        assert_eq!(fingerprint(&app).await, state);
        assert_eq!(
            app.audit_count("access.cross_origin_refused").await,
            refusals + 1
        );
    }
    let res = w
        .ron
        .get(app.url(&format!("/api/requests/delete?id={id}")))
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_client_error(),
        "GET on a mutating function: {}",
        res.status()
    );
    let api = Client::new()
        .post(app.url(&format!("/api/v1/requests/{}/submit", w.draft)))
        .header("content-type", "text/plain")
        .header("origin", "https://evil.example")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
}
