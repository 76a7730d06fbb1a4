//! The built site's files (wasm, JS, CSS, favicon, robots.txt) held in memory, with their
//! precompressed siblings, content types and ETags worked out once at start-up.
//!
//! Why: serving them from disk cost a file-system call or three per request (looking for
//! `.br` and `.gz` siblings, opening, reading metadata), each a hop to the blocking pool, which
//! made a static file slower than a JSON route through the same middleware (BENCHMARKS.md).
//! Files that don't fit the budget, or appear after start-up, are still served from disk by
//! the service this one falls back to.

use std::collections::HashMap;
use std::convert::Infallible;
use std::path::Path;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header};
use tower::ServiceExt;

/// At most this much of the site is held in memory.
const MEMORY_BUDGET: u64 = 128 * 1024 * 1024;

struct Asset {
    identity: Bytes,
    gzip: Option<Bytes>,
    br: Option<Bytes>,
    content_type: HeaderValue,
    etag: HeaderValue,
}

/// The site's files by URL path (`/robots.txt`, `/pkg/oxcart.wasm`).
#[derive(Default)]
pub struct Assets(HashMap<String, Asset>);

impl Assets {
    /// Reads every file under `root` (up to the memory budget). A missing root is an empty set.
    pub fn load(root: &Path) -> Self {
        let mut files = Vec::new();
        collect(root, root, &mut files);
        files.sort_by_key(|(_, size)| *size);
        let mut assets = HashMap::new();
        let mut used = 0u64;
        for (path, size) in files {
            let name = path.to_string_lossy();
            if name.ends_with(".gz") || name.ends_with(".br") {
                continue;
            }
            if used + size > MEMORY_BUDGET {
                break;
            }
            let Ok(identity) = std::fs::read(root.join(&path)) else {
                continue;
            };
            let sibling = |ext: &str| std::fs::read(root.join(format!("{name}.{ext}"))).ok().map(Bytes::from);
            let (gzip, br) = (sibling("gz"), sibling("br"));
            used += size + gzip.as_ref().map_or(0, |b| b.len() as u64) + br.as_ref().map_or(0, |b| b.len() as u64);
            let content_type = mime_guess::from_path(&path).first_or_octet_stream();
            let asset = Asset {
                etag: crate::api::envelope::content_etag(&identity),
                content_type: HeaderValue::from_str(content_type.as_ref())
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
                identity: Bytes::from(identity),
                gzip,
                br,
            };
            assets.insert(format!("/{}", name.replace('\\', "/")), asset);
        }
        Self(assets)
    }

    /// The response for `key` if it is held here, honouring `If-None-Match`, `Accept-Encoding`
    /// and `HEAD`; `None` to let the fallback look.
    fn respond(&self, key: &str, method: &Method, headers: &HeaderMap) -> Option<Response<Body>> {
        let asset = self.0.get(key)?;
        let mut response = Response::builder()
            .header(header::ETAG, asset.etag.clone())
            .header(header::VARY, HeaderValue::from_static("accept-encoding"));
        if crate::api::envelope::if_none_match(headers, &asset.etag) {
            return response.status(StatusCode::NOT_MODIFIED).body(Body::empty()).ok();
        }
        let accepts = |coding: &str| {
            headers
                .get_all(header::ACCEPT_ENCODING)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .any(|part| {
                    let mut fields = part.split(';');
                    let name = fields.next().unwrap_or("").trim();
                    let refused = fields.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
                    name.eq_ignore_ascii_case(coding) && !refused
                })
        };
        let (body, coding) = match (&asset.br, &asset.gzip) {
            (Some(br), _) if accepts("br") => (br.clone(), Some("br")),
            (_, Some(gzip)) if accepts("gzip") => (gzip.clone(), Some("gzip")),
            _ => (asset.identity.clone(), None),
        };
        if let Some(coding) = coding {
            response = response.header(header::CONTENT_ENCODING, coding);
        }
        response = response
            .header(header::CONTENT_TYPE, asset.content_type.clone())
            .header(header::CONTENT_LENGTH, body.len());
        let body = if method == Method::HEAD {
            Body::empty()
        } else {
            Body::from(body)
        };
        response.status(StatusCode::OK).body(body).ok()
    }
}

/// Every regular file under `dir`, as a path relative to `root` with its size.
fn collect(root: &Path, dir: &Path, out: &mut Vec<(std::path::PathBuf, u64)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.metadata() {
            Ok(meta) if meta.is_dir() => collect(root, &path, out),
            Ok(meta) if meta.is_file() => {
                if let Ok(relative) = path.strip_prefix(root) {
                    out.push((relative.to_path_buf(), meta.len()));
                }
            }
            _ => {}
        }
    }
}

/// Serves files held in `assets` under `prefix` (the part of the path a `nest_service` strips),
/// and passes everything else to `fallback`.
pub fn serve<S, B>(
    assets: Arc<Assets>,
    prefix: String,
    fallback: S,
) -> impl tower::Service<Request<Body>, Response = Response<Body>, Error = Infallible, Future = impl Send> + Clone + Send
where
    S: tower::Service<Request<Body>, Response = Response<B>, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    let prefix: Arc<str> = Arc::from(prefix.as_str());
    tower::service_fn(move |request: Request<Body>| {
        let assets = assets.clone();
        let prefix = prefix.clone();
        let fallback = fallback.clone();
        async move {
            if matches!(*request.method(), Method::GET | Method::HEAD) {
                let key = format!("{prefix}{}", request.uri().path());
                if let Some(response) = assets.respond(&key, request.method(), request.headers()) {
                    return Ok(response);
                }
            }
            let response = fallback.oneshot(request).await?;
            Ok(response.map(Body::new))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_encodings_and_revalidates() {
        let dir = std::env::temp_dir().join(format!("oxcart-assets-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        std::fs::write(dir.join("pkg/app.js"), "let a = 1;").unwrap();
        std::fs::write(dir.join("pkg/app.js.gz"), "GZ").unwrap();
        std::fs::write(dir.join("robots.txt"), "User-agent: *").unwrap();
        let assets = Assets::load(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(assets.0.len(), 2, "siblings are variants, not files");

        let mut headers = HeaderMap::new();
        let plain = assets.respond("/robots.txt", &Method::GET, &headers).unwrap();
        assert_eq!(plain.headers()[header::CONTENT_TYPE], "text/plain");
        let tag = plain.headers()[header::ETAG].clone();

        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br;q=0, gzip"));
        let js = assets.respond("/pkg/app.js", &Method::GET, &headers).unwrap();
        assert_eq!(js.headers()[header::CONTENT_ENCODING], "gzip");
        assert_eq!(js.headers()[header::CONTENT_LENGTH], "2");
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip;q=0"));
        let js = assets.respond("/pkg/app.js", &Method::GET, &headers).unwrap();
        assert!(!js.headers().contains_key(header::CONTENT_ENCODING));

        headers.insert(header::IF_NONE_MATCH, tag);
        let cached = assets.respond("/robots.txt", &Method::GET, &headers).unwrap();
        assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
        assert!(assets.respond("/missing", &Method::GET, &headers).is_none());
    }
}
