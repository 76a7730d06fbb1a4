//! Product images as clients see them: ordered, with alt text, and — once the background job has
//! made them — renditions at a few widths in WebP and JPEG/PNG, for `srcset`.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::editing::one_line;
use crate::domain::Fields;
use crate::error::AppError;

/// Longest alt text.
pub const MAX_ALT: usize = 300;
/// Highest position.
pub const MAX_POSITION: i32 = 1_000_000;

/// Where an image is in its processing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "image_status", rename_all = "lowercase"))]
#[serde(rename_all = "snake_case")]
pub enum ImageStatus {
    /// Uploaded; its renditions are being made (shown to staff only).
    #[default]
    Processing,
    /// Renditions made: shown on the shop.
    Ready,
    /// The renditions could not be made (shown to staff only).
    Failed,
}

/// One size of an image, in two formats: WebP and the original's JPEG or PNG.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Rendition {
    pub width: i32,
    pub height: i32,
    /// Path of the WebP file, under the shop's address (`/media/...`).
    pub webp: String,
    /// Path of the JPEG (photos) or PNG (with transparency) file.
    pub fallback: String,
}

/// A product image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImageView {
    pub id: Uuid,
    /// Text for people who can't see the picture.
    pub alt: String,
    /// Order in the product's gallery, ascending; the first is the product's picture in lists.
    pub position: i32,
    /// The original's size in pixels (EXIF orientation applied).
    pub width: i32,
    pub height: i32,
    pub status: ImageStatus,
    /// Narrowest first; empty until `status` is `ready`.
    pub renditions: Vec<Rendition>,
    /// For optimistic locking of a change (alt text, position).
    pub version: i32,
}

impl ImageView {
    /// Builds the view of a stored image: `hash` addresses its files, `format` is the
    /// fallback's (`jpeg` or `png`).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: Uuid,
        alt: String,
        position: i32,
        (width, height): (i32, i32),
        status: ImageStatus,
        hash: &str,
        format: &str,
        widths: &[i32],
        version: i32,
    ) -> Self {
        let extension = if format == "png" { "png" } else { "jpg" };
        let renditions = widths
            .iter()
            .map(|&w| Rendition {
                width: w,
                height: scaled_height(width, height, w),
                webp: format!("/media/{}", rendition_key(hash, w, "webp")),
                fallback: format!("/media/{}", rendition_key(hash, w, extension)),
            })
            .collect();
        Self {
            id,
            alt,
            position,
            width,
            height,
            status,
            renditions,
            version,
        }
    }

    /// `srcset` of one format (`webp` or the fallback).
    pub fn srcset(&self, webp: bool) -> String {
        self.renditions
            .iter()
            .map(|r| format!("{} {}w", if webp { &r.webp } else { &r.fallback }, r.width))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The rendition for browsers that read no `srcset`: the one nearest 480 px wide.
    pub fn default_rendition(&self) -> Option<&Rendition> {
        self.renditions
            .iter()
            .find(|r| r.width >= 480)
            .or(self.renditions.last())
    }
}

/// The height of a `width`-pixel rendition of a `w`×`h` image (at least 1).
pub fn scaled_height(w: i32, h: i32, width: i32) -> i32 {
    if w <= 0 {
        return 1;
    }
    ((i64::from(h) * i64::from(width) + i64::from(w) / 2) / i64::from(w)).max(1) as i32
}

/// Where a rendition is kept in the media store.
pub fn rendition_key(hash: &str, width: i32, extension: &str) -> String {
    format!("images/{hash}/{width}.{extension}")
}

/// `PATCH /products/{id}/images/{image_id}`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UpdateImage {
    #[cfg_attr(
        feature = "ssr",
        schema(max_length = 300, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub alt: Option<String>,
    #[cfg_attr(feature = "ssr", schema(minimum = 0, maximum = 1000000))]
    pub position: Option<i32>,
    /// The image's version last seen (or send `If-Match`); stale → 409, nothing changes.
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 2147483647))]
    pub version: Option<i32>,
}

/// An image's editable fields after validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageFields {
    pub alt: String,
    pub position: i32,
}

/// Alt text: one line, at most [`MAX_ALT`] characters.
pub fn parse_alt(raw: &str) -> Result<String, String> {
    one_line(raw, MAX_ALT)
}

fn parse_position(value: i32) -> Result<i32, String> {
    if (0..=MAX_POSITION).contains(&value) {
        Ok(value)
    } else {
        Err(format!("must be between 0 and {MAX_POSITION}"))
    }
}

impl UpdateImage {
    pub fn parse_onto(self, current: &ImageFields) -> Result<ImageFields, AppError> {
        let mut f = Fields::default();
        let alt = self
            .alt
            .as_deref()
            .map_or(Some(current.alt.clone()), |raw| f.check("alt", parse_alt(raw)));
        let position = f.check("position", parse_position(self.position.unwrap_or(current.position)));
        f.finish(|| ImageFields {
            alt: alt.unwrap_or_default(),
            position: position.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renditions_keep_the_aspect_ratio_and_point_at_the_store() {
        let image = ImageView::new(
            Uuid::nil(),
            "A mug".into(),
            0,
            (1600, 1200),
            ImageStatus::Ready,
            "ab",
            "jpeg",
            &[160, 480, 1200],
            1,
        );
        assert_eq!(image.renditions[0].height, 120);
        assert_eq!(image.renditions[2].height, 900);
        assert_eq!(image.renditions[1].webp, "/media/images/ab/480.webp");
        assert_eq!(image.renditions[1].fallback, "/media/images/ab/480.jpg");
        assert_eq!(
            image.srcset(true),
            "/media/images/ab/160.webp 160w, /media/images/ab/480.webp 480w, /media/images/ab/1200.webp 1200w"
        );
        assert_eq!(image.default_rendition().map(|r| r.width), Some(480));
    }

    #[test]
    fn updates_are_checked() {
        let current = ImageFields {
            alt: "Old".into(),
            position: 2,
        };
        let err = UpdateImage {
            alt: Some("x".repeat(301)),
            position: Some(-1),
            version: None,
        }
        .parse_onto(&current)
        .unwrap_err();
        let details = err.details.unwrap();
        assert!(details.contains_key("alt") && details.contains_key("position"));
        let kept = UpdateImage {
            alt: Some("  New  ".into()),
            ..Default::default()
        }
        .parse_onto(&current)
        .unwrap();
        assert_eq!(
            kept,
            ImageFields {
                alt: "New".into(),
                position: 2
            }
        );
    }
}
