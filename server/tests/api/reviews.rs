//! Reviews over the API: one per customer and product, ratings 1 to 5, shown once approved, a
//! moderation queue for staff, and a product rating that follows every decision at once.

use app::domain::identity::Role;
use app::services::catalog::seed_demo_catalog;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_envelope, spawn_app, token_for};

async fn product_id(app: &TestApp, slug: &str) -> String {
    let body: Value = app.get(&format!("/api/v1/products/{slug}")).await.json().await.unwrap();
    body["data"]["id"].as_str().unwrap().to_owned()
}

async fn review(app: &TestApp, token: &str, product: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/products/{product}/reviews")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn moderate(app: &TestApp, token: &str, review: &str, status: &str) -> reqwest::Response {
    app.client
        .patch(app.url(&format!("/api/v1/reviews/{review}")))
        .bearer_auth(token)
        .json(&json!({"status": status}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_review_waits_for_approval_and_then_moves_the_rating() {
    let app = spawn_app().await;
    seed_demo_catalog(&app.state, 0).await.unwrap();
    let skillet = product_id(&app, "cast-iron-skillet").await;
    let ada = token_for(&app, "ada@example.com", Role::Customer).await;
    let bob = token_for(&app, "bob@example.com", Role::Customer).await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;

    let response = review(
        &app,
        &ada,
        &skillet,
        json!({"rating": 5, "title": "Superb", "body": "Heats evenly."}),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let ada_review: Value = response.json().await.unwrap();
    assert_eq!(ada_review["data"]["status"], "pending");
    assert_eq!(
        location,
        format!("/api/v1/reviews/{}", ada_review["data"]["id"].as_str().unwrap())
    );
    let bob_review: Value = review(&app, &bob, &skillet, json!({"rating": 2, "title": "Heavy"}))
        .await
        .json()
        .await
        .unwrap();

    // Pending reviews are not public: not listed, and 404 to strangers (the author sees theirs).
    let list: Value = app
        .get(&format!("/api/v1/products/{skillet}/reviews"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 0);
    assert_envelope(app.get(&location).await, 404, "NOT_FOUND").await;
    let own = app
        .client
        .get(app.url(&location))
        .bearer_auth(&ada)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status().as_u16(), 200);

    // The queue: pending first come, first served; customers can't see it.
    let queue = app
        .client
        .get(app.url("/api/v1/reviews?status=pending"))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap();
    let queue: Value = queue.json().await.unwrap();
    assert_eq!(queue["meta"]["total"], 2);
    assert_eq!(queue["data"][0]["id"], ada_review["data"]["id"]);
    assert_eq!(queue["data"][0]["product_name"], "Cast Iron Skillet");
    let refused = app
        .client
        .get(app.url("/api/v1/reviews"))
        .bearer_auth(&ada)
        .send()
        .await
        .unwrap();
    assert_envelope(refused, 403, "FORBIDDEN").await;
    let refused = moderate(&app, &ada, ada_review["data"]["id"].as_str().unwrap(), "approved").await;
    assert_envelope(refused, 403, "FORBIDDEN").await;

    // Approving moves the product's rating at once; rejecting takes it back out.
    let response = moderate(&app, &staff, ada_review["data"]["id"].as_str().unwrap(), "approved").await;
    assert_eq!(response.status().as_u16(), 200);
    let response = moderate(&app, &staff, bob_review["data"]["id"].as_str().unwrap(), "approved").await;
    assert_eq!(response.status().as_u16(), 200);
    let product: Value = app
        .get("/api/v1/products/cast-iron-skillet")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            product["data"]["rating_average"].as_str(),
            product["data"]["rating_count"].as_i64()
        ),
        (Some("3.50"), Some(2))
    );
    let list: Value = app
        .get("/api/v1/products/cast-iron-skillet/reviews")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 2);
    assert_eq!(list["data"][0]["title"], "Heavy", "newest first");
    let response = moderate(&app, &staff, bob_review["data"]["id"].as_str().unwrap(), "rejected").await;
    assert_eq!(response.status().as_u16(), 200);
    let product: Value = app
        .get("/api/v1/products/cast-iron-skillet")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            product["data"]["rating_average"].as_str(),
            product["data"]["rating_count"].as_i64()
        ),
        (Some("5.00"), Some(1))
    );
    let listed: Value = app.get("/api/v1/products?min_rating=4.5").await.json().await.unwrap();
    assert_eq!(listed["data"][0]["name"], "Cast Iron Skillet");
    // A stale decision is a 409.
    let stale = app
        .client
        .patch(app.url(&location))
        .bearer_auth(&staff)
        .json(&json!({"status": "rejected", "version": 1}))
        .send()
        .await
        .unwrap();
    assert_envelope(stale, 409, "CONFLICT").await;
}

#[tokio::test]
async fn review_rules_are_clear_errors() {
    let app = spawn_app().await;
    seed_demo_catalog(&app.state, 0).await.unwrap();
    let skillet = product_id(&app, "cast-iron-skillet").await;
    let ada = token_for(&app, "ada@example.com", Role::Customer).await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    for (body, field) in [
        (json!({"rating": 6, "title": "Too good"}), "rating"),
        (json!({"rating": 0, "title": "Too bad"}), "rating"),
        (json!({"rating": 4, "title": "  "}), "title"),
        (json!({"rating": "five", "title": "Word"}), "rating"),
    ] {
        let body = assert_envelope(review(&app, &ada, &skillet, body).await, 422, "VALIDATION_ERROR").await;
        assert!(body["error"]["details"][field].is_array(), "{field}: {body}");
    }
    assert_eq!(
        review(&app, &ada, &skillet, json!({"rating": 4, "title": "Good"}))
            .await
            .status()
            .as_u16(),
        201
    );
    let body = assert_envelope(
        review(&app, &ada, &skillet, json!({"rating": 5, "title": "Again"})).await,
        409,
        "CONFLICT",
    )
    .await;
    assert!(body["error"]["message"].as_str().is_some());
    // Signed-in only; unknown products are 404.
    let anonymous = app
        .client
        .post(app.url(&format!("/api/v1/products/{skillet}/reviews")))
        .json(&json!({"rating": 4, "title": "Anon"}))
        .send()
        .await
        .unwrap();
    assert_envelope(anonymous, 401, "UNAUTHORIZED").await;
    let missing = review(
        &app,
        &ada,
        &uuid::Uuid::now_v7().to_string(),
        json!({"rating": 4, "title": "?"}),
    )
    .await;
    assert_envelope(missing, 404, "NOT_FOUND").await;
    // Moderation takes only approved or rejected; the queue only known statuses.
    let queue: Value = app
        .client
        .get(app.url("/api/v1/reviews"))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = queue["data"][0]["id"].as_str().unwrap();
    let body = assert_envelope(moderate(&app, &staff, id, "pending").await, 422, "VALIDATION_ERROR").await;
    assert!(body["error"]["details"]["status"].is_array(), "{body}");
    let response = app
        .client
        .get(app.url("/api/v1/reviews?status=spam"))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap();
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert!(body["error"]["details"]["status"].is_array(), "{body}");
}
