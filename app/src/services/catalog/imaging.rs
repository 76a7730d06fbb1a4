//! Image processing, CPU-bound and synchronous (callers run it on a blocking thread): checking
//! and cleaning an upload, and making its renditions.
//!
//! An upload's type is decided by its first bytes, never by its name or `Content-Type`; only
//! JPEG, PNG and WebP are taken. It is decoded with limits (no side over [`MAX_SIDE`], at most
//! [`MAX_PIXELS`], bounded allocation), so a decompression bomb — a small file claiming a huge
//! picture — is refused before its pixels are allocated. The original is then re-encoded from
//! its pixels with its EXIF orientation applied, which drops every piece of metadata (EXIF GPS
//! position, camera serials, comments): nothing of the uploaded file but its picture is kept.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

/// Widths of the renditions, in pixels (narrower originals get one at their own width instead
/// of the wider ones).
pub const RENDITION_WIDTHS: [u32; 3] = [160, 480, 1200];
/// The longest side accepted.
pub const MAX_SIDE: u32 = 12_000;
/// The most pixels accepted (40 megapixels: a large camera's photo).
pub const MAX_PIXELS: u64 = 40_000_000;
/// Quality of the JPEG and WebP renditions (of 100).
const QUALITY: u8 = 82;
/// Quality of the kept original.
const ORIGINAL_QUALITY: u8 = 92;

/// Why an upload was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("The file is not a JPEG, PNG or WebP image.")]
    NotAnImage,
    #[error("The image is {width}×{height} pixels; at most {MAX_SIDE} pixels a side and 40 megapixels are accepted.")]
    TooLarge { width: u32, height: u32 },
    #[error("The image could not be read: {0}")]
    Unreadable(String),
}

/// The kept original's format: JPEG for photos, PNG when the picture has transparency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
}

impl Format {
    /// As stored in `product_images.format`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jpeg => "jpeg",
            Self::Png => "png",
        }
    }

    pub fn parse(raw: &str) -> Self {
        if raw == "png" { Self::Png } else { Self::Jpeg }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }
}

/// An upload, checked and cleaned.
#[derive(Debug)]
pub struct Cleaned {
    /// The re-encoded original, without metadata.
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`, lower-case hex: the image's address in the media store.
    pub hash: String,
    pub format: Format,
    pub width: u32,
    pub height: u32,
}

/// Where a cleaned original is kept in the media store.
pub fn original_key(hash: &str, format: Format) -> String {
    format!("originals/{hash}.{}", format.extension())
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4 + (64 << 20));
    limits
}

fn unreadable(err: ImageError) -> Rejection {
    match err {
        ImageError::Limits(_) => Rejection::Unreadable("it needs more memory than an image of its size should".into()),
        other => Rejection::Unreadable(other.to_string()),
    }
}

/// Checks an upload and re-encodes it without metadata, upright.
pub fn clean(upload: &[u8]) -> Result<Cleaned, Rejection> {
    let format = match image::guess_format(upload) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => f,
        _ => return Err(Rejection::NotAnImage),
    };
    let mut reader = ImageReader::with_format(Cursor::new(upload), format);
    reader.limits(limits());
    let mut decoder = match reader.into_decoder() {
        Ok(decoder) => decoder,
        // The header already claims more than the limits allow.
        Err(ImageError::Limits(_)) => return Err(too_large_from_header(upload, format)),
        Err(err) => return Err(unreadable(err)),
    };
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS || width > MAX_SIDE || height > MAX_SIDE {
        return Err(Rejection::TooLarge { width, height });
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    picture.apply_orientation(orientation);
    let format = if picture.color().has_alpha() && !is_opaque(&picture) {
        Format::Png
    } else {
        Format::Jpeg
    };
    let bytes = encode(&picture, format, ORIGINAL_QUALITY).map_err(unreadable)?;
    Ok(Cleaned {
        hash: hex(&Sha256::digest(&bytes)),
        bytes,
        format,
        width: picture.width(),
        height: picture.height(),
    })
}

/// The size a header claims, read without limits on size (nothing is decoded).
fn too_large_from_header(upload: &[u8], format: ImageFormat) -> Rejection {
    let mut reader = ImageReader::with_format(Cursor::new(upload), format);
    reader.no_limits();
    match reader.into_dimensions() {
        Ok((width, height)) => Rejection::TooLarge { width, height },
        Err(err) => unreadable(err),
    }
}

fn is_opaque(picture: &DynamicImage) -> bool {
    picture.to_rgba8().pixels().all(|p| p.0[3] == 255)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn encode(picture: &DynamicImage, format: Format, quality: u8) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::new();
    match format {
        Format::Jpeg => JpegEncoder::new_with_quality(&mut out, quality).encode_image(&picture.to_rgb8())?,
        Format::Png => picture.to_rgba8().write_with_encoder(PngEncoder::new_with_quality(
            &mut out,
            CompressionType::Best,
            PngFilter::Adaptive,
        ))?,
    }
    Ok(out)
}

/// The widths of an image's renditions: the standard ones narrower than it, and its own width
/// in place of the wider ones.
pub fn rendition_widths(width: u32) -> Vec<u32> {
    let mut widths: Vec<u32> = RENDITION_WIDTHS.iter().map(|&w| w.min(width)).collect();
    widths.dedup();
    widths
}

/// One rendition's files.
pub struct RenditionFiles {
    pub width: u32,
    pub webp: Vec<u8>,
    pub fallback: Vec<u8>,
}

/// Makes the renditions of a cleaned original (as [`clean`] stored it).
pub fn renditions(original: &[u8], format: Format) -> Result<Vec<RenditionFiles>, ImageError> {
    let mut reader = ImageReader::new(Cursor::new(original)).with_guessed_format()?;
    reader.limits(limits());
    let picture = reader.decode()?;
    let (width, height) = (picture.width(), picture.height());
    rendition_widths(width)
        .into_iter()
        .map(|w| {
            let h = crate::domain::catalog::images::scaled_height(width as i32, height as i32, w as i32) as u32;
            let resized = if w == width {
                picture.clone()
            } else {
                picture.resize_exact(w, h, FilterType::CatmullRom)
            };
            let webp = match format {
                Format::Jpeg => {
                    let rgb = resized.to_rgb8();
                    webp::Encoder::from_rgb(&rgb, w, h)
                        .encode_simple(false, f32::from(QUALITY))
                        .map(|m| m.to_vec())
                }
                Format::Png => {
                    let rgba = resized.to_rgba8();
                    webp::Encoder::from_rgba(&rgba, w, h)
                        .encode_simple(false, f32::from(QUALITY))
                        .map(|m| m.to_vec())
                }
            }
            .map_err(|err| ImageError::IoError(std::io::Error::other(format!("WebP encoding failed: {err:?}"))))?;
            Ok(RenditionFiles {
                width: w,
                webp,
                fallback: encode(&resized, format, QUALITY)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let picture = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        }));
        encode(&picture, Format::Jpeg, 90).unwrap()
    }

    #[test]
    fn the_type_comes_from_the_content() {
        assert_eq!(clean(b"GIF89a not taken").unwrap_err(), Rejection::NotAnImage);
        assert_eq!(
            clean(b"<svg xmlns='http://www.w3.org/2000/svg'/>").unwrap_err(),
            Rejection::NotAnImage
        );
        let cleaned = clean(&jpeg(64, 48)).unwrap();
        assert_eq!((cleaned.width, cleaned.height, cleaned.format), (64, 48, Format::Jpeg));
        assert_eq!(cleaned.hash.len(), 64);
    }

    #[test]
    fn renditions_never_upscale() {
        assert_eq!(rendition_widths(4000), vec![160, 480, 1200]);
        assert_eq!(rendition_widths(600), vec![160, 480, 600]);
        assert_eq!(rendition_widths(100), vec![100]);
        let made = renditions(&clean(&jpeg(600, 300)).unwrap().bytes, Format::Jpeg).unwrap();
        assert_eq!(made.iter().map(|r| r.width).collect::<Vec<_>>(), vec![160, 480, 600]);
        assert!(
            made.iter()
                .all(|r| r.webp.starts_with(b"RIFF") && r.fallback.starts_with(&[0xFF, 0xD8]))
        );
    }
}
