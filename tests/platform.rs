//! Health endpoints, the EC2 status line against moto, the audit chain and the CLI.

mod common;

use common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn healthz_and_readyz_answer_200() {
    let app = spawn_app().await;
    let client = app.client();
    assert_eq!(
        client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        client
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn readyz_answers_503_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.state.pool.close().await;
    let res = app.client().get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let live = app.client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(live.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_ec2_status_line_reports_a_reachable_endpoint() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let res = app.call(&admin, "ec2/status", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let status: serde_json::Value = res.json().await.unwrap();
    assert_eq!(status["reachable"], true, "{status}");
    assert!(status["message"]
        .as_str()
        .unwrap()
        .contains("EC2 reachable in us-east-1"));
}

#[tokio::test]
async fn the_ec2_status_line_explains_an_unreachable_endpoint_without_internals() {
    let mut app = spawn_app().await;
    let dead = format!("http://127.0.0.1:{}", free_port());
    app.state = app
        .state
        .with_ec2(amidesk::ec2::Ec2Gateway::with_sdk_config(
            &app.state.settings,
            sdk_config(&dead),
        ));
    let status = app.state.ec2.status().await;
    assert!(!status.reachable);
    assert!(
        status.message.contains("could not be reached") || status.message.contains("in time"),
        "{}",
        status.message
    );
    assert!(!status.message.contains("127.0.0.1"));
}

#[tokio::test]
async fn the_audit_chain_verifies_and_names_an_edited_event() {
    let app = spawn_app().await;
    let _u = app.user("gina", "requester", "Platform").await;
    let report = amidesk::audit::chain::verify(&app.state.pool)
        .await
        .unwrap();
    assert!(
        matches!(report, amidesk::audit::chain::VerifyReport::Intact { checked, .. } if checked >= 4),
        "{report}"
    );

    let refused = sqlx::query("UPDATE audit_events SET actor_name = 'mallory' WHERE seq = 2")
        .execute(&app.state.pool)
        .await;
    assert!(refused.unwrap_err().to_string().contains("append-only"));
    let refused = sqlx::query("DELETE FROM audit_events")
        .execute(&app.state.pool)
        .await;
    assert!(refused.is_err());

    // Someone with the database file drops the trigger and edits a row.
    sqlx::query("DROP TRIGGER audit_events_refuse_update")
        .execute(&app.state.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_events SET actor_name = 'mallory' WHERE seq = 2")
        .execute(&app.state.pool)
        .await
        .unwrap();
    let report = amidesk::audit::chain::verify(&app.state.pool)
        .await
        .unwrap();
    assert!(
        matches!(
            report,
            amidesk::audit::chain::VerifyReport::Broken { seq: 2, .. }
        ),
        "{report}"
    );
}

#[tokio::test]
async fn the_command_line_adds_and_lists_users_and_verifies_the_chain() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/cli.db", dir.path().display());
    let bin = env!("CARGO_BIN_EXE_amidesk");
    let mut add = Command::new(bin)
        .args([
            "--database-url",
            &url,
            "user",
            "add",
            "--username",
            "hank",
            "--role",
            "approver",
            "--team",
            "Platform",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(b"a long enough password\n")
        .unwrap();
    let out = add.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let list = Command::new(bin)
        .args(["--database-url", &url, "user", "list"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(
        text.contains("hank") && text.contains("approver") && text.contains("Platform"),
        "{text}"
    );
    let verify = Command::new(bin)
        .args(["--database-url", &url, "audit", "verify"])
        .output()
        .unwrap();
    assert!(verify.status.success());
    assert!(String::from_utf8_lossy(&verify.stdout).contains("intact"));
}

#[tokio::test]
async fn help_documents_every_setting() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_amidesk"))
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for var in [
        "AMIDESK_LISTEN",
        "AMIDESK_DATABASE_URL",
        "AMIDESK_ADMIN_PASSWORD",
        "AMIDESK_REGIONS",
        "AMIDESK_PUBLIC_URL",
        "AMIDESK_SESSION_IDLE_MINUTES",
        "AMIDESK_SESSION_ABSOLUTE_MINUTES",
    ] {
        assert!(text.contains(var), "{var} missing from --help");
    }
}
