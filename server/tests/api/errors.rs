//! The error envelope on every kind of error, and request ids.

use app::error::{AppError, FieldErrors};
use app::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use serde::Deserialize;
use server::api::envelope::ApiJson;

use crate::helpers::{assert_envelope, spawn_app, spawn_app_with};

#[derive(Deserialize)]
struct NewThing {
    name: String,
    quantity: u32,
}

/// A JSON endpoint that validates like the real ones: extractor first, then field rules.
async fn create_thing(ApiJson(thing): ApiJson<NewThing>) -> Result<String, AppError> {
    let mut details = FieldErrors::new();
    if thing.name.trim().is_empty() {
        details
            .entry("name".into())
            .or_default()
            .push("must not be empty".into());
    }
    if thing.quantity > 10 {
        details
            .entry("quantity".into())
            .or_default()
            .push("must be at most 10".into());
    }
    if !details.is_empty() {
        return Err(AppError::validation(details));
    }
    Ok(format!("{} x{}", thing.name, thing.quantity))
}

async fn panics() -> &'static str {
    panic!("boom: secret internal detail")
}

fn extra_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/test/things", post(create_thing))
        .route("/api/v1/test/panic", get(panics))
}

async fn spawn_with_extras() -> crate::helpers::TestApp {
    spawn_app_with(|s| s.http.max_body_bytes = 1024, extra_routes()).await
}

#[tokio::test]
async fn unknown_api_route_is_a_404_envelope() {
    let app = spawn_app().await;
    let body = assert_envelope(app.get("/api/v1/nope").await, 404, "NOT_FOUND").await;
    assert_eq!(body["error"]["details"], serde_json::Value::Null);
    assert_envelope(app.get("/api/v1/products/extra/segments").await, 404, "NOT_FOUND").await;
}

#[tokio::test]
async fn wrong_method_is_a_405_envelope_with_allow() {
    let app = spawn_app().await;
    let response = app.client.delete(app.url("/api/v1/products")).send().await.unwrap();
    let allow = response.headers().get("allow").map(|v| v.to_str().unwrap().to_owned());
    assert_envelope(response, 405, "METHOD_NOT_ALLOWED").await;
    assert!(allow.unwrap_or_default().contains("GET"));
    let response = app.client.post(app.url("/health")).send().await.unwrap();
    assert_envelope(response, 405, "METHOD_NOT_ALLOWED").await;
}

#[tokio::test]
async fn malformed_json_is_a_400_envelope() {
    let app = spawn_with_extras().await;
    let response = app
        .client
        .post(app.url("/api/v1/test/things"))
        .header("content-type", "application/json")
        .body("{\"name\": \"cart\", ")
        .send()
        .await
        .unwrap();
    assert_envelope(response, 400, "BAD_REQUEST").await;
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_a_422_envelope() {
    let app = spawn_with_extras().await;
    let response = app
        .client
        .post(app.url("/api/v1/test/things"))
        .json(&serde_json::json!({"name": "cart", "quantity": "many"}))
        .send()
        .await
        .unwrap();
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert_eq!(
        body["error"]["details"],
        serde_json::json!({"quantity": ["must be u32"]})
    );

    // A missing field is named by itself, as every other field error is.
    let response = app
        .client
        .post(app.url("/api/v1/test/things"))
        .json(&serde_json::json!({"quantity": 2}))
        .send()
        .await
        .unwrap();
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert_eq!(body["error"]["details"], serde_json::json!({"name": ["is required"]}));
}

#[tokio::test]
async fn field_validation_is_a_422_with_details() {
    let app = spawn_with_extras().await;
    let response = app
        .client
        .post(app.url("/api/v1/test/things"))
        .json(&serde_json::json!({"name": "  ", "quantity": 11}))
        .send()
        .await
        .unwrap();
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert_eq!(
        body["error"]["details"],
        serde_json::json!({"name": ["must not be empty"], "quantity": ["must be at most 10"]})
    );
}

#[tokio::test]
async fn valid_json_passes_through() {
    let app = spawn_with_extras().await;
    let response = app
        .client
        .post(app.url("/api/v1/test/things"))
        .json(&serde_json::json!({"name": "wheel", "quantity": 4}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.text().await.unwrap(), "wheel x4");
}

#[tokio::test]
async fn body_over_the_limit_is_a_413_envelope() {
    let app = spawn_with_extras().await;
    let big = format!("{{\"name\": \"{}\", \"quantity\": 1}}", "x".repeat(4096));
    let response = app
        .client
        .post(app.url("/api/v1/test/things"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_envelope(response, 413, "PAYLOAD_TOO_LARGE").await;
}

#[tokio::test]
async fn missing_content_type_is_a_415_envelope() {
    let app = spawn_with_extras().await;
    let response = app
        .client
        .post(app.url("/api/v1/test/things"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_envelope(response, 415, "UNSUPPORTED_MEDIA_TYPE").await;
}

#[tokio::test]
async fn a_panicking_handler_is_a_500_envelope_without_internals() {
    let app = spawn_with_extras().await;
    let response = app.get("/api/v1/test/panic").await;
    let body = assert_envelope(response, 500, "INTERNAL_ERROR").await;
    assert!(!body.to_string().contains("boom"), "{body}");
    // The server is still serving.
    assert_eq!(app.get("/api/v1/products").await.status().as_u16(), 200);
}

#[tokio::test]
async fn request_id_is_echoed_or_minted() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/api/v1/nope"))
        .header("x-request-id", "trace-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-abc-123");
    let body = assert_envelope(response, 404, "NOT_FOUND").await;
    assert_eq!(body["error"]["request_id"], "trace-abc-123");

    let response = app.get("/api/v1/products").await;
    let minted = response.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(minted).unwrap().get_version_num(), 7);

    // An id that could forge log lines is replaced, not echoed.
    let response = app
        .client
        .get(app.url("/health"))
        .header("x-request-id", "a b\tc")
        .send()
        .await
        .unwrap();
    assert_ne!(response.headers()["x-request-id"], "a b\tc");
}

#[tokio::test]
async fn integral_numbers_are_integers_whatever_their_spelling() {
    // JSON has one number type: `5.0` is a valid integer (JSON Schema agrees), `4.5` is not.
    let app = crate::helpers::spawn_app().await;
    app::services::catalog::seed_demo_catalog(&app.state, 0).await.unwrap();
    let token = crate::helpers::token_for(&app, "ada@example.com", app::domain::identity::Role::Customer).await;
    let product: serde_json::Value = app
        .get("/api/v1/products/cast-iron-skillet")
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/products/{}/reviews", product["data"]["id"].as_str().unwrap());
    let send = |rating: serde_json::Value| {
        app.client
            .post(app.url(&path))
            .bearer_auth(&token)
            .json(&serde_json::json!({"rating": rating, "title": "Numbers"}))
            .send()
    };
    let body =
        crate::helpers::assert_envelope(send(serde_json::json!(4.5)).await.unwrap(), 422, "VALIDATION_ERROR").await;
    assert!(body["error"]["details"]["rating"].is_array(), "{body}");
    assert_eq!(send(serde_json::json!(5.0)).await.unwrap().status().as_u16(), 201);
}
