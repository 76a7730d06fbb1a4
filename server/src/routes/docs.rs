//! `/api/docs`: Swagger UI over `/api/v1/openapi.json`. The UI's files come from npm's
//! `swagger-ui-dist` (installed by `scripts/setup.sh`) and are served from disk, so nothing is
//! downloaded at build or run time. The page has no inline script.

use std::path::Path;

use app::state::AppState;
use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use tower_http::services::ServeDir;

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Oxcart API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
<main id="swagger-ui"><noscript><p>The interactive documentation needs JavaScript. The raw document is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p></noscript></main>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
"#;

const INIT: &str = r##"window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
"##;

pub fn router(assets_dir: &Path) -> Router<AppState> {
    Router::new()
        .route("/api/docs", get(|| async { Html(PAGE) }))
        .route(
            "/api/docs/init.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], INIT).into_response() }),
        )
        .nest_service("/api/docs/assets", ServeDir::new(assets_dir))
}
