//! `/health` with the database up and down.

use crate::helpers::{base_database_url, spawn_app};
use sqlx::{Connection, PgConnection};
use std::str::FromStr;

#[tokio::test]
async fn healthy_when_everything_is_up() {
    let app = spawn_app().await;
    let response = app.get("/health").await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "up", "{body}");
    assert_eq!(body["checks"]["database"]["status"], "up");
    assert_eq!(body["checks"]["database"]["kind"], "postgres");
    assert!(body["checks"]["database"]["latency_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(body["checks"]["cache"]["status"], "up");
    assert_eq!(body["checks"]["cache"]["kind"], "memory");
    assert_eq!(body["checks"]["queue"]["status"], "up");
    assert_eq!(body["checks"]["media"]["status"], "up");
    assert_eq!(body["checks"]["media"]["kind"], "local");
}

#[tokio::test]
async fn an_unreadable_media_store_is_degraded() {
    let app = spawn_app().await;
    // The media directory turns into a file: reads fail.
    let dir = crate::helpers::media_dir(&app.database_url);
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::write(&dir, b"not a directory").unwrap();
    let response = app.get("/health").await;
    std::fs::remove_file(&dir).unwrap();
    assert_eq!(
        response.status().as_u16(),
        200,
        "pictures failing does not take the shop down"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "degraded", "{body}");
    assert_eq!(body["checks"]["media"]["status"], "down", "{body}");
    assert!(body["checks"]["media"]["error"].is_string(), "{body}");
}

#[tokio::test]
async fn a_stuck_job_queue_is_degraded() {
    let app = crate::helpers::spawn_app_with(|s| s.jobs.workers = 0, axum::Router::new()).await;
    let job = app::adapters::jobs::Job::SendMail(app::adapters::mail::Mail {
        to: "a@example.com".into(),
        subject: "s".into(),
        text: "t".into(),
        html: "h".into(),
    });
    app::adapters::jobs::enqueue(&app.db, &job).await.unwrap();
    assert_eq!(app.get("/health").await.status().as_u16(), 200);
    // Ten minutes later, still nobody has taken it.
    sqlx::query("UPDATE apalis.jobs SET run_at = now() - interval '10 minutes'")
        .execute(&app.db)
        .await
        .unwrap();
    let response = app.get("/health").await;
    assert_eq!(
        response.status().as_u16(),
        200,
        "a stuck queue does not take the shop down"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "degraded", "{body}");
    assert_eq!(body["checks"]["queue"]["status"], "down");
    assert!(
        body["checks"]["queue"]["error"]
            .as_str()
            .unwrap()
            .contains("1 jobs waiting"),
        "{body}"
    );
}

#[tokio::test]
async fn reports_redis_as_the_cache_when_configured() {
    let redis = crate::helpers::redis_url();
    let app = crate::helpers::spawn_app_with(
        move |s| s.cache.redis_url = Some(server::config::Secret::new(redis)),
        axum::Router::new(),
    )
    .await;
    let body: serde_json::Value = app.get("/health").await.json().await.unwrap();
    assert_eq!(body["checks"]["cache"]["kind"], "redis");
    assert_eq!(body["checks"]["cache"]["status"], "up");
}

#[tokio::test]
async fn unavailable_when_the_database_is_down() {
    let app = spawn_app().await;
    assert_eq!(app.get("/health").await.status().as_u16(), 200);

    // Take the app's database away: refuse new connections and cut the existing ones.
    let options = sqlx::postgres::PgConnectOptions::from_str(&base_database_url())
        .unwrap()
        .database("postgres");
    let mut admin = PgConnection::connect_with(&options).await.unwrap();
    sqlx::query(&format!("ALTER DATABASE {} ALLOW_CONNECTIONS false", app.db_name))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
        .bind(&app.db_name)
        .execute(&mut admin)
        .await
        .unwrap();

    let response = app.get("/health").await;
    assert_eq!(response.status().as_u16(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "down", "{body}");
    assert_eq!(body["checks"]["database"]["status"], "down");
    assert!(body["checks"]["database"]["error"].is_string());
    assert_eq!(body["checks"]["cache"]["status"], "up");

    // A request that needs the database fails with an envelope, not a hang or a dropped connection.
    let response = app.get("/api/v1/products").await;
    crate::helpers::assert_envelope(response, 503, "SERVICE_UNAVAILABLE").await;

    // Back up: healthy again.
    sqlx::query(&format!("ALTER DATABASE {} ALLOW_CONNECTIONS true", app.db_name))
        .execute(&mut admin)
        .await
        .unwrap();
    assert_eq!(app.get("/health").await.status().as_u16(), 200);
}
