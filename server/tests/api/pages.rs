//! Server-rendered pages over HTTP: the home page lists products, unknown pages are real 404s,
//! HTML and JSON are compressed when the client accepts it.

use app::services::catalog::seed_demo_catalog;

use crate::helpers::spawn_app;

#[tokio::test]
async fn home_page_renders_the_products_on_the_server() {
    let app = spawn_app().await;
    seed_demo_catalog(&app.state, 0).await.unwrap();
    let response = app.get("/").await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(response.headers().contains_key("x-request-id"));
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    // Featured products and the top categories.
    assert!(html.contains("Cast Iron Skillet") && html.contains("$45.00"), "{html}");
    assert!(html.contains("href=\"/categories/apparel\""), "{html}");
    assert!(html.contains("<nav id=\"site-nav\" aria-label=\"Main\""), "{html}");
    assert!(html.contains("<footer"), "{html}");
    // The hydration script is referenced.
    assert!(html.contains("/pkg/oxcart"), "{html}");
}

#[tokio::test]
async fn unknown_pages_render_a_404_page() {
    let app = spawn_app().await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status().as_u16(), 404);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("Page not found"), "{html}");
    assert!(html.contains("Back to the shop"), "{html}");
}

#[tokio::test]
async fn html_and_json_are_compressed_when_accepted() {
    let app = spawn_app().await;
    seed_demo_catalog(&app.state, 0).await.unwrap();
    for path in ["/", "/api/v1/products", "/api/v1/openapi.json"] {
        let response = app
            .client
            .get(app.url(path))
            .header("accept-encoding", "br, gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        assert_eq!(response.headers()["content-encoding"], "br", "{path}");
        let response = app
            .client
            .get(app.url(path))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["content-encoding"], "gzip", "{path}");
        let response = app.get(path).await;
        assert!(!response.headers().contains_key("content-encoding"), "{path}");
    }
}

#[tokio::test]
async fn server_function_errors_use_the_same_codes_and_status() {
    let app = spawn_app().await;
    seed_demo_catalog(&app.state, 0).await.unwrap();
    let response = app.get("/api/fn/category_page?slug=apparel&page=0").await;
    assert_eq!(response.status().as_u16(), 422);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "VALIDATION_ERROR", "{body}");
    assert_eq!(body["details"]["page"], serde_json::json!(["must be at least 1"]));

    let response = app.get("/api/fn/category_page?slug=apparel&page=1").await;
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["products"]["total"], 3);

    let response = app.get("/api/fn/category_page?slug=no-such-category").await;
    assert_eq!(response.status().as_u16(), 404);
}

#[tokio::test]
async fn openapi_documents_the_endpoints_and_docs_are_served_locally() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{doc}");
    let list = &doc["paths"]["/api/v1/products"]["get"];
    assert!(
        list["responses"]["200"].is_object() && list["responses"]["422"].is_object(),
        "{list}"
    );
    let params: Vec<&str> = list["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in [
        "category",
        "min_price",
        "max_price",
        "in_stock",
        "min_rating",
        "q",
        "status",
        "sort",
        "page",
        "per_page",
    ] {
        assert!(params.contains(&name), "{name} is documented: {params:?}");
    }
    assert!(doc["paths"]["/health"]["get"].is_object());
    assert!(doc["components"]["schemas"]["ErrorEnvelope"].is_object());
    // Every identity endpoint is documented with its error responses.
    for (path, method, errors) in [
        ("/api/v1/auth/register", "post", &["400", "409", "422", "429"][..]),
        ("/api/v1/auth/login", "post", &["401", "429"]),
        ("/api/v1/auth/refresh", "post", &["401"]),
        ("/api/v1/auth/logout", "post", &["401"]),
        ("/api/v1/auth/verify-email", "post", &["422"]),
        ("/api/v1/auth/verify-email/resend", "post", &["401", "422", "429"]),
        ("/api/v1/auth/password-reset", "post", &["422", "429"]),
        ("/api/v1/auth/password-reset/confirm", "post", &["422"]),
        ("/api/v1/me", "get", &["401"]),
        ("/api/v1/me", "patch", &["401", "409", "422"]),
        ("/api/v1/me/password", "post", &["401", "422"]),
        ("/api/v1/addresses", "get", &["401"]),
        ("/api/v1/addresses", "post", &["401", "422"]),
        ("/api/v1/addresses/{id}", "put", &["401", "404", "409", "422"]),
        ("/api/v1/addresses/{id}", "delete", &["401", "404"]),
        ("/api/v1/users", "get", &["401", "403"]),
        ("/api/v1/users/{id}", "patch", &["401", "403", "404"]),
    ] {
        let operation = &doc["paths"][path][method];
        for status in errors {
            assert!(
                operation["responses"][status].is_object(),
                "{method} {path} documents {status}: {operation}"
            );
        }
    }

    let page = app.get("/api/docs").await;
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("/api/docs/assets/swagger-ui-bundle.js"));
    for (path, kind) in [
        ("/api/docs/assets/swagger-ui-bundle.js", "javascript"),
        ("/api/docs/assets/swagger-ui.css", "text/css"),
        ("/api/docs/init.js", "javascript"),
    ] {
        let response = app.get(path).await;
        assert_eq!(
            response.status().as_u16(),
            200,
            "{path}: run scripts/setup.sh to install swagger-ui-dist"
        );
        assert!(
            response.headers()["content-type"].to_str().unwrap().contains(kind),
            "{path}"
        );
    }
}
