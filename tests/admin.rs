//! Users and teams through the admin server functions, each audited.

mod common;

use common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn an_admin_creates_a_user_in_a_new_team() {
    let app = spawn_app().await;
    let _dave = app.user("dave", "approver", "Data Platform").await;
    let admin = app.admin().await;
    let res = app.call(&admin, "admin/overview", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    let users = body["users"].as_array().unwrap();
    assert!(users.iter().any(|u| u["username"] == "dave"
        && u["role"] == "approver"
        && u["teams"] == "Data Platform"));
    assert_eq!(app.audit_count("user.create").await, 2);
    assert_eq!(app.audit_count("team.create").await, 1);
}

#[tokio::test]
async fn bad_user_input_names_each_field_and_writes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let res = app
        .call(
            &admin,
            "admin/create_user",
            &[
                ("username", "1 bad"),
                ("display_name", ""),
                ("password", "short"),
                ("role", "root"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    for field in ["username", "password", "role"] {
        assert!(
            body.contains(&format!("\"field\":\"{field}\"")),
            "{field} missing in {body}"
        );
    }
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(users, 1);
}

#[tokio::test]
async fn a_duplicate_username_is_refused_on_the_username_field() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let form = [
        ("username", "admin"),
        ("display_name", "x"),
        ("password", USER_PASSWORD),
        ("role", "requester"),
    ];
    let res = app.call(&admin, "admin/create_user", &form).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("already taken"));
}

#[tokio::test]
async fn roles_change_and_admins_cannot_demote_themselves() {
    let app = spawn_app().await;
    let _erin = app.user("erin", "requester", "Platform").await;
    let admin = app.admin().await;
    let id = |name: &'static str| {
        let pool = app.state.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT user_id FROM users WHERE username = ?")
                .bind(name)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let erin = id("erin").await.to_string();
    let me = id("admin").await.to_string();
    assert_eq!(
        app.call(
            &admin,
            "admin/set_role",
            &[("user_id", &erin), ("role", "approver")]
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.call(
            &admin,
            "admin/set_role",
            &[("user_id", &me), ("role", "requester")]
        )
        .await
        .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(app.audit_count("user.set_role").await, 1);
}

#[tokio::test]
async fn team_membership_is_added_and_removed() {
    let app = spawn_app().await;
    let _fay = app.user("fay", "requester", "").await;
    let admin = app.admin().await;
    assert_eq!(
        app.call(
            &admin,
            "admin/create_team",
            &[("name", "Security"), ("required_approvals", "2")]
        )
        .await
        .status(),
        StatusCode::OK
    );
    let team: i64 = sqlx::query_scalar("SELECT team_id FROM teams WHERE name = 'Security'")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    let team = team.to_string();
    assert_eq!(
        app.call(
            &admin,
            "admin/add_member",
            &[("team_id", &team), ("username", "fay")]
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.call(
            &admin,
            "admin/remove_member",
            &[("team_id", &team), ("username", "fay")]
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(app.audit_count("team.add_member").await, 1);
    assert_eq!(app.audit_count("team.remove_member").await, 1);
}
