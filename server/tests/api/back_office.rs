//! The endpoints the back office's screens needed, over the API: stock adjustments and their
//! history, bulk status changes, and the catalogue CSV — import (checked whole, applied in one
//! transaction or not at all, followed while it runs), export (streamed, round-tripping), and
//! conflicts with changes made since an export.

use std::time::{Duration, Instant};

use app::domain::identity::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_envelope, send, spawn_app, token_for};

/// Creates an active product with variants `(sku, price, stock)`; returns its id and body.
async fn product(app: &TestApp, staff: &str, name: &str, variants: &[(&str, &str, i32)]) -> (String, Value) {
    let variants: Vec<Value> = variants
        .iter()
        .map(|(sku, price, stock)| json!({"sku": sku, "price": price, "stock": stock}))
        .collect();
    let body = json!({"name": name, "status": "active", "variants": variants});
    let response = send(app, Method::POST, "/api/v1/products", staff, Some(body)).await;
    assert_eq!(response.status().as_u16(), 201);
    let body: Value = response.json().await.unwrap();
    (body["data"]["id"].as_str().unwrap().to_owned(), body["data"].clone())
}

fn variant_id(product: &Value, sku: &str) -> String {
    product["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["sku"] == sku)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn staff_product(app: &TestApp, staff: &str, id: &str) -> Value {
    let response = send(app, Method::GET, &format!("/api/v1/products/{id}"), staff, None).await;
    assert_eq!(response.status().as_u16(), 200);
    response.json::<Value>().await.unwrap()["data"].clone()
}

fn stock_of(product: &Value, sku: &str) -> i64 {
    product["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["sku"] == sku)
        .unwrap()["stock"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn stock_adjustments_are_recorded_with_a_reason_and_never_go_below_zero() {
    let app = spawn_app().await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let customer = token_for(&app, "shopper@example.com", Role::Customer).await;
    let (id, body) = product(&app, &staff, "Mug", &[("MUG-1", "9.00", 4)]).await;
    let variant = variant_id(&body, "MUG-1");
    let path = format!("/api/v1/products/{id}/variants/{variant}/stock-adjustments");

    let received = send(
        &app,
        Method::POST,
        &path,
        &staff,
        Some(json!({"delta": 10, "reason": "received", "note": "Delivery 42"})),
    )
    .await;
    assert_eq!(received.status().as_u16(), 201);
    let received: Value = received.json().await.unwrap();
    assert_eq!(received["data"]["stock_after"], 14);
    assert_eq!(received["data"]["actor_email"], "clerk@example.com");
    assert_eq!(stock_of(&staff_product(&app, &staff, &id).await, "MUG-1"), 14);

    // Below zero, zero, an unknown reason: refused, nothing recorded.
    let too_many = json!({"delta": -15, "reason": "damaged"});
    let body = assert_envelope(
        send(&app, Method::POST, &path, &staff, Some(too_many)).await,
        422,
        "VALIDATION_ERROR",
    )
    .await;
    assert!(
        body["error"]["details"]["delta"][0]
            .as_str()
            .unwrap()
            .contains("below zero"),
        "{body}"
    );
    let huge = json!({"delta": 1_000_000_000, "reason": "received"});
    let body = assert_envelope(
        send(&app, Method::POST, &path, &staff, Some(huge)).await,
        422,
        "VALIDATION_ERROR",
    )
    .await;
    assert!(
        body["error"]["details"]["delta"][0].as_str().unwrap().contains("above"),
        "{body}"
    );
    let zero = json!({"delta": 0, "reason": "stolen"});
    let body = assert_envelope(
        send(&app, Method::POST, &path, &staff, Some(zero)).await,
        422,
        "VALIDATION_ERROR",
    )
    .await;
    assert!(body["error"]["details"]["delta"].is_array() && body["error"]["details"]["reason"].is_array());
    let damaged = json!({"delta": -2, "reason": "damaged"});
    assert_envelope(
        send(&app, Method::POST, &path, &customer, Some(damaged.clone())).await,
        403,
        "FORBIDDEN",
    )
    .await;
    let elsewhere = format!(
        "/api/v1/products/{id}/variants/{}/stock-adjustments",
        uuid::Uuid::now_v7()
    );
    assert_envelope(
        send(&app, Method::POST, &elsewhere, &staff, Some(damaged.clone())).await,
        404,
        "NOT_FOUND",
    )
    .await;
    assert_eq!(
        send(&app, Method::POST, &path, &staff, Some(damaged))
            .await
            .status()
            .as_u16(),
        201
    );

    // Setting the stock on the variant is recorded too, as a count correction.
    let patch = json!({"stock": 20});
    let variant_path = format!("/api/v1/products/{id}/variants/{variant}");
    assert_eq!(
        send(&app, Method::PATCH, &variant_path, &staff, Some(patch))
            .await
            .status()
            .as_u16(),
        200
    );

    let history: Value = send(
        &app,
        Method::GET,
        &format!("/api/v1/products/{id}/stock-adjustments"),
        &staff,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let moves: Vec<(i64, &str, i64)> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["delta"].as_i64().unwrap(),
                a["reason"].as_str().unwrap(),
                a["stock_after"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        moves,
        vec![(8, "count_correction", 20), (-2, "damaged", 12), (10, "received", 14)]
    );
    assert_eq!(history["meta"]["total"], 3);
    let other = send(
        &app,
        Method::GET,
        &format!("/api/v1/products/{id}/stock-adjustments"),
        &customer,
        None,
    )
    .await;
    assert_envelope(other, 403, "FORBIDDEN").await;
}

#[tokio::test]
async fn bulk_status_changes_every_product_named_or_none() {
    let app = spawn_app().await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let (a, _) = product(&app, &staff, "Alpha", &[("A-1", "1.00", 1)]).await;
    let (b, _) = product(&app, &staff, "Beta", &[("B-1", "1.00", 1)]).await;
    let path = "/api/v1/products/bulk-status";

    let unknown = json!({"ids": [a, uuid::Uuid::now_v7()], "status": "archived"});
    assert_envelope(
        send(&app, Method::POST, path, &staff, Some(unknown)).await,
        404,
        "NOT_FOUND",
    )
    .await;
    assert_eq!(
        staff_product(&app, &staff, &a).await["status"],
        "active",
        "nothing changed"
    );

    let both = json!({"ids": [a, b, a], "status": "archived"});
    let done: Value = send(&app, Method::POST, path, &staff, Some(both))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done["data"]["changed"], 2);
    assert_eq!(staff_product(&app, &staff, &b).await["status"], "archived");
    assert_eq!(app.get("/api/v1/products/alpha").await.status().as_u16(), 404);

    let none = json!({"ids": [], "status": "active"});
    assert_envelope(
        send(&app, Method::POST, path, &staff, Some(none)).await,
        422,
        "VALIDATION_ERROR",
    )
    .await;
    let bad = json!({"ids": [a], "status": "gone"});
    assert_envelope(
        send(&app, Method::POST, path, &staff, Some(bad)).await,
        422,
        "VALIDATION_ERROR",
    )
    .await;
    let customer = token_for(&app, "shopper@example.com", Role::Customer).await;
    let theirs = json!({"ids": [a], "status": "active"});
    assert_envelope(
        send(&app, Method::POST, path, &customer, Some(theirs)).await,
        403,
        "FORBIDDEN",
    )
    .await;
}

/// Sends a CSV import; returns the import's id.
async fn import(app: &TestApp, token: &str, csv: &str) -> String {
    let response = app
        .client
        .post(app.url("/api/v1/imports?filename=catalogue.csv"))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    let id = body["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/imports/{id}"));
    id
}

/// Polls an import until it is finished; returns it, and every status seen on the way.
async fn finished(app: &TestApp, token: &str, id: &str) -> (Value, Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seen = Vec::new();
    loop {
        let body: Value = send(app, Method::GET, &format!("/api/v1/imports/{id}"), token, None)
            .await
            .json()
            .await
            .unwrap();
        let status = body["data"]["status"].as_str().unwrap().to_owned();
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        if status == "done" || status == "failed" {
            return (body["data"].clone(), seen);
        }
        assert!(Instant::now() < deadline, "the import did not finish: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A file of `products` products with `per` variants each.
fn big_file(products: usize, per: usize, broken_line: Option<usize>) -> String {
    let mut csv = String::from("product_slug,product_name,product_status,sku,options,price,stock\n");
    let mut line = 1;
    for p in 0..products {
        for v in 0..per {
            line += 1;
            let price = if Some(line) == broken_line { "abc" } else { "12.50" };
            csv.push_str(&format!("bulk-{p},Bulk {p},active,BULK-{p}-{v},size={v},{price},{v}\n"));
        }
    }
    csv
}

#[tokio::test]
async fn an_import_with_a_broken_line_applies_nothing_and_names_the_line_then_the_fixed_file_applies() {
    let app = spawn_app().await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;

    let broken = big_file(400, 5, Some(1001));
    let id = import(&app, &staff, &broken).await;
    let (report, _) = finished(&app, &staff, &id).await;
    assert_eq!(report["status"], "failed", "{report}");
    assert_eq!(report["total_lines"], 2000);
    assert_eq!(report["failed"], 1);
    let error = &report["errors"][0];
    assert_eq!(
        (error["line"].as_i64(), error["column"].as_str()),
        (Some(1001), Some("price")),
        "{report}"
    );
    assert!(error["message"].as_str().unwrap().contains("decimal"), "{error}");
    let listed: Value = app.get("/api/v1/products?q=bulk").await.json().await.unwrap();
    assert_eq!(listed["meta"]["total"], 0, "nothing was applied");

    let fixed = big_file(400, 5, None);
    let id = import(&app, &staff, &fixed).await;
    let (report, seen) = finished(&app, &staff, &id).await;
    assert_eq!(report["status"], "done", "{report}");
    assert_eq!(
        (report["created"].as_i64(), report["failed"].as_i64()),
        (Some(2000), Some(0))
    );
    assert_eq!(report["done_lines"], 2000);
    assert!(
        seen.iter()
            .all(|s| ["queued", "checking", "applying", "done"].contains(&s.as_str())),
        "{seen:?}"
    );
    let product: Value = app.get("/api/v1/products/bulk-7").await.json().await.unwrap();
    assert_eq!(product["data"]["variants"].as_array().unwrap().len(), 5);
    assert_eq!(product["data"]["name"], "Bulk 7");

    // The same file again changes nothing.
    let id = import(&app, &staff, &fixed).await;
    let (report, _) = finished(&app, &staff, &id).await;
    assert_eq!(
        (report["unchanged"].as_i64(), report["updated"].as_i64()),
        (Some(2000), Some(0))
    );
    let list: Value = send(&app, Method::GET, "/api/v1/imports?per_page=2", &staff, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 3);
    assert_eq!(list["data"][0]["id"], id.as_str(), "newest first");
}

#[tokio::test]
async fn an_exported_file_round_trips_and_changes_made_since_are_conflicts_not_overwritten() {
    let app = spawn_app().await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let (id, body) = product(
        &app,
        &staff,
        "Linen shirt",
        &[
            ("LIN-A", "30.00", 10),
            ("LIN-B", "30.00", 10),
            ("LIN-C", "30.00", 10),
            ("LIN-D", "30.00", 10),
        ],
    )
    .await;

    let export = send(&app, Method::GET, "/api/v1/catalog/export", &staff, None).await;
    assert_eq!(export.status().as_u16(), 200);
    assert!(
        export.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let exported = export.text().await.unwrap();
    // Compressed for a browser, read to its end (the body is polled past its last chunk).
    let compressed = app
        .client
        .get(app.url("/api/v1/catalog/export"))
        .bearer_auth(&staff)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.headers()["content-encoding"], "gzip");
    assert!(!compressed.bytes().await.unwrap().is_empty());
    let template = send(&app, Method::GET, "/api/v1/imports/template", &staff, None)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        exported.lines().next(),
        template.lines().next(),
        "the export has the columns the import reads"
    );
    assert_eq!(exported.lines().count(), 5);

    // Meanwhile: C is edited, and B and D sell a unit.
    let c = variant_id(&body, "LIN-C");
    let edit = json!({"price": "28.00"});
    send(
        &app,
        Method::PATCH,
        &format!("/api/v1/products/{id}/variants/{c}"),
        &staff,
        Some(edit),
    )
    .await;
    for sku in ["LIN-B", "LIN-D"] {
        let v = variant_id(&body, sku);
        let sale = json!({"delta": -1, "reason": "count_correction"});
        let path = format!("/api/v1/products/{id}/variants/{v}/stock-adjustments");
        assert_eq!(
            send(&app, Method::POST, &path, &staff, Some(sale))
                .await
                .status()
                .as_u16(),
            201
        );
    }

    // In the file: A's price, B's stock and C's price are changed; D is left as exported.
    let edited: String = exported
        .lines()
        .map(|line| {
            let mut cells: Vec<String> = line.split(',').map(str::to_owned).collect();
            match cells[9].as_str() {
                "LIN-A" | "LIN-C" => cells[12] = "35.00".into(),
                "LIN-B" => cells[14] = "50".into(),
                _ => {}
            }
            cells.join(",") + "\n"
        })
        .collect();
    let import_id = import(&app, &staff, &edited).await;
    let (report, _) = finished(&app, &staff, &import_id).await;
    assert_eq!(report["status"], "done", "{report}");
    assert_eq!(
        (report["updated"].as_i64(), report["unchanged"].as_i64()),
        (Some(1), Some(1)),
        "{report}"
    );
    let conflicts: Vec<(i64, &str, bool)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_i64().unwrap(),
                e["column"].as_str().unwrap(),
                e["conflict"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(conflicts, vec![(3, "stock", true), (4, "version", true)], "{report}");

    let now = staff_product(&app, &staff, &id).await;
    let price = |sku: &str| {
        now["variants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["sku"] == sku)
            .unwrap()["price"]["amount"]
            .clone()
    };
    assert_eq!(price("LIN-A"), "35.00");
    assert_eq!(price("LIN-C"), "28.00", "the edit made since was not written over");
    assert_eq!(stock_of(&now, "LIN-B"), 9, "the sale since was not written over");
    assert_eq!(stock_of(&now, "LIN-D"), 9, "an untouched stock cell keeps the sale");
}

#[tokio::test]
async fn a_file_that_is_not_a_catalogue_is_refused_at_once() {
    let app = spawn_app().await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let post = |content_type: &'static str, body: &'static str, token: String| {
        let request = app
            .client
            .post(app.url("/api/v1/imports"))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body);
        async move { request.send().await.unwrap() }
    };
    assert_envelope(
        post("application/json", "{}", staff.clone()).await,
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    )
    .await;
    for (body, says) in [
        ("", "empty"),
        ("name,price\nx,1\n", "sku"),
        ("sku,colour\nA-1,red\n", "unknown column"),
        ("sku,price\n", "no lines"),
    ] {
        let response = post("text/csv", body, staff.clone()).await;
        let error = assert_envelope(response, 422, "VALIDATION_ERROR").await;
        let message = error["error"]["details"]["file"][0].as_str().unwrap().to_owned();
        assert!(message.contains(says), "{body:?}: {message}");
    }
    let customer = token_for(&app, "shopper@example.com", Role::Customer).await;
    assert_envelope(post("text/csv", "sku\nA\n", customer.clone()).await, 403, "FORBIDDEN").await;
    assert_envelope(
        send(&app, Method::GET, "/api/v1/catalog/export", &customer, None).await,
        403,
        "FORBIDDEN",
    )
    .await;
    let missing = format!("/api/v1/imports/{}", uuid::Uuid::now_v7());
    assert_envelope(send(&app, Method::GET, &missing, &staff, None).await, 404, "NOT_FOUND").await;
    assert_envelope(app.get("/api/v1/catalog/export").await, 401, "UNAUTHORIZED").await;
}

#[tokio::test]
async fn the_back_office_upload_routes_need_a_session_and_the_same_site() {
    let app = spawn_app().await;
    let id = uuid::Uuid::now_v7();
    let upload = format!("/admin/products/{id}/images/upload");
    // A script (JSON) without a session is told to sign in.
    let response = app
        .client
        .post(app.url(&upload))
        .header("accept", "application/json")
        .header("origin", app.url(""))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    // Another site's form is refused before anything is read.
    let response = app
        .client
        .post(app.url("/admin/imports/upload"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(app.get("/admin/catalog.csv").await.status().as_u16(), 401);
}
