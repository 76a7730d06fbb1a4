//! The category tree over the API: anyone reads it, staff with `products:write` change it;
//! slugs, moves that would make a cycle, optimistic locking, ETags and deletion.

use app::domain::identity::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_envelope, spawn_app, token_for};

async fn create(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/categories"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn patch(app: &TestApp, token: &str, id: &str, body: Value) -> reqwest::Response {
    app.client
        .patch(app.url(&format!("/api/v1/categories/{id}")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn created_id(response: reqwest::Response) -> String {
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    let id = body["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/categories/{id}"));
    id
}

#[tokio::test]
async fn staff_build_a_tree_that_anyone_can_read() {
    let app = spawn_app().await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let clothing = created_id(create(&app, &staff, json!({"name": "Clothing", "position": 2})).await).await;
    let garden = created_id(create(&app, &staff, json!({"name": "Garden & Patio", "position": 1})).await).await;
    let jackets = created_id(
        create(
            &app,
            &staff,
            json!({"name": " Rain Jackets ", "parent_id": clothing, "description": "Dry."}),
        )
        .await,
    )
    .await;

    let tree: Value = app.get("/api/v1/categories").await.json().await.unwrap();
    let names: Vec<&str> = tree["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Garden & Patio", "Clothing"], "ordered by position");
    assert_eq!(tree["data"][0]["slug"], "garden-patio", "slug made from the name");
    let child = &tree["data"][1]["children"][0];
    assert_eq!(
        (child["id"].as_str(), child["name"].as_str()),
        (Some(jackets.as_str()), Some("Rain Jackets"))
    );
    assert_eq!(child["parent_id"], clothing.as_str());

    // Move the jackets to the garden, rename and reorder in one change; the tree follows.
    let moved = patch(
        &app,
        &staff,
        &jackets,
        json!({"parent_id": garden, "name": "Ponchos", "position": 5}),
    )
    .await;
    assert_eq!(moved.status().as_u16(), 200);
    let tree: Value = app.get("/api/v1/categories").await.json().await.unwrap();
    assert_eq!(tree["data"][0]["children"][0]["name"], "Ponchos");
    assert!(tree["data"][1]["children"].as_array().unwrap().is_empty());
    // `parent_id: null` moves it to the top level.
    let top: Value = patch(&app, &staff, &jackets, json!({"parent_id": null}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(top["data"]["parent_id"], Value::Null);
}

#[tokio::test]
async fn a_move_under_itself_or_a_descendant_is_refused() {
    let app = spawn_app().await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let a = created_id(create(&app, &staff, json!({"name": "A"})).await).await;
    let b = created_id(create(&app, &staff, json!({"name": "B", "parent_id": a})).await).await;
    let c = created_id(create(&app, &staff, json!({"name": "C", "parent_id": b})).await).await;

    for parent in [&a, &c] {
        let body = assert_envelope(
            patch(&app, &staff, &a, json!({"parent_id": parent})).await,
            422,
            "VALIDATION_ERROR",
        )
        .await;
        assert!(body["error"]["details"]["parent_id"].is_array(), "{body}");
    }
    let tree: Value = app.get("/api/v1/categories").await.json().await.unwrap();
    assert_eq!(
        tree["data"][0]["children"][0]["children"][0]["id"],
        c.as_str(),
        "nothing moved"
    );

    // An unknown parent, a taken slug, a bad slug: each named by its field.
    let nowhere = uuid::Uuid::now_v7().to_string();
    let body = assert_envelope(
        create(&app, &staff, json!({"name": "X", "parent_id": nowhere})).await,
        422,
        "VALIDATION_ERROR",
    )
    .await;
    assert!(body["error"]["details"]["parent_id"].is_array(), "{body}");
    let body = assert_envelope(
        create(&app, &staff, json!({"name": "Another", "slug": "a"})).await,
        409,
        "CONFLICT",
    )
    .await;
    assert!(body["error"]["details"]["slug"].is_array(), "{body}");
    let body = assert_envelope(
        create(&app, &staff, json!({"name": "Y", "slug": "Not A Slug"})).await,
        422,
        "VALIDATION_ERROR",
    )
    .await;
    assert!(body["error"]["details"]["slug"].is_array(), "{body}");
    let body = assert_envelope(
        create(&app, &staff, json!({"name": "日本"})).await,
        422,
        "VALIDATION_ERROR",
    )
    .await;
    assert!(
        body["error"]["details"]["slug"].is_array(),
        "no slug can be made: {body}"
    );
}

#[tokio::test]
async fn etags_versions_permissions_and_deletion() {
    let app = spawn_app().await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let customer = token_for(&app, "ada@example.com", Role::Customer).await;
    let parent = created_id(create(&app, &staff, json!({"name": "Parent"})).await).await;
    let child = created_id(create(&app, &staff, json!({"name": "Child", "parent_id": parent})).await).await;

    // Reads are public, with an ETag that a 304 honours.
    let one = app.get(&format!("/api/v1/categories/{child}")).await;
    assert_eq!(one.status().as_u16(), 200);
    let etag = one.headers()["etag"].to_str().unwrap().to_owned();
    let again = app
        .client
        .get(app.url(&format!("/api/v1/categories/{child}")))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);

    // A stale version (in the body or If-Match) changes nothing.
    assert_eq!(
        patch(&app, &staff, &child, json!({"name": "Renamed"}))
            .await
            .status()
            .as_u16(),
        200
    );
    assert_envelope(
        patch(&app, &staff, &child, json!({"name": "Lost", "version": 1})).await,
        409,
        "CONFLICT",
    )
    .await;
    let stale = app
        .client
        .patch(app.url(&format!("/api/v1/categories/{child}")))
        .bearer_auth(&staff)
        .header("if-match", &etag)
        .json(&json!({"name": "Lost"}))
        .send()
        .await
        .unwrap();
    assert_envelope(stale, 409, "CONFLICT").await;
    let now: Value = app
        .get(&format!("/api/v1/categories/{child}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (now["data"]["name"].as_str(), now["data"]["version"].as_i64()),
        (Some("Renamed"), Some(2))
    );

    // Customers and strangers may not change the tree.
    assert_envelope(create(&app, &customer, json!({"name": "Mine"})).await, 403, "FORBIDDEN").await;
    let anonymous = app
        .client
        .post(app.url("/api/v1/categories"))
        .json(&json!({"name": "X"}))
        .send()
        .await
        .unwrap();
    assert_envelope(anonymous, 401, "UNAUTHORIZED").await;

    // A category with subcategories can't go; a leaf can, and then it is gone.
    let delete = |id: String, token: String| {
        let request = app
            .client
            .delete(app.url(&format!("/api/v1/categories/{id}")))
            .bearer_auth(token);
        async move { request.send().await.unwrap() }
    };
    assert_envelope(delete(parent.clone(), staff.clone()).await, 409, "CONFLICT").await;
    assert_eq!(delete(child.clone(), staff.clone()).await.status().as_u16(), 204);
    assert_envelope(app.get(&format!("/api/v1/categories/{child}")).await, 404, "NOT_FOUND").await;
    assert_envelope(delete(child, staff).await, 404, "NOT_FOUND").await;
}
