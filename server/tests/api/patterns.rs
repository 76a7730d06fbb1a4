//! The patterns every domain copies, checked from outside: client addresses behind trusted
//! proxies, the audit actor, constraint violations as clear errors, list links that keep their
//! filters, and the limits and parsing rules both interfaces share.

use app::domain::identity::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_envelope, spawn_app, spawn_app_with, token_for};

async fn login_from(app: &TestApp, forwarded_for: Option<&str>, email: &str) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": "wrong password"}));
    if let Some(hop) = forwarded_for {
        request = request.header("x-forwarded-for", hop);
    }
    request.send().await.unwrap()
}

async fn user_id(app: &TestApp, token: &str) -> uuid::Uuid {
    let me: Value = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    me["data"]["id"].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_rate_limit() {
    let app = spawn_app_with(
        |s| {
            s.http.trusted_proxies = server::client_addr::TrustedProxies::parse("127.0.0.1/32").unwrap();
            s.auth.rate_limits.login = app::adapters::rate_limit::Limit::parse("2/600").unwrap();
        },
        axum::Router::new(),
    )
    .await;
    // Every request arrives from the proxy (127.0.0.1); the forwarded address tells clients apart.
    // Different e-mails each time, so only the per-address limit is in play.
    for n in 0..2 {
        let response = login_from(&app, Some("198.51.100.1"), &format!("a{n}@example.com")).await;
        assert_eq!(response.status().as_u16(), 401);
    }
    assert_envelope(
        login_from(&app, Some("198.51.100.1"), "a9@example.com").await,
        429,
        "RATE_LIMITED",
    )
    .await;
    // Another shopper behind the same proxy is not locked out by the first one.
    let other = login_from(&app, Some("6.6.6.6, 198.51.100.2"), "b@example.com").await;
    assert_eq!(other.status().as_u16(), 401, "a bucket of its own");
    // The hop the proxy appended counts, not what the client claimed before it.
    let forged = login_from(&app, Some("198.51.100.2, 198.51.100.1"), "c@example.com").await;
    assert_eq!(
        forged.status().as_u16(),
        429,
        "the right-most untrusted hop is the client"
    );
}

#[tokio::test]
async fn a_forged_forwarded_for_from_an_untrusted_peer_is_ignored() {
    let app = spawn_app_with(
        |s| s.auth.rate_limits.login = app::adapters::rate_limit::Limit::parse("2/600").unwrap(),
        axum::Router::new(),
    )
    .await;
    // No trusted proxies: each request claims a new address, all count against the peer.
    for (n, claim) in ["203.0.113.1", "203.0.113.2"].iter().enumerate() {
        let response = login_from(&app, Some(claim), &format!("x{n}@example.com")).await;
        assert_eq!(response.status().as_u16(), 401);
    }
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("forwarded", "for=203.0.113.3")
        .json(&json!({"email": "y@example.com", "password": "wrong password"}))
        .send()
        .await
        .unwrap();
    assert_envelope(response, 429, "RATE_LIMITED").await;
}

#[tokio::test]
async fn the_login_limit_counts_an_address_however_it_is_spelt_and_refuses_garbage_first() {
    let app = spawn_app_with(
        |s| s.auth.rate_limits.login = app::adapters::rate_limit::Limit::parse("2/600").unwrap(),
        axum::Router::new(),
    )
    .await;
    // An "address" far longer than any e-mail is refused before it becomes a rate-limit key.
    let huge = format!("{}@example.com", "a".repeat(100_000));
    let body = assert_envelope(login_from(&app, None, &huge).await, 422, "VALIDATION_ERROR").await;
    assert!(body["error"]["details"]["email"].is_array(), "{body}");
    // Two spellings of one address share one bucket (the per-address limit is 2; the client's
    // own limit is 2 as well, so use a second app's view: the third try of one account is 429
    // however it is written).
    let app = spawn_app_with(
        |s| {
            s.auth.rate_limits.login = app::adapters::rate_limit::Limit::parse("2/600").unwrap();
            s.http.trusted_proxies = server::client_addr::TrustedProxies::parse("127.0.0.1/32").unwrap();
        },
        axum::Router::new(),
    )
    .await;
    assert_eq!(
        login_from(&app, Some("198.51.100.1"), "Ada@Example.com")
            .await
            .status()
            .as_u16(),
        401
    );
    assert_eq!(
        login_from(&app, Some("198.51.100.2"), " ada@example.COM ")
            .await
            .status()
            .as_u16(),
        401
    );
    assert_envelope(
        login_from(&app, Some("198.51.100.3"), "ADA@EXAMPLE.COM").await,
        429,
        "RATE_LIMITED",
    )
    .await;
}

#[tokio::test]
async fn writes_record_the_person_who_made_them() {
    let app = spawn_app().await;
    let admin = token_for(&app, "boss@example.com", Role::Admin).await;
    let customer = token_for(&app, "ada@example.com", Role::Customer).await;
    let (admin_id, customer_id) = (user_id(&app, &admin).await, user_id(&app, &customer).await);

    let response = app
        .client
        .patch(app.url(&format!("/api/v1/users/{customer_id}")))
        .bearer_auth(&admin)
        .json(&json!({"role": "staff"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let updated_by: Option<uuid::Uuid> = sqlx::query_scalar("SELECT updated_by FROM users WHERE id = $1")
        .bind(customer_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(updated_by, Some(admin_id), "the admin changed the role");

    let created: Value = app
        .client
        .post(app.url("/api/v1/addresses"))
        .bearer_auth(&customer)
        .json(&json!({"full_name": "Ada", "line1": "1 Main St", "city": "Berlin", "postal_code": "10115", "country": "DE"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let address = created["data"]["id"].as_str().unwrap().to_owned();
    let response = app
        .client
        .put(app.url(&format!("/api/v1/addresses/{address}")))
        .bearer_auth(&customer)
        .json(&json!({"full_name": "Ada L.", "line1": "2 Main St", "city": "Berlin", "postal_code": "10115", "country": "DE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let (created_by, updated_by): (Option<uuid::Uuid>, Option<uuid::Uuid>) =
        sqlx::query_as("SELECT created_by, updated_by FROM addresses WHERE id = $1::uuid")
            .bind(&address)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!((created_by, updated_by), (Some(customer_id), Some(customer_id)));

    // The setting ends with its transaction: a later write by the system records no one.
    sqlx::query("UPDATE users SET display_name = 'Renamed' WHERE id = $1")
        .bind(customer_id)
        .execute(&app.db)
        .await
        .unwrap();
    let updated_by: Option<uuid::Uuid> = sqlx::query_scalar("SELECT updated_by FROM users WHERE id = $1")
        .bind(customer_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(updated_by, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_default_addresses_never_fail_and_leave_one_default() {
    let app = spawn_app().await;
    let token = token_for(&app, "ada@example.com", Role::Customer).await;
    let requests = (0..8).map(|n| {
        let request = app.client.post(app.url("/api/v1/addresses")).bearer_auth(&token).json(
            &json!({"full_name": format!("Ada {n}"), "line1": "1 Main St", "city": "Berlin",
                          "postal_code": "10115", "country": "DE", "is_default": true}),
        );
        async move { request.send().await.unwrap().status().as_u16() }
    });
    let statuses = futures_join_all(requests).await;
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let defaults: i64 = sqlx::query_scalar("SELECT count(*) FROM addresses WHERE is_default")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(defaults, 1);
}

/// Runs the futures concurrently and collects their outputs in order.
async fn futures_join_all<F: std::future::Future<Output = u16> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<u16> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

#[tokio::test]
async fn list_links_keep_every_filter() {
    let app = spawn_app().await;
    let admin = token_for(&app, "boss@example.com", Role::Admin).await;
    for n in 0..3 {
        token_for(&app, &format!("grace{n}@example.com"), Role::Customer).await;
    }
    let body: Value = app
        .client
        .get(app.url("/api/v1/users?q=grace&per_page=2"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["meta"]["total"], 3);
    let next = body["links"]["next"].as_str().unwrap();
    assert_eq!(next, "/api/v1/users?q=grace&page=2&per_page=2");
    let second: Value = app
        .client
        .get(app.url(next))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second["meta"]["total"], 3, "the next page is of the same search");
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn oversized_bodies_are_413_on_both_interfaces() {
    let app = spawn_app().await;
    let big = "x".repeat(2 * 1024 * 1024);
    let response = app
        .client
        .post(app.url("/api/fn/login"))
        .header("origin", &app.address)
        .form(&[("email", big.as_str()), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "PAYLOAD_TOO_LARGE", "{body}");
    // A body sent in chunks, with no length announced, is measured as it arrives.
    assert_eq!(chunked_post(&app, "/api/fn/login", big.as_bytes()).await, 413);
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(format!("{{\"email\": \"{big}\", \"password\": \"x\"}}"))
        .send()
        .await
        .unwrap();
    assert_envelope(response, 413, "PAYLOAD_TOO_LARGE").await;
}

/// Posts `body` as a form in 64 KiB chunks (`Transfer-Encoding: chunked`, no `Content-Length`)
/// over a raw connection and returns the response's status.
async fn chunked_post(app: &TestApp, path: &str, body: &[u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.address
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for chunk in body.chunks(64 * 1024) {
        // The server may answer and close before the whole body is sent.
        if stream
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await
            .is_err()
            || stream.write_all(chunk).await.is_err()
            || stream.write_all(b"\r\n").await.is_err()
        {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let text = String::from_utf8_lossy(&response);
    text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

#[tokio::test]
async fn a_listing_price_and_its_currency_come_from_one_variant() {
    let app = spawn_app().await;
    // Rows written behind the service's back (the service refuses other currencies): the
    // cheapest variant is in EUR, another in USD. The listing must pair 5.00 with EUR.
    let product: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO products (name, slug, status) VALUES ('Mixed', 'mixed', 'active') RETURNING id",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO product_variants (product_id, sku, price, currency, stock)
         VALUES ($1, 'MIX-1', 5.00, 'EUR', 0), ($1, 'MIX-2', 9.00, 'AUD', 3)",
    )
    .bind(product)
    .execute(&app.db)
    .await
    .unwrap();
    let body: Value = app.get("/api/v1/products").await.json().await.unwrap();
    let listed = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["slug"] == "mixed")
        .expect("listed");
    assert_eq!(listed["price"], json!({"amount": "5.00", "currency": "EUR"}));
    assert_eq!(listed["in_stock"], true, "stock counts across variants");
}

#[tokio::test]
async fn health_live_answers_without_touching_anything() {
    let app = spawn_app().await;
    let response = app.get("/health/live").await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.text().await.unwrap(), "ok");
    assert!(
        app.get("/api/v1/openapi.json")
            .await
            .text()
            .await
            .unwrap()
            .contains("/health/live")
    );
}
