//! Accounts and API tokens: registration, login, refresh rotation and reuse detection, logout,
//! bad tokens, deactivation, 401/403/404, addresses, staff user management and rate limits.

use app::domain::identity::{RegisterInput, Role};
use app::services::identity::create_user_with_role;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_envelope, spawn_app, spawn_app_on, spawn_app_with};

const PASSWORD: &str = "correct horse battery";

async fn post(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> reqwest::Response {
    let mut request = app.client.post(app.url(path)).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

async fn get(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap()
}

/// Registers `email` and returns its token pair.
async fn register(app: &TestApp, email: &str) -> Value {
    let response = post(
        app,
        "/api/v1/auth/register",
        None,
        json!({"email": email, "display_name": "Ada", "password": PASSWORD}),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
    response.json::<Value>().await.unwrap()["data"].clone()
}

async fn login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    post(
        app,
        "/api/v1/auth/login",
        None,
        json!({"email": email, "password": password}),
    )
    .await
}

/// An admin's access token.
async fn admin_token(app: &TestApp) -> String {
    let input = RegisterInput {
        email: "boss@example.com".into(),
        display_name: "Boss".into(),
        password: PASSWORD.into(),
    };
    create_user_with_role(&app.state, input, Role::Admin).await.unwrap();
    let body: Value = login(app, "boss@example.com", PASSWORD).await.json().await.unwrap();
    body["data"]["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn register_then_use_the_access_token() {
    let app = spawn_app().await;
    let tokens = register(&app, "  Ada@Example.com ").await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    let access = tokens["access_token"].as_str().unwrap();
    let me: Value = get(&app, "/api/v1/me", access).await.json().await.unwrap();
    assert_eq!(me["data"]["email"], "ada@example.com");
    assert_eq!(me["data"]["role"], "customer");
    assert_eq!(me["data"]["email_verified"], false);
    assert!(me["data"].get("password_hash").is_none());

    // The JWT carries sub, role, jti, exp.
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(access.split('.').nth(1).unwrap()).unwrap()).unwrap();
    assert_eq!(claims["sub"], me["data"]["id"]);
    assert_eq!(claims["role"], "customer");
    assert!(claims["jti"].is_string() && claims["exp"].is_i64());
    // The refresh token is opaque and stored only hashed.
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM refresh_tokens WHERE token_hash = sha256($1::bytea)")
        .bind(refresh.as_bytes())
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, 1);
}

#[tokio::test]
async fn registration_errors() {
    let app = spawn_app().await;
    register(&app, "ada@example.com").await;
    let response = post(
        &app,
        "/api/v1/auth/register",
        None,
        json!({"email": "ADA@example.com", "display_name": "A", "password": PASSWORD}),
    )
    .await;
    let body = assert_envelope(response, 409, "CONFLICT").await;
    assert_eq!(body["error"]["details"]["email"], json!(["is already registered"]));

    let response = post(
        &app,
        "/api/v1/auth/register",
        None,
        json!({"email": "nope", "display_name": "", "password": "password123"}),
    )
    .await;
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    let details = &body["error"]["details"];
    assert_eq!(details["email"], json!(["is not a valid e-mail address"]));
    assert_eq!(details["display_name"], json!(["is required"]));
    assert_eq!(
        details["password"],
        json!(["is too common; choose something harder to guess"])
    );

    let response = post(&app, "/api/v1/auth/register", None, json!({"email": "x@example.com"})).await;
    assert_envelope(response, 422, "VALIDATION_ERROR").await;
}

#[tokio::test]
async fn failed_logins_look_the_same() {
    let app = spawn_app().await;
    register(&app, "ada@example.com").await;
    let wrong = assert_envelope(
        login(&app, "ada@example.com", "not the password").await,
        401,
        "UNAUTHORIZED",
    )
    .await;
    let unknown = assert_envelope(
        login(&app, "who@example.com", "not the password").await,
        401,
        "UNAUTHORIZED",
    )
    .await;
    assert_eq!(wrong["error"]["message"], unknown["error"]["message"]);
    assert_eq!(login(&app, "ADA@example.com", PASSWORD).await.status().as_u16(), 200);
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = spawn_app().await;
    let first = register(&app, "ada@example.com").await;
    let spent = first["refresh_token"].as_str().unwrap();

    let response = post(&app, "/api/v1/auth/refresh", None, json!({"refresh_token": spent})).await;
    assert_eq!(response.status().as_u16(), 200);
    let second: Value = response.json::<Value>().await.unwrap()["data"].clone();
    let current = second["refresh_token"].as_str().unwrap();
    assert_ne!(current, spent);
    assert_eq!(
        get(&app, "/api/v1/me", second["access_token"].as_str().unwrap())
            .await
            .status()
            .as_u16(),
        200
    );

    // The spent token comes back: someone replayed it. Both it and its successor die.
    let response = post(&app, "/api/v1/auth/refresh", None, json!({"refresh_token": spent})).await;
    assert_envelope(response, 401, "UNAUTHORIZED").await;
    let response = post(&app, "/api/v1/auth/refresh", None, json!({"refresh_token": current})).await;
    assert_envelope(response, 401, "UNAUTHORIZED").await;

    // Another login (another family) is unaffected.
    let other: Value = login(&app, "ada@example.com", PASSWORD).await.json().await.unwrap();
    let response = post(
        &app,
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": other["data"]["refresh_token"]}),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);

    let response = post(&app, "/api/v1/auth/refresh", None, json!({"refresh_token": "made-up"})).await;
    assert_envelope(response, 401, "UNAUTHORIZED").await;
}

#[tokio::test]
async fn logout_kills_both_tokens() {
    let app = spawn_app().await;
    let tokens = register(&app, "ada@example.com").await;
    let access = tokens["access_token"].as_str().unwrap();
    let response = post(&app, "/api/v1/auth/logout", Some(access), json!({})).await;
    assert_eq!(response.status().as_u16(), 204);
    assert_envelope(get(&app, "/api/v1/me", access).await, 401, "UNAUTHORIZED").await;
    let response = post(
        &app,
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": tokens["refresh_token"]}),
    )
    .await;
    assert_envelope(response, 401, "UNAUTHORIZED").await;
}

#[tokio::test]
async fn logout_is_honoured_by_every_instance_sharing_redis() {
    let redis = crate::helpers::redis_url();
    let namespace = format!("oxcart-test:{}:", uuid::Uuid::new_v4().simple());
    let secret = "shared-secret-shared-secret-shared-secret";
    let configure = |redis: String, namespace: String| {
        move |s: &mut server::Settings| {
            s.cache.redis_url = Some(server::config::Secret::new(redis));
            s.cache.namespace = namespace;
            s.auth.jwt_secret = Some(server::config::Secret::new(secret.to_owned()));
        }
    };
    let a = spawn_app_with(configure(redis.clone(), namespace.clone()), axum::Router::new()).await;
    // A second instance on the same database and Redis, as behind a load balancer.
    let b = spawn_app_on(
        &a.database_url,
        &a.db_name,
        configure(redis, namespace),
        axum::Router::new(),
    )
    .await;

    let tokens = register(&a, "ada@example.com").await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(get(&b, "/api/v1/me", access).await.status().as_u16(), 200);
    assert_eq!(
        post(&a, "/api/v1/auth/logout", Some(access), json!({}))
            .await
            .status()
            .as_u16(),
        204
    );
    assert_envelope(get(&b, "/api/v1/me", access).await, 401, "UNAUTHORIZED").await;
}

fn forge(header: &Value, claims: &Value, secret: &[u8]) -> String {
    use jsonwebtoken::{EncodingKey, Header};
    let alg = header["alg"].as_str().unwrap();
    let algorithm: jsonwebtoken::Algorithm = alg.parse().unwrap();
    jsonwebtoken::encode(&Header::new(algorithm), claims, &EncodingKey::from_secret(secret)).unwrap()
}

#[tokio::test]
async fn expired_tampered_and_unsigned_tokens_are_refused() {
    let secret = "test-secret-test-secret-test-secret-1234";
    let app = spawn_app_with(
        |s| s.auth.jwt_secret = Some(server::config::Secret::new(secret.to_owned())),
        axum::Router::new(),
    )
    .await;
    let tokens = register(&app, "ada@example.com").await;
    let access = tokens["access_token"].as_str().unwrap();
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(access.split('.').nth(1).unwrap()).unwrap()).unwrap();

    let now = chrono::Utc::now().timestamp();
    let mut expired = claims.clone();
    expired["exp"] = json!(now - 5);
    let expired = forge(&json!({"alg": "HS256"}), &expired, secret.as_bytes());

    let mut promoted = claims.clone();
    promoted["role"] = json!("admin");
    let parts: Vec<&str> = access.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(promoted.to_string()),
        parts[2]
    );

    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let unsigned = format!("{none_header}.{}.", parts[1]);
    let hs512 = forge(&json!({"alg": "HS512"}), &claims, secret.as_bytes());
    let wrong_key = forge(
        &json!({"alg": "HS256"}),
        &claims,
        b"another-key-another-key-another-key!!",
    );

    for (name, token) in [
        ("expired", expired.as_str()),
        ("tampered", &tampered),
        ("alg none", &unsigned),
        ("HS512", &hs512),
        ("wrong key", &wrong_key),
        ("garbage", "abc.def.ghi"),
    ] {
        let response = get(&app, "/api/v1/me", token).await;
        assert_eq!(response.status().as_u16(), 401, "{name}");
        assert_envelope(response, 401, "UNAUTHORIZED").await;
    }
    assert_envelope(app.get("/api/v1/me").await, 401, "UNAUTHORIZED").await;
    assert_eq!(
        get(&app, "/api/v1/me", access).await.status().as_u16(),
        200,
        "the real token still works"
    );
}

#[tokio::test]
async fn stranger_customer_admin_get_401_403_200() {
    let app = spawn_app().await;
    assert_envelope(app.get("/api/v1/users").await, 401, "UNAUTHORIZED").await;
    let customer = register(&app, "ada@example.com").await;
    let customer = customer["access_token"].as_str().unwrap();
    let body = assert_envelope(get(&app, "/api/v1/users", customer).await, 403, "FORBIDDEN").await;
    assert!(body["error"]["message"].as_str().unwrap().contains("users:manage"));
    let admin = admin_token(&app).await;
    let users: Value = get(&app, "/api/v1/users", &admin).await.json().await.unwrap();
    assert_eq!(users["meta"]["total"], 2);
}

#[tokio::test]
async fn staff_manage_users_and_deactivation_is_immediate() {
    let app = spawn_app().await;
    let admin = admin_token(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let ada_access = ada["access_token"].as_str().unwrap();
    register(&app, "grace@example.com").await;

    let found: Value = get(&app, "/api/v1/users?q=GRACE", &admin).await.json().await.unwrap();
    assert_eq!(found["meta"]["total"], 1);
    assert_eq!(found["data"][0]["email"], "grace@example.com");
    let paged: Value = get(&app, "/api/v1/users?per_page=2&page=2", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (paged["meta"]["total"].as_u64(), paged["data"].as_array().unwrap().len()),
        (Some(3), 1)
    );

    let me: Value = get(&app, "/api/v1/me", ada_access).await.json().await.unwrap();
    let ada_id = me["data"]["id"].as_str().unwrap();
    let patch = |token: String, id: String, body: Value| {
        let app = &app;
        async move {
            app.client
                .patch(app.url(&format!("/api/v1/users/{id}")))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    // A role change applies to the token already issued, both ways: as a customer Ada may not
    // manage users, as an admin she may, as a customer again she may not.
    assert_envelope(get(&app, "/api/v1/users", ada_access).await, 403, "FORBIDDEN").await;
    let response = patch(admin.clone(), ada_id.into(), json!({"role": "admin"})).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.json::<Value>().await.unwrap()["data"]["role"], "admin");
    assert_eq!(get(&app, "/api/v1/users", ada_access).await.status().as_u16(), 200);
    let response = patch(admin.clone(), ada_id.into(), json!({"role": "staff"})).await;
    assert_eq!(response.json::<Value>().await.unwrap()["data"]["role"], "staff");
    assert_envelope(get(&app, "/api/v1/users", ada_access).await, 403, "FORBIDDEN").await;

    let response = patch(admin.clone(), ada_id.into(), json!({"active": false})).await;
    assert_eq!(response.json::<Value>().await.unwrap()["data"]["active"], false);
    assert_envelope(get(&app, "/api/v1/me", ada_access).await, 401, "UNAUTHORIZED").await;
    let response = post(
        &app,
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": ada["refresh_token"]}),
    )
    .await;
    assert_envelope(response, 401, "UNAUTHORIZED").await;
    assert_envelope(login(&app, "ada@example.com", PASSWORD).await, 401, "UNAUTHORIZED").await;

    let boss: Value = get(&app, "/api/v1/me", &admin).await.json().await.unwrap();
    let response = patch(
        admin.clone(),
        boss["data"]["id"].as_str().unwrap().into(),
        json!({"role": "customer"}),
    )
    .await;
    assert_envelope(response, 422, "BUSINESS_RULE_VIOLATION").await;
    let response = patch(admin.clone(), uuid::Uuid::now_v7().to_string(), json!({"active": true})).await;
    assert_envelope(response, 404, "NOT_FOUND").await;
    let response = patch(admin, ada_id.into(), json!({"role": "emperor"})).await;
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert_eq!(body["error"]["details"]["role"][0], "must be customer, staff or admin");
}

fn address(name: &str) -> Value {
    json!({"full_name": name, "line1": "1 Main St", "city": "Berlin", "postal_code": "10115", "country": "de"})
}

#[tokio::test]
async fn addresses_belong_to_their_owner() {
    let app = spawn_app().await;
    let ada = register(&app, "ada@example.com").await;
    let ada = ada["access_token"].as_str().unwrap();
    let grace = register(&app, "grace@example.com").await;
    let grace = grace["access_token"].as_str().unwrap();

    let response = post(&app, "/api/v1/addresses", Some(ada), address("Ada Home")).await;
    assert_eq!(response.status().as_u16(), 201);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let home: Value = response.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(home["country"], "DE");
    assert_eq!(home["is_default"], true, "the first address is the default");
    let id = home["id"].as_str().unwrap();

    let mut work = address("Ada Work");
    work["is_default"] = json!(true);
    let work: Value = post(&app, "/api/v1/addresses", Some(ada), work)
        .await
        .json::<Value>()
        .await
        .unwrap()["data"]
        .clone();
    let list: Value = get(&app, "/api/v1/addresses", ada).await.json().await.unwrap();
    assert_eq!(list["meta"]["total"], 2);
    assert_eq!(list["data"][0]["id"], work["id"], "the default comes first");
    assert_eq!(list["data"][1]["is_default"], false, "only one default");

    // Grace sees none of it: another's address is a 404, for every verb.
    let path = format!("/api/v1/addresses/{id}");
    assert_envelope(get(&app, &path, grace).await, 404, "NOT_FOUND").await;
    let response = app
        .client
        .put(app.url(&path))
        .bearer_auth(grace)
        .json(&address("Mine now"))
        .send()
        .await
        .unwrap();
    assert_envelope(response, 404, "NOT_FOUND").await;
    let response = app
        .client
        .delete(app.url(&path))
        .bearer_auth(grace)
        .send()
        .await
        .unwrap();
    assert_envelope(response, 404, "NOT_FOUND").await;
    let theirs: Value = get(&app, "/api/v1/addresses", grace).await.json().await.unwrap();
    assert_eq!(theirs["meta"]["total"], 0);

    // ETag / If-None-Match / If-Match. Losing the default flag changed the address: new ETag.
    let response = get(&app, &path, ada).await;
    let current = response.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(current, etag);
    let etag = current;
    let response = app
        .client
        .get(app.url(&path))
        .bearer_auth(ada)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 304);
    let response = app
        .client
        .put(app.url(&path))
        .bearer_auth(ada)
        .header("if-match", &etag)
        .json(&address("Ada Flat"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_ne!(response.headers()["etag"].to_str().unwrap(), etag);
    let response = app
        .client
        .put(app.url(&path))
        .bearer_auth(ada)
        .header("if-match", &etag)
        .json(&address("Stale"))
        .send()
        .await
        .unwrap();
    assert_envelope(response, 409, "CONFLICT").await;
    let mut bad = address("");
    bad["country"] = json!("Germany");
    let response = app
        .client
        .put(app.url(&path))
        .bearer_auth(ada)
        .json(&bad)
        .send()
        .await
        .unwrap();
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert_eq!(body["error"]["details"]["full_name"], json!(["is required"]));

    let response = app.client.delete(app.url(&path)).bearer_auth(ada).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert_envelope(get(&app, &path, ada).await, 404, "NOT_FOUND").await;
}

#[tokio::test]
async fn profile_and_password_changes() {
    let app = spawn_app().await;
    let tokens = register(&app, "ada@example.com").await;
    let access = tokens["access_token"].as_str().unwrap();
    register(&app, "grace@example.com").await;
    let patch = |body: Value| {
        app.client
            .patch(app.url("/api/v1/me"))
            .bearer_auth(access)
            .json(&body)
            .send()
    };

    let me: Value = patch(json!({"display_name": "Ada L."}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["display_name"], "Ada L.");
    sqlx::query("UPDATE users SET email_verified = true")
        .execute(&app.db)
        .await
        .unwrap();
    let me: Value = patch(json!({"email": "Ada.L@Example.com"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["email"], "ada.l@example.com");
    assert_eq!(me["data"]["email_verified"], false, "a new address is verified again");
    assert_envelope(
        patch(json!({"email": "grace@example.com"})).await.unwrap(),
        409,
        "CONFLICT",
    )
    .await;

    let response = post(
        &app,
        "/api/v1/me/password",
        Some(access),
        json!({"current_password": "wrong one!", "new_password": "another fine passphrase"}),
    )
    .await;
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert_eq!(body["error"]["details"]["current_password"], json!(["is incorrect"]));
    let response = post(
        &app,
        "/api/v1/me/password",
        Some(access),
        json!({"current_password": PASSWORD, "new_password": "short"}),
    )
    .await;
    assert_envelope(response, 422, "VALIDATION_ERROR").await;
    let response = post(
        &app,
        "/api/v1/me/password",
        Some(access),
        json!({"current_password": PASSWORD, "new_password": "another fine passphrase"}),
    )
    .await;
    assert_eq!(response.status().as_u16(), 204);
    let response = post(
        &app,
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": tokens["refresh_token"]}),
    )
    .await;
    assert_envelope(response, 401, "UNAUTHORIZED").await;
    let me = |token: String| app.client.get(app.url("/api/v1/me")).bearer_auth(token).send();
    assert_envelope(me(access.to_owned()).await.unwrap(), 401, "UNAUTHORIZED").await;
    assert_envelope(login(&app, "ada.l@example.com", PASSWORD).await, 401, "UNAUTHORIZED").await;
    let again: Value = login(&app, "ada.l@example.com", "another fine passphrase")
        .await
        .json()
        .await
        .unwrap();
    let fresh = again["data"]["access_token"].as_str().unwrap().to_owned();
    assert_eq!(me(fresh).await.unwrap().status().as_u16(), 200);
}

#[tokio::test]
async fn login_limit_is_shared_by_two_instances_on_one_redis() {
    let redis = crate::helpers::redis_url();
    let namespace = format!("oxcart-test:{}:", uuid::Uuid::new_v4().simple());
    let configure = |redis: String, namespace: String| {
        move |s: &mut server::Settings| {
            s.cache.redis_url = Some(server::config::Secret::new(redis));
            s.cache.namespace = namespace;
            s.auth.rate_limits.login = app::adapters::rate_limit::Limit {
                max: 3,
                window: std::time::Duration::from_secs(60),
            };
        }
    };
    let a = spawn_app_with(configure(redis.clone(), namespace.clone()), axum::Router::new()).await;
    let b = spawn_app_with(configure(redis, namespace), axum::Router::new()).await;
    for app in [&a, &b, &a] {
        assert_eq!(
            login(app, "ada@example.com", "whatever it is").await.status().as_u16(),
            401
        );
    }
    let response = login(&b, "ada@example.com", "whatever it is").await;
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_envelope(response, 429, "RATE_LIMITED").await;
}

#[tokio::test]
async fn registrations_and_writes_are_limited_in_process_too() {
    let app = spawn_app_with(
        |s| {
            s.auth.rate_limits.register = app::adapters::rate_limit::Limit {
                max: 1,
                window: std::time::Duration::from_secs(60),
            };
            s.auth.rate_limits.writes = app::adapters::rate_limit::Limit {
                max: 3,
                window: std::time::Duration::from_secs(60),
            };
        },
        axum::Router::new(),
    )
    .await;
    register(&app, "ada@example.com").await;
    let response = post(
        &app,
        "/api/v1/auth/register",
        None,
        json!({"email": "b@example.com", "display_name": "B", "password": PASSWORD}),
    )
    .await;
    assert_envelope(response, 429, "RATE_LIMITED").await;
    // Three writes used (two registrations and this one); the fourth is refused, reads are not.
    post(&app, "/api/v1/auth/refresh", None, json!({"refresh_token": "x"})).await;
    let response = post(&app, "/api/v1/auth/refresh", None, json!({"refresh_token": "x"})).await;
    assert_envelope(response, 429, "RATE_LIMITED").await;
    assert_eq!(app.get("/api/v1/products").await.status().as_u16(), 200);
}

#[tokio::test]
async fn security_headers_on_pages_and_api() {
    let app = spawn_app().await;
    for path in ["/", "/api/v1/products", "/api/v1/nope", "/health"] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "strict-origin-when-cross-origin", "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        assert!(
            !headers.contains_key("strict-transport-security"),
            "no HSTS without TLS"
        );
    }
    // The page's inline hydration script carries the nonce its CSP allows.
    let response = app.get("/").await;
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce");
    let html = response.text().await.unwrap();
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "{html}");

    let tls = spawn_app_with(|s| s.http.https = true, axum::Router::new()).await;
    assert!(
        tls.get("/").await.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
}

/// A `server serve` process of the real binary, on an OS-chosen port; killed when dropped.
struct ServerProcess {
    child: std::process::Child,
    address: String,
}

impl ServerProcess {
    async fn start(vars: &[(&str, &str)]) -> Self {
        use std::io::{BufRead, BufReader};
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .arg("serve")
            .env("OXCART_PORT", "0")
            .env("JOB_WORKERS", "0")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        for (name, value) in vars {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("the server binary starts");
        let stdout = child.stdout.take().unwrap();
        // The binary prints the bound address once it listens; read it off the blocking pool.
        let line = tokio::task::spawn_blocking(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .find(|line| line.starts_with("Oxcart listening on "))
        });
        let line = tokio::time::timeout(std::time::Duration::from_secs(60), line)
            .await
            .expect("the server says where it listens within a minute")
            .unwrap()
            .expect("a listening line");
        let address = line.trim_start_matches("Oxcart listening on ").to_owned();
        Self { child, address }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn two_server_processes_on_one_redis_share_the_login_limit() {
    let (url, _name) = crate::helpers::fresh_database().await;
    let _cleanup = crate::helpers::DropDatabase::new(&url);
    let redis = crate::helpers::redis_url();
    let namespace = format!("oxcart-test:{}:", uuid::Uuid::new_v4().simple());
    let outbox = crate::helpers::outbox_dir(&url);
    let outbox = outbox.to_string_lossy();
    let vars = [
        ("DATABASE_URL", url.as_str()),
        ("REDIS_URL", redis.as_str()),
        ("CACHE_NAMESPACE", namespace.as_str()),
        ("RATE_LIMIT_LOGIN", "3/60"),
        ("MAIL_OUTBOX_DIR", outbox.as_ref()),
    ];
    let a = ServerProcess::start(&vars).await;
    let b = ServerProcess::start(&vars).await;
    let client = reqwest::Client::new();
    let attempt = |address: String| {
        let client = client.clone();
        async move {
            client
                .post(format!("{address}/api/v1/auth/login"))
                .json(&json!({"email": "ada@example.com", "password": "whatever it is"}))
                .send()
                .await
                .unwrap()
        }
    };
    for server in [&a, &b, &a] {
        assert_eq!(attempt(server.address.clone()).await.status().as_u16(), 401);
    }
    let limited = attempt(b.address.clone()).await;
    assert!(limited.headers().contains_key("retry-after"));
    assert_envelope(limited, 429, "RATE_LIMITED").await;
}
