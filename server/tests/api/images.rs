//! Product images over the API: uploads checked by content, size and permission; a decompression
//! bomb refused; EXIF stripped and its orientation applied; renditions made by the background
//! job and served with year-long caching; alt text and order changed with optimistic locking;
//! deletion; and the same through S3-compatible storage (moto's server, from PyPI).

use std::time::{Duration, Instant};

use app::domain::identity::Role;
use image::{DynamicImage, RgbImage};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_envelope, send, spawn_app, spawn_app_with, token_for};

/// A secret a camera might write into a photo's metadata.
const SECRET: &[u8] = b"OXCART-SECRET-GPS-51.5007N";

/// A JPEG photo, `width`×`height`, of a gradient (so it compresses like a photo).
fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let picture = RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, 120])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&picture)
        .unwrap();
    out
}

/// A JPEG of noise: it compresses as badly as a photo can (for size limits).
fn noisy_jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut state = 0x2545_F491_u32;
    let picture = RgbImage::from_fn(width, height, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        image::Rgb([state as u8, (state >> 8) as u8, (state >> 16) as u8])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&picture)
        .unwrap();
    out
}

/// `jpeg` with an EXIF segment (orientation `orientation`, followed by [`SECRET`]) and a comment
/// segment holding the secret too.
fn jpeg_with_exif(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let plain = jpeg(width, height);
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&[0, 1]); // one IFD entry
    tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]); // Orientation, SHORT, count 1
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // padding, no next IFD
    tiff.extend_from_slice(SECRET);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&((SECRET.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(SECRET);
    out.extend_from_slice(&plain[2..]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG of a few hundred bytes whose header claims `width`×`height` pixels: a decompression
/// bomb's shape.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = Vec::new();
    DynamicImage::ImageRgb8(RgbImage::new(8, 8))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    // IHDR's data starts at byte 16: width, height, then 5 bytes; its CRC covers type + data.
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn create_product(app: &TestApp, staff: &str, name: &str) -> String {
    let response = app
        .client
        .post(app.url("/api/v1/products"))
        .bearer_auth(staff)
        .json(&json!({"name": name, "status": "active",
                      "variants": [{"sku": format!("SKU-{}", name.len()), "price": "10.00", "stock": 3}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let body: Value = response.json().await.unwrap();
    body["data"]["id"].as_str().unwrap().to_owned()
}

async fn upload(
    app: &TestApp,
    token: &str,
    product: &str,
    bytes: Vec<u8>,
    file_name: &str,
    alt: &str,
) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(file_name.to_owned())
        .mime_str("image/png")
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .part("file", part)
        .text("alt", alt.to_owned());
    app.client
        .post(app.url(&format!("/api/v1/products/{product}/images")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Polls the image (as staff) until the job has made its renditions.
async fn wait_until_ready(app: &TestApp, token: &str, product: &str, image: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let body: Value = send(
            app,
            reqwest::Method::GET,
            &format!("/api/v1/products/{product}/images/{image}"),
            token,
            None,
        )
        .await
        .json()
        .await
        .unwrap();
        match body["data"]["status"].as_str() {
            Some("ready") => return body["data"].clone(),
            Some("processing") if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
            _ => panic!("the image did not become ready: {body}"),
        }
    }
}

#[tokio::test]
async fn an_uploaded_photo_is_cleaned_rendered_by_the_job_and_shown_on_the_shop() {
    let app = spawn_app().await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let product = create_product(&app, &staff, "Linen Apron").await;

    let response = upload(
        &app,
        &staff,
        &product,
        jpeg_with_exif(900, 600, 1),
        "apron.png",
        "A linen apron",
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(response.headers().contains_key("etag"));
    let created: Value = response.json().await.unwrap();
    let image = created["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/products/{product}/images/{image}"));
    assert_eq!(created["data"]["alt"], "A linen apron");
    assert_eq!(
        (created["data"]["width"].clone(), created["data"]["height"].clone()),
        (json!(900), json!(600))
    );

    let ready = wait_until_ready(&app, &staff, &product, &image).await;
    let renditions = ready["renditions"].as_array().unwrap();
    let widths: Vec<i64> = renditions.iter().map(|r| r["width"].as_i64().unwrap()).collect();
    assert_eq!(widths, vec![160, 480, 900], "never wider than the original");
    for rendition in renditions {
        for (format, content_type) in [("webp", "image/webp"), ("fallback", "image/jpeg")] {
            let path = rendition[format].as_str().unwrap();
            let response = app.get(path).await;
            assert_eq!(response.status().as_u16(), 200, "{path}");
            assert_eq!(response.headers()["content-type"], content_type);
            assert_eq!(
                response.headers()["cache-control"],
                "public, max-age=31536000, immutable"
            );
            let etag = response.headers()["etag"].to_str().unwrap().to_owned();
            let bytes = response.bytes().await.unwrap();
            assert!(!contains(&bytes, SECRET), "metadata stripped from {path}");
            assert!(!contains(&bytes, b"Exif"), "no EXIF in {path}");
            let decoded = image::load_from_memory(&bytes).unwrap();
            assert_eq!(
                (i64::from(decoded.width()), i64::from(decoded.height())),
                (
                    rendition["width"].as_i64().unwrap(),
                    rendition["height"].as_i64().unwrap()
                )
            );
            let again = app
                .client
                .get(app.url(path))
                .header("if-none-match", &etag)
                .send()
                .await
                .unwrap();
            assert_eq!(again.status().as_u16(), 304);
        }
    }
    assert_eq!(renditions[0]["height"], 107);

    // Shoppers see it on the product, in the list, and on the page (srcset, size, lazy below).
    let public: Value = app
        .get(&format!("/api/v1/products/{product}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(public["data"]["images"][0]["id"], image.as_str());
    let list: Value = app.get("/api/v1/products").await.json().await.unwrap();
    assert_eq!(list["data"][0]["image"]["id"], image.as_str(), "{list}");
    let page = app.get("/products/linen-apron").await.text().await.unwrap();
    assert!(page.contains(r#"type="image/webp""#), "{page}");
    assert!(page.contains("/media/images/") && page.contains(" 480w"), "{page}");
    assert!(
        page.contains(r#"width="900""#) && page.contains(r#"height="600""#),
        "{page}"
    );
    assert!(page.contains(r#"alt="A linen apron""#), "{page}");
    assert!(page.contains(r#""image":["http"#), "JSON-LD names the picture: {page}");
    // Originals and other keys are not served.
    let hash = renditions[0]["webp"]
        .as_str()
        .unwrap()
        .split('/')
        .nth(3)
        .unwrap()
        .to_owned();
    assert_eq!(hash.len(), 64);
    assert_eq!(
        app.get(&format!("/media/originals/{hash}.jpg")).await.status().as_u16(),
        404
    );
    assert_eq!(
        app.get(&format!("/media/images/{hash}/160.txt"))
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(app.get("/media/images/nothing/160.webp").await.status().as_u16(), 404);
}

#[tokio::test]
async fn the_exif_orientation_is_applied() {
    let app = spawn_app().await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let product = create_product(&app, &staff, "Tall Vase").await;
    // Stored landscape, shot portrait: orientation 6 turns it a quarter clockwise.
    let response = upload(&app, &staff, &product, jpeg_with_exif(300, 200, 6), "vase.jpg", "").await;
    assert_eq!(response.status().as_u16(), 201);
    let created: Value = response.json().await.unwrap();
    assert_eq!(
        (created["data"]["width"].clone(), created["data"]["height"].clone()),
        (json!(200), json!(300))
    );
}

#[tokio::test]
async fn uploads_are_checked_by_content_and_permission() {
    let app = spawn_app().await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let customer = token_for(&app, "shopper@example.com", Role::Customer).await;
    let product = create_product(&app, &staff, "Stoneware Bowl").await;

    // The name and the declared type say PNG; the content is text.
    let body = assert_envelope(
        upload(&app, &staff, &product, b"<?php echo 'hi'; ?>".to_vec(), "bowl.png", "").await,
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    )
    .await;
    assert!(body["error"]["details"]["file"].is_array(), "{body}");
    // GIF and SVG are not taken either.
    assert_envelope(
        upload(&app, &staff, &product, b"GIF89a....".to_vec(), "x.gif", "").await,
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    )
    .await;
    // A bomb: a tiny file claiming 60 000 × 60 000 pixels, refused before it is decoded; and one
    // within the side limit but over 40 megapixels.
    for (w, h) in [(60_000, 60_000), (8_000, 8_000)] {
        let bomb = png_claiming(w, h);
        assert!(bomb.len() < 200);
        let body = assert_envelope(
            upload(&app, &staff, &product, bomb, "bomb.png", "").await,
            422,
            "VALIDATION_ERROR",
        )
        .await;
        let message = body["error"]["details"]["file"][0].as_str().unwrap();
        assert!(message.contains(&format!("{w}×{h}")), "{message}");
    }
    // A JPEG that ends after its header.
    let mut truncated = jpeg(200, 200);
    truncated.truncate(300);
    assert_envelope(
        upload(&app, &staff, &product, truncated, "cut.jpg", "").await,
        422,
        "VALIDATION_ERROR",
    )
    .await;
    // Not multipart at all; multipart without a file; alt text too long.
    let response = app
        .client
        .post(app.url(&format!("/api/v1/products/{product}/images")))
        .bearer_auth(&staff)
        .json(&json!({"file": "aGk="}))
        .send()
        .await
        .unwrap();
    assert_envelope(response, 415, "UNSUPPORTED_MEDIA_TYPE").await;
    let response = app
        .client
        .post(app.url(&format!("/api/v1/products/{product}/images")))
        .bearer_auth(&staff)
        .multipart(reqwest::multipart::Form::new().text("alt", "no file"))
        .send()
        .await
        .unwrap();
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert!(body["error"]["details"]["file"].is_array(), "{body}");
    let body = assert_envelope(
        upload(&app, &staff, &product, jpeg(50, 50), "a.jpg", &"x".repeat(301)).await,
        422,
        "VALIDATION_ERROR",
    )
    .await;
    assert!(body["error"]["details"]["alt"].is_array(), "{body}");

    // Who may upload, and where.
    assert_envelope(
        upload(&app, &customer, &product, jpeg(50, 50), "a.jpg", "").await,
        403,
        "FORBIDDEN",
    )
    .await;
    let anonymous = app
        .client
        .post(app.url(&format!("/api/v1/products/{product}/images")))
        .multipart(reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(jpeg(50, 50))))
        .send()
        .await
        .unwrap();
    assert_envelope(anonymous, 401, "UNAUTHORIZED").await;
    let missing = uuid::Uuid::now_v7();
    assert_envelope(
        upload(&app, &staff, &missing.to_string(), jpeg(50, 50), "a.jpg", "").await,
        404,
        "NOT_FOUND",
    )
    .await;

    // Nothing of the refused uploads was kept.
    let images: Value = send(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/products/{product}/images"),
        &staff,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(images["data"], json!([]));
}

#[tokio::test]
async fn uploads_have_their_own_size_limit() {
    let app = spawn_app_with(
        |settings| {
            settings.http.max_body_bytes = 20_000;
            settings.media.max_upload_bytes = 200_000;
        },
        axum::Router::new(),
    )
    .await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let product = create_product(&app, &staff, "Wool Throw").await;
    let photo = noisy_jpeg(200, 150);
    assert!((20_000..200_000).contains(&photo.len()), "{}", photo.len());
    // Over MAX_BODY_BYTES, under MAX_UPLOAD_BYTES: taken on the upload route...
    assert_eq!(
        upload(&app, &staff, &product, photo, "throw.jpg", "")
            .await
            .status()
            .as_u16(),
        201
    );
    // ...and nowhere else.
    let response = app
        .client
        .patch(app.url(&format!("/api/v1/products/{product}")))
        .bearer_auth(&staff)
        .json(&json!({"description": "x".repeat(30_000)}))
        .send()
        .await
        .unwrap();
    assert_envelope(response, 413, "PAYLOAD_TOO_LARGE").await;
    // Over MAX_UPLOAD_BYTES.
    let large = noisy_jpeg(600, 600);
    assert!(large.len() > 200_000, "{}", large.len());
    assert_envelope(
        upload(&app, &staff, &product, large, "big.jpg", "").await,
        413,
        "PAYLOAD_TOO_LARGE",
    )
    .await;
}

#[tokio::test]
async fn staff_relabel_reorder_and_delete_images() {
    let app = spawn_app().await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let product = create_product(&app, &staff, "Oak Board").await;
    let photo = jpeg(320, 240);
    let first: Value = upload(&app, &staff, &product, photo.clone(), "a.jpg", "Front")
        .await
        .json()
        .await
        .unwrap();
    let first_id = first["data"]["id"].as_str().unwrap().to_owned();
    let ready = wait_until_ready(&app, &staff, &product, &first_id).await;
    // The same picture again (to this product or another) reuses the renditions: ready at once.
    let second: Value = upload(&app, &staff, &product, photo, "b.jpg", "Back")
        .await
        .json()
        .await
        .unwrap();
    let second_id = second["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(second["data"]["status"], "ready");
    assert_eq!(second["data"]["renditions"], ready["renditions"]);
    assert_eq!(second["data"]["position"], 1);

    let path = format!("/api/v1/products/{product}/images/{second_id}");
    let patch = |body: Value, if_match: Option<&str>| {
        let mut request = app.client.patch(app.url(&path)).bearer_auth(&staff).json(&body);
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        request.send()
    };
    // Stale version: 409, nothing changes.
    assert_envelope(
        patch(json!({"alt": "Reverse", "version": 7}), None).await.unwrap(),
        409,
        "CONFLICT",
    )
    .await;
    assert_envelope(
        patch(json!({"position": -1}), None).await.unwrap(),
        422,
        "VALIDATION_ERROR",
    )
    .await;
    let etag = app.client.get(app.url(&path)).send().await.unwrap().headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let changed = patch(json!({"alt": "Reverse side", "position": 0}), Some(&etag))
        .await
        .unwrap();
    assert_eq!(changed.status().as_u16(), 200);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["data"]["alt"], "Reverse side");
    assert_eq!(changed["data"]["version"], 2);
    // Equal positions keep upload order; moving the first one behind puts the second in front.
    let first_path = format!("/api/v1/products/{product}/images/{first_id}");
    let moved = app
        .client
        .patch(app.url(&first_path))
        .bearer_auth(&staff)
        .json(&json!({"position": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status().as_u16(), 200);
    let gallery: Value = app
        .get(&format!("/api/v1/products/{product}"))
        .await
        .json()
        .await
        .unwrap();
    let order: Vec<&str> = gallery["data"]["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(order, vec![second_id.as_str(), first_id.as_str()]);

    // Customers can't change or delete images.
    let customer = token_for(&app, "shopper@example.com", Role::Customer).await;
    let refused = send(&app, reqwest::Method::DELETE, &path, &customer, None).await;
    assert_envelope(refused, 403, "FORBIDDEN").await;

    // Deleting one keeps the files the other still uses; deleting the last removes them.
    let file = ready["renditions"][0]["webp"].as_str().unwrap().to_owned();
    let deleted = send(&app, reqwest::Method::DELETE, &path, &staff, None).await;
    assert_eq!(deleted.status().as_u16(), 204);
    assert_eq!(app.get(&file).await.status().as_u16(), 200);
    assert_envelope(
        send(&app, reqwest::Method::DELETE, &path, &staff, None).await,
        404,
        "NOT_FOUND",
    )
    .await;
    let deleted = send(&app, reqwest::Method::DELETE, &first_path, &staff, None).await;
    assert_eq!(deleted.status().as_u16(), 204);
    assert_eq!(app.get(&file).await.status().as_u16(), 404);
}

#[tokio::test]
async fn a_draft_products_images_are_hidden_from_shoppers() {
    let app = spawn_app().await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let product = create_product(&app, &staff, "Secret Mug").await;
    let created: Value = upload(&app, &staff, &product, jpeg(100, 100), "m.jpg", "")
        .await
        .json()
        .await
        .unwrap();
    let image = created["data"]["id"].as_str().unwrap();
    // While processing, shoppers don't see it.
    let shopper: Value = app
        .get(&format!("/api/v1/products/{product}/images"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        shopper["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["status"] == "ready"),
        "{shopper}"
    );
    wait_until_ready(&app, &staff, &product, image).await;
    let response = app
        .client
        .patch(app.url(&format!("/api/v1/products/{product}")))
        .bearer_auth(&staff)
        .json(&json!({"status": "draft"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_envelope(
        app.get(&format!("/api/v1/products/{product}/images")).await,
        404,
        "NOT_FOUND",
    )
    .await;
    assert_envelope(
        app.get(&format!("/api/v1/products/{product}/images/{image}")).await,
        404,
        "NOT_FOUND",
    )
    .await;
}

/// moto's S3 server (installed by scripts/setup.sh), on a port the OS chose; killed on drop.
struct Moto {
    child: std::process::Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_moto() -> Moto {
    let binary = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/venv/bin/moto_server");
    assert!(binary.exists(), "moto_server is missing: run scripts/setup.sh");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(binary)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("moto_server starts");
    let moto = Moto {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get(&moto.url).send().await.is_err() {
        assert!(Instant::now() < deadline, "moto_server did not answer");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    moto
}

#[tokio::test]
async fn images_live_in_s3_compatible_storage_when_configured() {
    let moto = start_moto().await;
    let client = reqwest::Client::new();
    assert!(
        client
            .put(format!("{}/oxcart-media", moto.url))
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    let endpoint = moto.url.clone();
    let app = spawn_app_with(
        move |settings| {
            settings.media.s3 = Some(server::config::S3Settings {
                bucket: "oxcart-media".into(),
                region: "us-east-1".into(),
                endpoint: Some(endpoint),
                access_key_id: Some("testing".into()),
                secret_access_key: Some(server::config::Secret::new("testing".into())),
            });
        },
        axum::Router::new(),
    )
    .await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let product = create_product(&app, &staff, "Copper Kettle").await;
    let created: Value = upload(&app, &staff, &product, jpeg(640, 480), "k.jpg", "Kettle")
        .await
        .json()
        .await
        .unwrap();
    let image = created["data"]["id"].as_str().unwrap();
    let ready = wait_until_ready(&app, &staff, &product, image).await;
    let path = ready["renditions"][1]["webp"].as_str().unwrap();
    let served = app.get(path).await;
    assert_eq!(served.status().as_u16(), 200);
    assert!(served.bytes().await.unwrap().starts_with(b"RIFF"));
    // The objects are in the bucket, not on the local disk.
    let listing = client
        .get(format!("{}/oxcart-media?list-type=2", moto.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let key = path.trim_start_matches("/media/");
    assert!(listing.contains(key), "{listing}");
    assert!(listing.contains("originals/"), "{listing}");
    assert!(!crate::helpers::media_dir(&app.database_url).join(key).exists());
}

#[tokio::test]
async fn deleting_a_product_removes_the_files_only_it_used() {
    let app = spawn_app().await;
    let staff = token_for(&app, "staff@example.com", Role::Staff).await;
    let first = create_product(&app, &staff, "Kettle").await;
    let second = create_product(&app, &staff, "Big teapot").await;
    let mut files = Vec::new();
    for (product, bytes) in [
        (&first, jpeg(300, 200)),
        (&first, jpeg(200, 300)),
        (&second, jpeg(200, 300)),
    ] {
        let response = upload(&app, &staff, product, bytes, "p.jpg", "A picture").await;
        assert_eq!(response.status().as_u16(), 201);
        let body: Value = response.json().await.unwrap();
        let ready = wait_until_ready(&app, &staff, product, body["data"]["id"].as_str().unwrap()).await;
        files.push(ready["renditions"][0]["webp"].as_str().unwrap().to_owned());
    }
    let (only_first, shared) = (&files[0], &files[1]);
    assert_eq!(shared, &files[2], "the same picture is stored once");

    let deleted = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/products/{first}"),
        &staff,
        None,
    )
    .await;
    assert_eq!(deleted.status().as_u16(), 204);
    assert_eq!(
        app.get(only_first).await.status().as_u16(),
        404,
        "its own picture is gone"
    );
    assert_eq!(
        app.get(shared).await.status().as_u16(),
        200,
        "the other product still shows this one"
    );
    let deleted = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/products/{second}"),
        &staff,
        None,
    )
    .await;
    assert_eq!(deleted.status().as_u16(), 204);
    assert_eq!(app.get(shared).await.status().as_u16(), 404);
}
