//! `/sitemap.xml`: the shop's public pages for search engines — the home page, every category
//! and every active product — with when each last changed.

use app::error::AppError;
use app::services::catalog;
use app::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

/// Escapes text for an XML element.
fn xml_text(raw: &str) -> String {
    raw.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

pub async fn sitemap(State(state): State<AppState>) -> Result<impl IntoResponse, AppError> {
    let rows = catalog::list_sitemap(&state).await?;
    let base = xml_text(&state.shop.public_url);
    let mut xml = String::with_capacity(128 + rows.len() * 120);
    xml.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    xml.push_str(r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">"#);
    xml.push_str(&format!("<url><loc>{base}/</loc></url>"));
    for row in rows {
        xml.push_str(&format!(
            "<url><loc>{base}{}</loc><lastmod>{}</lastmod></url>",
            xml_text(&row.path),
            row.updated_at.format("%Y-%m-%d")
        ));
    }
    xml.push_str("</urlset>");
    Ok((
        [
            (header::CONTENT_TYPE, "application/xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        xml,
    ))
}
