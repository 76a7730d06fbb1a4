//! Pricing rules over the API: tax rates by country and shipping methods. Anyone reads them
//! (inactive methods only staff); `pricing:write` changes them; amounts are decimal strings in
//! the store currency; optimistic locking, ETags and every refusal.

use app::domain::identity::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{assert_envelope, send, spawn_app, token_for};

#[tokio::test]
async fn staff_set_tax_rates_that_anyone_reads() {
    let app = spawn_app().await;
    let staff = token_for(&app, "staff@example.com", Role::Staff).await;
    let customer = token_for(&app, "ada@example.com", Role::Customer).await;

    // Setting a rate creates it (201, Location), setting it again replaces it (200).
    let response = send(
        &app,
        Method::PUT,
        "/api/v1/tax-rates/de",
        &staff,
        Some(json!({"rate": "19"})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(response.headers()["location"], "/api/v1/tax-rates/DE");
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["country"], "DE");
    assert_eq!(body["data"]["rate"], "19");
    let response = send(
        &app,
        Method::PUT,
        "/api/v1/tax-rates/DE",
        &staff,
        Some(json!({"rate": "7.7"})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.json::<Value>().await.unwrap()["data"]["rate"], "7.7");

    // A stale If-Match is a 409 and changes nothing.
    let response = app
        .client
        .put(app.url("/api/v1/tax-rates/DE"))
        .bearer_auth(&staff)
        .header("if-match", &etag)
        .json(&json!({"rate": "20"}))
        .send()
        .await
        .unwrap();
    assert_envelope(response, 409, "CONFLICT").await;

    // Anyone reads them, with ETags.
    let response = app.get("/api/v1/tax-rates/de").await;
    assert_eq!(response.status().as_u16(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(response.json::<Value>().await.unwrap()["data"]["rate"], "7.7");
    let response = app
        .client
        .get(app.url("/api/v1/tax-rates/DE"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 304);
    send(
        &app,
        Method::PUT,
        "/api/v1/tax-rates/AT",
        &staff,
        Some(json!({"rate": "20"})),
    )
    .await;
    let list: Value = app.get("/api/v1/tax-rates?per_page=1").await.json().await.unwrap();
    assert_eq!(list["data"][0]["country"], "AT", "by country code");
    assert_eq!(list["meta"]["total"], 2);

    // Refusals: strangers, customers, bad rates and codes; unknown countries are 404s.
    let response = app
        .client
        .put(app.url("/api/v1/tax-rates/FR"))
        .json(&json!({"rate": "20"}))
        .send()
        .await
        .unwrap();
    assert_envelope(response, 401, "UNAUTHORIZED").await;
    let response = send(
        &app,
        Method::PUT,
        "/api/v1/tax-rates/FR",
        &customer,
        Some(json!({"rate": "20"})),
    )
    .await;
    assert_envelope(response, 403, "FORBIDDEN").await;
    for bad in ["-1", "100.5", "abc", "19.1234"] {
        let response = send(
            &app,
            Method::PUT,
            "/api/v1/tax-rates/FR",
            &staff,
            Some(json!({"rate": bad})),
        )
        .await;
        let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
        assert!(body["error"]["details"]["rate"].is_array(), "{bad}: {body}");
    }
    let response = send(
        &app,
        Method::PUT,
        "/api/v1/tax-rates/FRA",
        &staff,
        Some(json!({"rate": "20"})),
    )
    .await;
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert!(body["error"]["details"]["country"].is_array(), "{body}");
    assert_envelope(app.get("/api/v1/tax-rates/FR").await, 404, "NOT_FOUND").await;
    assert_envelope(app.get("/api/v1/tax-rates/12").await, 404, "NOT_FOUND").await;

    // Deleting: 204, then gone.
    let response = send(&app, Method::DELETE, "/api/v1/tax-rates/AT", &customer, None).await;
    assert_envelope(response, 403, "FORBIDDEN").await;
    let response = send(&app, Method::DELETE, "/api/v1/tax-rates/AT", &staff, None).await;
    assert_eq!(response.status().as_u16(), 204);
    assert_envelope(app.get("/api/v1/tax-rates/AT").await, 404, "NOT_FOUND").await;
    let response = send(&app, Method::DELETE, "/api/v1/tax-rates/AT", &staff, None).await;
    assert_envelope(response, 404, "NOT_FOUND").await;
}

#[tokio::test]
async fn staff_manage_shipping_methods_and_shoppers_see_the_active_ones() {
    let app = spawn_app().await;
    let staff = token_for(&app, "staff@example.com", Role::Staff).await;
    let customer = token_for(&app, "ada@example.com", Role::Customer).await;
    let create = |body: Value| send(&app, Method::POST, "/api/v1/shipping-methods", &staff, Some(body));

    let response = create(json!({
        "name": "Standard", "price": "4.95", "free_above": "50", "countries": ["de", "AT"]
    }))
    .await;
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let standard: Value = response.json().await.unwrap();
    let id = standard["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/shipping-methods/{id}"));
    assert_eq!(standard["data"]["price"], json!({"amount": "4.95", "currency": "USD"}));
    assert_eq!(standard["data"]["free_above"]["amount"], "50.00");
    assert_eq!(standard["data"]["countries"], json!(["DE", "AT"]));
    assert_eq!(standard["data"]["active"], true);
    let express: Value = create(json!({"name": "Express", "price": "12.00", "countries": ["US"], "active": false}))
        .await
        .json()
        .await
        .unwrap();
    let express_id = express["data"]["id"].as_str().unwrap().to_owned();

    // Shoppers see the active ones, optionally for one country; staff see every one.
    let list: Value = app.get("/api/v1/shipping-methods").await.json().await.unwrap();
    assert_eq!(list["meta"]["total"], 1);
    assert_eq!(list["data"][0]["name"], "Standard");
    let list: Value = app
        .get("/api/v1/shipping-methods?country=us")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 0);
    let list: Value = send(&app, Method::GET, "/api/v1/shipping-methods", &staff, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 2);
    assert_eq!(list["data"][0]["name"], "Express", "by name");
    assert_envelope(
        app.get(&format!("/api/v1/shipping-methods/{express_id}")).await,
        404,
        "NOT_FOUND",
    )
    .await;
    let response = send(
        &app,
        Method::GET,
        &format!("/api/v1/shipping-methods/{express_id}"),
        &staff,
        None,
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let response = app.get("/api/v1/shipping-methods?country=Germany").await;
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert!(body["error"]["details"]["country"].is_array(), "{body}");

    // PATCH changes what is sent; `free_above: null` removes the threshold; stale → 409.
    let path = format!("/api/v1/shipping-methods/{id}");
    let response = send(
        &app,
        Method::PATCH,
        &path,
        &staff,
        Some(json!({"free_above": null, "price": "5.50"})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let patched: Value = response.json().await.unwrap();
    assert_eq!(patched["data"]["free_above"], Value::Null);
    assert_eq!(patched["data"]["price"]["amount"], "5.50");
    assert_eq!(patched["data"]["countries"], json!(["DE", "AT"]));
    assert_eq!(patched["data"]["version"], 2);
    let response = send(
        &app,
        Method::PATCH,
        &path,
        &staff,
        Some(json!({"name": "Slow", "version": 1})),
    )
    .await;
    assert_envelope(response, 409, "CONFLICT").await;
    let now: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(now["data"]["name"], "Standard", "a stale write changes nothing");

    // Refusals: bad fields are named; strangers and customers can't write.
    let response = create(json!({"name": " ", "price": "-1", "free_above": "x", "countries": []})).await;
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    for field in ["name", "price", "free_above", "countries"] {
        assert!(body["error"]["details"][field].is_array(), "{field}: {body}");
    }
    let response = send(&app, Method::PATCH, &path, &staff, Some(json!({"countries": ["XYZ"]}))).await;
    assert_envelope(response, 422, "VALIDATION_ERROR").await;
    let response = send(
        &app,
        Method::POST,
        "/api/v1/shipping-methods",
        &customer,
        Some(json!({"name": "Mine", "price": "0", "countries": ["DE"]})),
    )
    .await;
    assert_envelope(response, 403, "FORBIDDEN").await;
    let response = app.client.delete(app.url(&path)).send().await.unwrap();
    assert_envelope(response, 401, "UNAUTHORIZED").await;

    // Deleting: 204, then 404.
    let response = send(&app, Method::DELETE, &path, &staff, None).await;
    assert_eq!(response.status().as_u16(), 204);
    assert_envelope(app.get(&path).await, 404, "NOT_FOUND").await;
    let response = send(&app, Method::PATCH, &path, &staff, Some(json!({"name": "Back"}))).await;
    assert_envelope(response, 404, "NOT_FOUND").await;
}

#[tokio::test]
async fn staff_manage_discount_codes_that_only_they_can_read() {
    let app = spawn_app().await;
    let staff = token_for(&app, "staff@example.com", Role::Staff).await;
    let customer = token_for(&app, "ada@example.com", Role::Customer).await;
    let create = |body: Value| send(&app, Method::POST, "/api/v1/discount-codes", &staff, Some(body));

    let response = create(json!({
        "code": " summer10 ", "kind": "percent", "value": "10", "min_subtotal": "20",
        "starts_at": "2026-06-01T00:00:00Z", "ends_at": "2026-09-01T00:00:00+02:00",
        "usage_limit": 100, "per_customer_limit": 1
    }))
    .await;
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let summer: Value = response.json().await.unwrap();
    let id = summer["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/discount-codes/{id}"));
    assert_eq!(summer["data"]["code"], "SUMMER10");
    assert_eq!(summer["data"]["value"], "10.00");
    assert_eq!(
        summer["data"]["min_subtotal"],
        json!({"amount": "20.00", "currency": "USD"})
    );
    assert_eq!(summer["data"]["ends_at"], "2026-08-31T22:00:00Z");
    assert_eq!(summer["data"]["times_used"], 0);
    create(json!({"code": "FIVE-OFF", "kind": "fixed", "value": "5"})).await;

    // Codes are unique whatever their case.
    let response = create(json!({"code": "Summer10", "kind": "fixed", "value": "5"})).await;
    let body = assert_envelope(response, 409, "CONFLICT").await;
    assert!(body["error"]["details"]["code"].is_array(), "{body}");

    // Staff list (newest first, `q` narrows) and read them with an ETag; shoppers can't.
    let list: Value = send(&app, Method::GET, "/api/v1/discount-codes", &staff, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 2);
    assert_eq!(list["data"][0]["code"], "FIVE-OFF");
    let list: Value = send(&app, Method::GET, "/api/v1/discount-codes?q=summ", &staff, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 1);
    let response = send(&app, Method::GET, "/api/v1/discount-codes?q=%C2%84", &staff, None).await;
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert!(body["error"]["details"]["q"].is_array(), "a control character: {body}");
    let path = format!("/api/v1/discount-codes/{id}");
    let response = send(&app, Method::GET, &path, &staff, None).await;
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let response = app
        .client
        .get(app.url(&path))
        .bearer_auth(&staff)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 304);
    for (method, target) in [(Method::GET, "/api/v1/discount-codes"), (Method::GET, path.as_str())] {
        let response = send(&app, method, target, &customer, None).await;
        assert_envelope(response, 403, "FORBIDDEN").await;
    }
    assert_envelope(app.get("/api/v1/discount-codes").await, 401, "UNAUTHORIZED").await;

    // PATCH: the fields sent; `null` clears; the ETag read above works as If-Match.
    let response = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&staff)
        .header("if-match", &etag)
        .json(&json!({"usage_limit": null, "active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let patched: Value = response.json().await.unwrap();
    assert_eq!(patched["data"]["usage_limit"], Value::Null);
    assert_eq!(patched["data"]["per_customer_limit"], 1);
    assert_eq!(patched["data"]["active"], false);
    let response = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&staff)
        .header("if-match", &etag)
        .json(&json!({"value": "15"}))
        .send()
        .await
        .unwrap();
    assert_envelope(response, 409, "CONFLICT").await;

    // Each rule names its field.
    for (body, field) in [
        (json!({"code": "X", "kind": "fixed", "value": "5"}), "code"),
        (json!({"code": "BIG", "kind": "percent", "value": "101"}), "value"),
        (json!({"code": "ZERO", "kind": "fixed", "value": "0"}), "value"),
        (
            json!({"code": "WHEN", "kind": "fixed", "value": "5", "starts_at": "yesterday"}),
            "starts_at",
        ),
        (
            json!({"code": "BACK", "kind": "fixed", "value": "5",
                   "starts_at": "2026-12-02T00:00:00Z", "ends_at": "2026-12-01T00:00:00Z"}),
            "ends_at",
        ),
        (
            json!({"code": "NONE", "kind": "fixed", "value": "5", "usage_limit": 0}),
            "usage_limit",
        ),
    ] {
        let body = assert_envelope(create(body.clone()).await, 422, "VALIDATION_ERROR").await;
        assert!(body["error"]["details"][field].is_array(), "{field}: {body}");
    }
    let response = send(
        &app,
        Method::PATCH,
        &path,
        &staff,
        Some(json!({"kind": "fixed", "value": "150"})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200, "a fixed amount may be over 100");
    let response = send(&app, Method::PATCH, &path, &staff, Some(json!({"kind": "percent"}))).await;
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert!(
        body["error"]["details"]["value"].is_array(),
        "150 is no percentage: {body}"
    );

    // Deleting: customers can't; staff get 204, then 404.
    let response = send(&app, Method::DELETE, &path, &customer, None).await;
    assert_envelope(response, 403, "FORBIDDEN").await;
    let response = send(&app, Method::DELETE, &path, &staff, None).await;
    assert_eq!(response.status().as_u16(), 204);
    let response = send(&app, Method::GET, &path, &staff, None).await;
    assert_envelope(response, 404, "NOT_FOUND").await;
}
