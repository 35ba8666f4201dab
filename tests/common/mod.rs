//! Test harness: `spawn_app()` gives each test its own SQLite file, its own port and an
//! EC2 gateway pointed at a real local EC2 endpoint (moto_server), started here.
#![allow(dead_code)]

use amidesk::settings::Settings;
use amidesk::state::AppState;
use reqwest::{redirect::Policy, Client, StatusCode};
use std::net::{SocketAddr, TcpListener as StdListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The admin password every test database starts with.
pub const ADMIN_PASSWORD: &str = "admin password for tests";
/// The password of users the tests create.
pub const USER_PASSWORD: &str = "user password for tests";

/// A running app with its own database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The app's state (pool, settings, gateway).
    pub state: AppState,
    /// The database file.
    pub db_path: std::path::PathBuf,
    _dir: Option<tempfile::TempDir>,
}

/// Starts the app with default test settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the app after `adjust` has changed the settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_path = dir.path().join("amidesk.db");
    let mut app = spawn_app_at(&db_path, adjust).await;
    app._dir = Some(dir);
    app
}

/// Starts another app on an existing database file (as a second server would).
pub async fn spawn_app_at(
    db_path: &std::path::Path,
    adjust: impl FnOnce(&mut Settings),
) -> TestApp {
    spawn_app_on(db_path, &moto().endpoint.clone(), adjust).await
}

/// Starts the app with its own database and EC2 at `endpoint` (a fault-injecting proxy).
pub async fn spawn_app_with_ec2(endpoint: &str) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_path = dir.path().join("amidesk.db");
    let mut app = spawn_app_on(&db_path, endpoint, |_| {}).await;
    app._dir = Some(dir);
    app
}

/// Starts an app on `db_path` with EC2 at `endpoint`.
pub async fn spawn_app_on(
    db_path: &std::path::Path,
    endpoint: &str,
    adjust: impl FnOnce(&mut Settings),
) -> TestApp {
    let mut settings = Settings::for_database(&format!("sqlite://{}", db_path.display()));
    settings.admin_password = Some(ADMIN_PASSWORD.into());
    settings.max_concurrent_hashes = 4;
    settings.ec2_timeout_secs = 5;
    settings.ec2_attempt_timeout_secs = 2;
    adjust(&mut settings);
    let state = amidesk::server::build_state(settings).await.expect("state");
    let state = state.with_ec2(amidesk::ec2::Ec2Gateway::with_sdk_config(
        &state.settings,
        sdk_config(endpoint),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let app = amidesk::server::router(state.clone())
        .await
        .expect("router");
    tokio::spawn(async move {
        amidesk::server::serve_router(app, listener)
            .await
            .expect("serve")
    });
    TestApp {
        base,
        state,
        db_path: db_path.to_path_buf(),
        _dir: None,
    }
}

/// An SDK configuration with static test credentials pointed at `endpoint`.
pub fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    use aws_config::{BehaviorVersion, Region};
    let creds = aws_sdk_ec2::config::Credentials::new("testing", "testing", None, None, "tests");
    aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_ec2::config::SharedCredentialsProvider::new(creds))
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(2))
                .build(),
        )
        .build()
}

impl TestApp {
    /// A client with its own cookie jar that does not follow redirects.
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client")
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Posts a server function with form-encoded arguments.
    pub async fn call(
        &self,
        client: &Client,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// Posts a server function that takes JSON.
    pub async fn call_json(
        &self,
        client: &Client,
        endpoint: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// Signs in and returns the response.
    pub async fn sign_in(
        &self,
        client: &Client,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        self.call(
            client,
            "auth/sign_in",
            &[
                ("username", username),
                ("password", password),
                ("next", "/requests"),
            ],
        )
        .await
    }

    /// A client signed in as `admin`.
    pub async fn admin(&self) -> Client {
        let client = self.client();
        let res = self.sign_in(&client, "admin", ADMIN_PASSWORD).await;
        assert!(
            res.status().is_success() || res.status().is_redirection(),
            "admin sign-in: {}",
            res.status()
        );
        client
    }

    /// Creates a user (through the admin server function) and returns a client signed in as them.
    pub async fn user(&self, username: &str, role: &str, team: &str) -> Client {
        let admin = self.admin().await;
        let res = self
            .call(
                &admin,
                "admin/create_user",
                &[
                    ("username", username),
                    ("display_name", username),
                    ("password", USER_PASSWORD),
                    ("role", role),
                    ("team", team),
                ],
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "create user: {}",
            res.text().await.unwrap_or_default()
        );
        let client = self.client();
        let res = self.sign_in(&client, username, USER_PASSWORD).await;
        assert!(
            !res.status().is_client_error(),
            "user sign-in: {}",
            res.status()
        );
        client
    }

    /// A new 8 GiB EBS snapshot in the app's EC2 (moto), for requests that need one.
    pub async fn snapshot(&self) -> String {
        let ec2 = self.state.ec2.client("us-east-1").await;
        let volume = ec2
            .create_volume()
            .size(8)
            .availability_zone("us-east-1a")
            .send()
            .await
            .expect("create volume");
        let snap = ec2
            .create_snapshot()
            .volume_id(volume.volume_id().unwrap_or_default())
            .send()
            .await
            .expect("create snapshot");
        snap.snapshot_id().unwrap_or_default().to_string()
    }

    /// The id of team `name`.
    pub async fn team_id(&self, name: &str) -> i64 {
        sqlx::query_scalar("SELECT team_id FROM teams WHERE name = ?")
            .bind(name)
            .fetch_one(&self.state.pool)
            .await
            .expect("team")
    }

    /// The number of audit events with `action`.
    pub async fn audit_count(&self, action: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = ?")
            .bind(action)
            .fetch_one(&self.state.pool)
            .await
            .expect("count")
    }
}

/// The shared moto_server for this test binary.
pub struct Moto {
    /// `http://127.0.0.1:PORT`
    pub endpoint: String,
    _child: Child,
}

/// Starts moto_server once per test binary. It exits when this process does: it watches
/// its standard input, which closes with us.
pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| {
        let server = std::env::var("AMIDESK_MOTO_SERVER").unwrap_or_else(|_| "moto_server".into());
        let python = std::path::Path::new(&server).with_file_name("python");
        let port = free_port();
        let script = format!(
            "import os, sys, threading\n\
             threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()\n\
             from moto.server import main\n\
             main(['-H', '127.0.0.1', '-p', '{port}'])\n"
        );
        let child = Command::new(if python.exists() { python.as_os_str().to_owned() } else { "python3".into() })
            .args(["-c", &script])
            .env("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server (run `make tools` or set AMIDESK_MOTO_SERVER)");
        wait_for_port(port);
        Moto {
            endpoint: format!("http://127.0.0.1:{port}"),
            _child: child,
        }
    })
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn wait_for_port(port: u16) {
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("moto_server did not start on port {port}");
}

/// What a fault-injecting proxy does with a request body: `None` forwards it to moto,
/// `Some((status, body))` answers instead.
pub type Fault = Arc<dyn Fn(&str) -> Option<(u16, String)> + Send + Sync>;

/// Request bodies seen by a proxy.
pub type Captured = Arc<Mutex<Vec<String>>>;

use std::sync::{Arc, Mutex};

/// Starts a proxy to moto that records every request body and may answer some requests
/// itself (fault injection); returns its URL.
pub async fn proxy(captured: Captured, fault: Fault) -> String {
    use axum::body::Bytes;
    use axum::extract::State;
    use axum::http::{HeaderMap, Method, StatusCode as Status, Uri};
    type ProxyState = (Captured, Fault, String);
    async fn forward(
        State((captured, fault, target)): State<ProxyState>,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> (Status, HeaderMap, Bytes) {
        let text = String::from_utf8_lossy(&body).into_owned();
        captured.lock().unwrap().push(text.clone());
        if let Some((status, answer)) = fault(&text) {
            let mut h = HeaderMap::new();
            h.insert("content-type", "text/xml".parse().unwrap());
            return (Status::from_u16(status).unwrap(), h, Bytes::from(answer));
        }
        relay(&target, method, uri, headers, body).await
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(forward).with_state((
        captured,
        fault,
        moto().endpoint.clone(),
    ));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// Forwards one request to `target` and returns its answer (for the proxies tests build).
pub async fn relay(
    target: &str,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> (
    axum::http::StatusCode,
    axum::http::HeaderMap,
    axum::body::Bytes,
) {
    let mut req = reqwest::Client::new()
        .request(method, format!("{target}{uri}"))
        .body(body.to_vec());
    for (name, value) in headers
        .iter()
        .filter(|(n, _)| *n != "host" && *n != "content-length")
    {
        req = req.header(name, value);
    }
    let res = req.send().await.unwrap();
    let status = axum::http::StatusCode::from_u16(res.status().as_u16()).unwrap();
    let mut out = axum::http::HeaderMap::new();
    if let Some(ct) = res.headers().get("content-type") {
        out.insert("content-type", ct.clone());
    }
    (status, out, res.bytes().await.unwrap())
}

/// A proxy that forwards everything.
pub async fn recording_proxy(captured: Captured) -> String {
    proxy(captured, Arc::new(|_| None)).await
}

/// An endpoint that accepts connections and never answers.
pub async fn hanging_endpoint() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    url
}
