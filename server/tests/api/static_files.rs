//! Static files: served by a file service (not the page renderer) with content types, caching
//! headers and precompressed bodies.

use crate::helpers::spawn_app_with;

fn site_with_files() -> tempdir::Dir {
    let dir = tempdir::Dir::new();
    std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
    std::fs::write(
        dir.path().join("pkg/oxcart.js"),
        "export function hydrate() {}\n".repeat(50),
    )
    .unwrap();
    std::fs::write(dir.path().join("pkg/oxcart.js.gz"), b"\x1f\x8bnot-really-gzip").unwrap();
    std::fs::write(dir.path().join("pkg/oxcart.css"), "body{margin:0}").unwrap();
    std::fs::write(dir.path().join("pkg/oxcart.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.path().join("favicon.ico"), b"\0\0\x01\0").unwrap();
    dir
}

/// A temporary directory removed on drop.
mod tempdir {
    pub struct Dir(std::path::PathBuf);
    impl Dir {
        pub fn new() -> Self {
            let path = std::env::temp_dir().join(format!("oxcart-site-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&path).unwrap();
            Self(path)
        }
        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[tokio::test]
async fn build_outputs_have_types_caching_and_precompression() {
    let site = site_with_files();
    let root = site.path().to_path_buf();
    let app = spawn_app_with(move |s| s.http.site_root = root, axum::Router::new()).await;

    let js = app
        .client
        .get(app.url("/pkg/oxcart.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(js.status().as_u16(), 200);
    assert_eq!(js.headers()["content-type"], "text/javascript");
    assert_eq!(
        js.headers()["content-encoding"],
        "gzip",
        "the precompressed file is served"
    );
    // Without a hash file next to the binary the names are not hashed: revalidate.
    assert_eq!(js.headers()["cache-control"], "public, max-age=0, must-revalidate");

    let wasm = app.get("/pkg/oxcart.wasm").await;
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    let css = app.get("/pkg/oxcart.css").await;
    assert_eq!(css.headers()["content-type"], "text/css");
    let plain = app.get("/pkg/oxcart.js").await;
    assert!(!plain.headers().contains_key("content-encoding"));
    assert_eq!(plain.text().await.unwrap().lines().count(), 50);

    let icon = app.get("/favicon.ico").await;
    assert_eq!(icon.status().as_u16(), 200);
    assert_eq!(icon.headers()["cache-control"], "public, max-age=3600");

    // A missing asset is a 404 envelope that is never cached.
    let missing = app.get("/pkg/missing.js").await;
    assert_eq!(missing.headers()["cache-control"], "no-store");
    crate::helpers::assert_envelope(missing, 404, "NOT_FOUND").await;
}
