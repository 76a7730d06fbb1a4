//! Start-up and shutdown: the database is created when missing, the port is the OS's choice,
//! and a shutdown lets in-flight requests finish.

use std::sync::{Arc, Mutex};

use app::state::AppState;
use axum::Router;
use axum::routing::get;
use server::{Application, db};
use sqlx::{Connection, PgConnection};
use tokio::sync::{Notify, oneshot};

use crate::helpers::{base_database_url, spawn_app_with, test_settings};

#[tokio::test]
async fn creates_and_migrates_a_missing_database() {
    let base = base_database_url();
    let name = format!("oxcart_test_{}", uuid::Uuid::new_v4().simple());
    let url = format!("{}/{}", base.rsplit_once('/').unwrap().0, name);
    let settings = test_settings(&url);
    assert!(db::ensure_database(&settings).await.unwrap(), "created");
    assert!(
        !db::ensure_database(&settings).await.unwrap(),
        "second time: already there"
    );
    let app = Application::build(settings).await.unwrap();
    let mut conn = PgConnection::connect(&url).await.unwrap();
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('categories', 'products', 'product_variants')",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(tables, 3);
    assert_ne!(app.port(), 0);
}

#[tokio::test]
async fn unreachable_database_is_a_clear_startup_error() {
    // A port nothing listens on: bind one, note it, release it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let settings = test_settings(&format!("postgres://postgres@127.0.0.1:{port}/oxcart"));
    let err = Application::build(settings).await.err().expect("start-up fails");
    let message = err.to_string();
    assert!(
        message.contains("PostgreSQL is not reachable at 127.0.0.1"),
        "{message}"
    );
}

#[tokio::test]
async fn in_flight_requests_finish_during_shutdown() {
    let started = Arc::new(Notify::new());
    let (release_tx, release_rx) = oneshot::channel::<()>();
    let release = Arc::new(Mutex::new(Some(release_rx)));
    let slow = {
        let started = started.clone();
        move || {
            let started = started.clone();
            let release = release.lock().unwrap().take();
            async move {
                started.notify_one();
                if let Some(release) = release {
                    let _ = release.await;
                }
                "finished"
            }
        }
    };
    let extra: Router<AppState> = Router::new().route("/api/v1/test/slow", get(slow));
    let mut app = spawn_app_with(|_| {}, extra).await;

    let request = tokio::spawn(app.client.get(app.url("/api/v1/test/slow")).send());
    started.notified().await;
    app.stop();
    // The server stops accepting new connections while the slow request is still running…
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let fresh = reqwest::Client::new();
        if fresh.get(app.url("/health")).send().await.is_err() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still accepting connections after shutdown"
        );
        tokio::task::yield_now().await;
    }
    // …and the in-flight one completes normally once its work is done.
    release_tx.send(()).unwrap();
    let response = request.await.unwrap().unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.text().await.unwrap(), "finished");
    (&mut app.server).await.unwrap().unwrap();
}
