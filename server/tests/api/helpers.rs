//! Spawning the application for a test: a fresh database cloned from a migrated template, the
//! app on port 0, and a client. Databases are named `oxcart_test_*`; the last app of a test
//! that uses one drops it with its outbox folder (the test script sweeps up after crashes).

use std::str::FromStr;

use app::state::AppState;
use axum::Router;
use server::{Application, Settings, db};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::oneshot;
use uuid::Uuid;

pub fn base_database_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/oxcart".to_owned())
}

pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

fn workspace_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_path_buf()
}

/// A stable fingerprint of the migrations, so a changed migration gets a new template.
fn migrations_fingerprint() -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let ours = db::migrator();
    let jobs = apalis_sql::postgres::PostgresStorage::migrations();
    for migration in jobs.iter().chain(ours.iter()) {
        for byte in migration.version.to_le_bytes().iter().chain(migration.checksum.iter()) {
            hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// Creates `oxcart_test_<uuid>` from the migrated template and returns its URL.
pub async fn fresh_database() -> (String, String) {
    let base = PgConnectOptions::from_str(&base_database_url()).expect("DATABASE_URL");
    let mut admin = PgConnection::connect_with(&base.clone().database("postgres"))
        .await
        .expect("PostgreSQL is reachable");
    // One process at a time builds the template and clones it (cloning needs it idle).
    sqlx::query("SELECT pg_advisory_lock(727274)")
        .execute(&mut admin)
        .await
        .unwrap();
    let template = format!("oxcart_tpl_{}", migrations_fingerprint());
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(&template)
        .fetch_one(&mut admin)
        .await
        .unwrap();
    if !exists {
        let building = format!("{template}_building");
        sqlx::query(&format!("DROP DATABASE IF EXISTS {building}"))
            .execute(&mut admin)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {building}"))
            .execute(&mut admin)
            .await
            .unwrap();
        let mut conn = PgConnection::connect_with(&base.clone().database(&building))
            .await
            .unwrap();
        db::migrate_connection(&mut conn)
            .await
            .expect("migrations apply to an empty database");
        conn.close().await.unwrap();
        sqlx::query(&format!("ALTER DATABASE {building} RENAME TO {template}"))
            .execute(&mut admin)
            .await
            .unwrap();
    }
    let name = format!("oxcart_test_{}", Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query("SELECT pg_advisory_unlock(727274)")
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.ok();
    let url = base.database(&name);
    let url = format!(
        "postgres://{}@{}:{}/{}",
        url.get_username(),
        url.get_host(),
        url.get_port(),
        name
    );
    (url, name)
}

/// The outbox of the apps on one test database (under the system's temporary directory).
pub fn outbox_dir(database_url: &str) -> std::path::PathBuf {
    let name = database_url.rsplit('/').next().unwrap_or("oxcart_test");
    std::env::temp_dir().join("oxcart-test-outbox").join(name)
}

/// The media store of the apps on one test database (beside the outbox).
pub fn media_dir(database_url: &str) -> std::path::PathBuf {
    let name = database_url.rsplit('/').next().unwrap_or("oxcart_test");
    std::env::temp_dir().join("oxcart-test-media").join(name)
}

/// Settings for a test app: port 0, its own database and cache namespace.
pub fn test_settings(database_url: &str) -> Settings {
    let namespace = format!("oxcart-test:{}:", Uuid::new_v4().simple());
    let site_root = workspace_dir().join("target/site");
    let docs = workspace_dir().join("node_modules/swagger-ui-dist");
    let vars = [
        ("OXCART_PORT", "0".to_owned()),
        ("DATABASE_URL", database_url.to_owned()),
        ("CACHE_NAMESPACE", namespace),
        ("SITE_ROOT", site_root.to_string_lossy().into_owned()),
        ("API_DOCS_ASSETS_DIR", docs.to_string_lossy().into_owned()),
        ("SHUTDOWN_TIMEOUT_SECS", "10".to_owned()),
        // Recurring jobs would add to the queue tests count; a test ticks the scheduler itself.
        ("SCHEDULER_TICK_SECS", "0".to_owned()),
        (
            "MAIL_OUTBOX_DIR",
            outbox_dir(database_url).to_string_lossy().into_owned(),
        ),
        ("MEDIA_DIR", media_dir(database_url).to_string_lossy().into_owned()),
    ];
    Settings::from_lookup(|name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone())).unwrap()
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub db_name: String,
    pub database_url: String,
    pub db: PgPool,
    stop: Option<oneshot::Sender<()>>,
    pub server: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// How many live test apps use each test database; the last one to go drops it.
fn database_users() -> &'static std::sync::Mutex<std::collections::HashMap<String, usize>> {
    static USERS: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<String, usize>>> =
        std::sync::OnceLock::new();
    USERS.get_or_init(Default::default)
}

/// Drops a test database (connections and all) and its outbox, from a thread of its own so it
/// can run while the test's runtime is winding down.
pub fn drop_database(name: &str, outbox: std::path::PathBuf) {
    let name = name.to_owned();
    let cleanup = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let base = PgConnectOptions::from_str(&base_database_url()).expect("DATABASE_URL");
            if let Ok(mut admin) = PgConnection::connect_with(&base.database("postgres")).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await;
                let _ = admin.close().await;
            }
        });
        let _ = std::fs::remove_dir_all(outbox);
    });
    let _ = cleanup.join();
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop();
        self.server.abort();
        let last = {
            let mut users = database_users().lock().unwrap_or_else(|e| e.into_inner());
            let count = users.entry(self.db_name.clone()).or_insert(1);
            *count -= 1;
            let last = *count == 0;
            if last {
                users.remove(&self.db_name);
            }
            last
        };
        if last && self.db_name.starts_with("oxcart_test_") {
            let _ = std::fs::remove_dir_all(media_dir(&self.database_url));
            drop_database(&self.db_name, outbox_dir(&self.database_url));
        }
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request sent")
    }

    /// Asks the server to shut down gracefully.
    pub fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}, Router::new()).await
}

/// Spawns the app after `configure` adjusts its settings, with `extra` routes behind the same
/// middleware.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings), extra: Router<AppState>) -> TestApp {
    let (url, db_name) = fresh_database().await;
    spawn_app_on(&url, &db_name, configure, extra).await
}

/// Spawns an app on an existing database (a second instance behind a load balancer, say).
pub async fn spawn_app_on(
    url: &str,
    db_name: &str,
    configure: impl FnOnce(&mut Settings),
    extra: Router<AppState>,
) -> TestApp {
    *database_users()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(db_name.to_owned())
        .or_insert(0) += 1;
    let mut settings = test_settings(url);
    configure(&mut settings);
    let app = Application::build_with_routes(settings, extra)
        .await
        .expect("the app starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        address,
        client,
        db: state.db.clone(),
        state,
        db_name: db_name.to_owned(),
        database_url: url.to_owned(),
        stop: Some(stop),
        server,
    }
}

/// Asserts the body is the error envelope with `code` and the response's request id.
pub async fn assert_envelope(response: reqwest::Response, status: u16, code: &str) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "content type {content_type}"
    );
    let request_id = response
        .headers()
        .get("x-request-id")
        .expect("x-request-id")
        .to_str()
        .unwrap()
        .to_owned();
    let body: serde_json::Value = response.json().await.unwrap();
    let error = &body["error"];
    assert_eq!(error["code"], code, "{body}");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert_eq!(error["request_id"], request_id.as_str(), "{body}");
    let timestamp = error["timestamp"].as_str().expect("timestamp");
    assert!(chrono::DateTime::parse_from_rfc3339(timestamp).is_ok(), "{timestamp}");
    assert!(error.get("details").is_some(), "details is always present: {body}");
    assert_eq!(body.as_object().unwrap().len(), 1, "only `error` at the top: {body}");
    body
}

/// The `name=value` of the session cookie a response sets, with its attributes.
pub fn session_cookie(response: &reqwest::Response) -> Option<(String, String)> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("oxcart_session="))
        .map(|v| {
            let pair = v.split(';').next().unwrap_or_default().to_owned();
            (pair, v.to_owned())
        })
}

/// A TCP relay in front of a real server (Redis, say) that a test can cut, to see what the shop
/// does when a dependency goes away mid-flight. Not a mock: every byte goes to the real server.
pub struct Relay {
    pub port: u16,
    stop: tokio::sync::watch::Sender<bool>,
}

impl Relay {
    pub async fn start(target: std::net::SocketAddr) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            let mut accept_stopped = stopped.clone();
            loop {
                let (mut client, _) = tokio::select! {
                    accepted = listener.accept() => match accepted { Ok(c) => c, Err(_) => return },
                    _ = accept_stopped.changed() => return,
                };
                let mut link_stopped = stopped.clone();
                tokio::spawn(async move {
                    let Ok(mut upstream) = tokio::net::TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut upstream) => {}
                        _ = link_stopped.changed() => {}
                    }
                });
            }
        });
        Self { port, stop }
    }

    /// Drops every connection and stops accepting new ones.
    pub fn cut(&self) {
        let _ = self.stop.send(true);
    }
}

/// Redis's address, for a [`Relay`].
pub fn redis_addr() -> std::net::SocketAddr {
    let url = redis_url();
    let hostport = url
        .trim_start_matches("redis://")
        .split('/')
        .next()
        .unwrap_or("127.0.0.1:6379");
    let hostport = hostport.rsplit('@').next().unwrap_or(hostport);
    hostport
        .parse()
        .unwrap_or_else(|_| std::net::SocketAddr::from(([127, 0, 0, 1], 6379)))
}

/// A fresh database and the application state on it, for service and repository tests that
/// need no HTTP. The database is dropped with the value.
pub struct TestState {
    pub state: AppState,
    db_name: String,
    database_url: String,
}

impl Drop for TestState {
    fn drop(&mut self) {
        drop_database(&self.db_name, outbox_dir(&self.database_url));
    }
}

pub async fn test_state(configure: impl FnOnce(&mut Settings)) -> TestState {
    let (url, db_name) = fresh_database().await;
    let mut settings = test_settings(&url);
    configure(&mut settings);
    let state = server::startup::build_state(&settings, std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("the state builds");
    TestState {
        state,
        db_name,
        database_url: url,
    }
}

/// Drops a test database and its outbox when it goes out of scope: for tests that use a
/// database without a [`TestApp`] (whose last instance does this itself).
pub struct DropDatabase(String);

impl DropDatabase {
    pub fn new(database_url: &str) -> Self {
        Self(database_url.to_owned())
    }
}

impl Drop for DropDatabase {
    fn drop(&mut self) {
        let name = self.0.rsplit('/').next().unwrap_or_default().to_owned();
        if name.starts_with("oxcart_test_") {
            drop_database(&name, outbox_dir(&self.0));
        }
    }
}

/// The password of accounts made by [`token_for`].
pub const TEST_PASSWORD: &str = "correct horse battery";

/// Creates an account with `role` and returns an API access token for it.
pub async fn token_for(app: &TestApp, email: &str, role: app::domain::identity::Role) -> String {
    let input = app::domain::identity::RegisterInput {
        email: email.into(),
        display_name: "Someone".into(),
        password: TEST_PASSWORD.into(),
    };
    app::services::identity::create_user_with_role(&app.state, input, role)
        .await
        .expect("the account is created");
    let body: serde_json::Value = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": TEST_PASSWORD}))
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("a JSON answer");
    body["data"]["access_token"].as_str().expect("logged in").to_owned()
}

/// Sends `method path` with a bearer token and, when given, a JSON body.
pub async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}
