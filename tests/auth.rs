//! Sign-in, sessions, roles and cross-origin refusal, through HTTP.

mod common;

use common::*;
use reqwest::StatusCode;

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("amidesk_session="))
        .map(str::to_string)
}

fn cookie_value(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn signing_in_sets_a_strict_http_only_cookie_and_redirects() {
    let app = spawn_app().await;
    let client = app.client();
    let res = app.sign_in(&client, "admin", ADMIN_PASSWORD).await;
    assert!(res.status().is_redirection() || res.status() == StatusCode::OK);
    let cookie = session_cookie(&res).expect("session cookie");
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Strict"));
    assert!(
        !cookie.contains("Secure"),
        "plain http must not mark cookies Secure"
    );
    let page = client.get(app.url("/requests")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Administrator"));
    assert_eq!(app.audit_count("auth.sign_in").await, 1);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = spawn_app().await;
    let client = app.client();
    let wrong = app.sign_in(&client, "admin", "not the password").await;
    let wrong_status = wrong.status();
    let wrong_body = wrong.text().await.unwrap();
    let unknown = app.sign_in(&client, "nobody", "not the password").await;
    assert_eq!(wrong_status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), wrong_status);
    assert_eq!(unknown.text().await.unwrap(), wrong_body);
    assert!(wrong_body.contains("BadCredentials"));
    assert_eq!(app.audit_count("auth.sign_in_failed").await, 2);
}

#[tokio::test]
async fn repeated_failures_are_refused_for_a_while() {
    let app = spawn_app().await;
    let client = app.client();
    for _ in 0..amidesk::auth::throttle::MAX_FAILURES {
        assert_eq!(
            app.sign_in(&client, "admin", "wrong").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let res = app.sign_in(&client, "admin", ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in_and_the_old_one_stops_working() {
    let app = spawn_app().await;
    let client = app.client();
    let first = cookie_value(
        &session_cookie(&app.sign_in(&client, "admin", ADMIN_PASSWORD).await).unwrap(),
    );
    let second = cookie_value(
        &session_cookie(&app.sign_in(&client, "admin", ADMIN_PASSWORD).await).unwrap(),
    );
    assert_ne!(first, second);
    let replay = reqwest::Client::new()
        .post(app.url("/api/admin/overview"))
        .header("cookie", first)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn signing_out_ends_the_session_for_good() {
    let app = spawn_app().await;
    let client = app.client();
    let cookie = cookie_value(
        &session_cookie(&app.sign_in(&client, "admin", ADMIN_PASSWORD).await).unwrap(),
    );
    let res = app.call(&client, "auth/sign_out", &[]).await;
    assert!(!res.status().is_client_error() && !res.status().is_server_error());
    let replay = reqwest::Client::new()
        .post(app.url("/api/admin/overview"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.audit_count("auth.sign_out").await, 1);
}

#[tokio::test]
async fn a_disabled_user_is_locked_out_at_once() {
    let app = spawn_app().await;
    let alice = app.user("alice", "requester", "Platform").await;
    assert_eq!(
        app.call(&alice, "ec2/status", &[]).await.status(),
        StatusCode::OK
    );
    let admin = app.admin().await;
    let id: i64 = sqlx::query_scalar("SELECT user_id FROM users WHERE username = 'alice'")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    let res = app
        .call(
            &admin,
            "admin/set_disabled",
            &[("user_id", &id.to_string()), ("disabled", "true")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.call(&alice, "ec2/status", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let again = app.client();
    assert_eq!(
        app.sign_in(&again, "alice", USER_PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_session_past_its_absolute_lifetime_is_refused() {
    let app = spawn_app_with(|s| s.session_absolute_minutes = 0).await;
    let client = app.admin().await;
    let res = app.call(&client, "admin/overview", &[]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn pages_without_a_session_redirect_to_sign_in() {
    let app = spawn_app().await;
    let res = app
        .client()
        .get(app.url("/audit?x=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/signin?next=/audit%3Fx%3D1");
    let signin = app.client().get(app.url("/signin")).send().await.unwrap();
    assert_eq!(signin.status(), StatusCode::OK);
    let html = signin.text().await.unwrap();
    assert!(html.contains("Username") && html.contains("Password") && html.contains("Sign in"));
}

#[tokio::test]
async fn server_functions_without_a_session_answer_401_and_are_audited() {
    let app = spawn_app().await;
    let res = app.call(&app.client(), "admin/overview", &[]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.audit_count("access.refused").await, 1);
}

#[tokio::test]
async fn a_requester_is_refused_admin_and_audit_with_403() {
    let app = spawn_app().await;
    let bob = app.user("bob", "requester", "Platform").await;
    assert_eq!(
        app.call(&bob, "admin/overview", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call_json(&bob, "audit/list", serde_json::json!({ "filter": {} }))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        bob.get(app.url("/admin")).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        bob.get(app.url("/requests")).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert!(app.audit_count("access.refused").await >= 3);
}

#[tokio::test]
async fn an_approver_may_read_the_audit_history_but_not_administer() {
    let app = spawn_app().await;
    let carol = app.user("carol", "approver", "Platform").await;
    assert_eq!(
        app.call_json(&carol, "audit/list", serde_json::json!({ "filter": {} }))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.call(&carol, "admin/overview", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_cross_origin_sign_in_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let client = app.client();
    for (name, value) in [
        ("origin", "http://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let res = client
            .post(app.url("/api/auth/sign_in"))
            .header(name, value)
            .form(&[("username", "admin"), ("password", ADMIN_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(session_cookie(&res).is_none());
    }
    assert_eq!(app.audit_count("auth.sign_in").await, 0);
    assert_eq!(app.audit_count("access.cross_origin_refused").await, 2);
}

#[tokio::test]
async fn a_same_origin_request_from_the_browser_is_accepted() {
    let app = spawn_app().await;
    let res = app
        .client()
        .post(app.url("/api/auth/sign_in"))
        .header("origin", app.base.clone())
        .header("sec-fetch-site", "same-origin")
        .form(&[("username", "admin"), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection() || res.status() == StatusCode::OK);
}

#[tokio::test]
async fn mutating_server_functions_refuse_get() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let res = admin
        .get(app.url("/api/admin/create_team?name=Sneaky&required_approvals=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    let teams: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM teams")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(teams, 0);
}

#[tokio::test]
async fn errors_carry_a_correlation_id_header() {
    let app = spawn_app().await;
    let res = app.call(&app.client(), "admin/overview", &[]).await;
    let id = res.headers().get("x-correlation-id").expect("header");
    assert!(id.len() >= 8);
}

#[tokio::test]
async fn security_headers_are_set_on_pages() {
    let app = spawn_app().await;
    let res = app.client().get(app.url("/signin")).send().await.unwrap();
    let h = res.headers().clone();
    let body = res.text().await.unwrap();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(
        !csp.contains("'unsafe-eval'") && !csp.contains("'unsafe-inline'"),
        "{csp}"
    );
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a script nonce");
    assert!(nonce.len() >= 16);
    assert!(
        body.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the nonce"
    );
    let again = app.client().get(app.url("/signin")).send().await.unwrap();
    assert!(!again.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains(nonce));
}

#[tokio::test]
async fn a_malformed_body_is_a_clear_422_not_a_server_error() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let res = admin
        .post(app.url("/api/audit/list"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
