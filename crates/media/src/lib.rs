//! Picture copies (ภาพย่อและภาพสำหรับแสดง): a photo from a phone, scaled down and re-encoded
//! as a plain JPEG. Re-encoding keeps the pixels only, so the copy carries no EXIF (no GPS
//! position, no camera serial), no XMP, no IPTC and no ICC profile — these copies are what the
//! public sees.
//!
//! The EXIF orientation is applied first, so a portrait photo stays upright once its EXIF is
//! gone. Pictures over a pixel budget are refused from their header alone, before any pixel is
//! decoded (a "decompression bomb" of a few kilobytes can claim 100,000 × 100,000 pixels).
//!
//! Scaling down uses [`image::DynamicImage::thumbnail`], an area average in integers: every
//! source pixel counts once, no intermediate float buffer of the full picture is made, so
//! memory stays near one decoded copy of the photo.

pub mod fixtures;
pub mod inspect;

use image::codecs::jpeg::JpegEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ExtendedColorType, ImageDecoder, ImageError, ImageReader, RgbImage};
use std::io::Cursor;

/// How much a picture may ask for before it is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Width × height. 50 million pixels is 8,660 × 5,773: above any phone camera's usual
    /// output (12–48 MP); a decoded RGB copy of it takes 150 MB.
    pub max_pixels: u64,
    /// What a decoder may allocate at once (bytes).
    pub max_alloc: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_pixels: 50_000_000,
            max_alloc: 256 << 20,
        }
    }
}

/// One re-encoded copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    /// A baseline JPEG with a JFIF header and nothing else before the image data.
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Why no copy can be made. The same bytes always give the same answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("picture of {width}×{height} pixels is over the budget of {max} pixels")]
    TooManyPixels { width: u32, height: u32, max: u64 },
    #[error("decoding would need more than the memory budget: {0}")]
    TooMuchMemory(String),
    #[error("not a picture khlang can read")]
    NotAPicture,
    #[error("damaged picture: {0}")]
    Damaged(String),
}

impl Refused {
    /// What to tell the person who uploaded it.
    pub fn thai(&self) -> String {
        match self {
            Refused::TooManyPixels { width, height, max } => format!(
                "รูปภาพใหญ่เกินไป ({width} × {height} พิกเซล เกินกำหนด {} ล้านพิกเซล) ระบบจึงไม่ทำภาพย่อให้ — กรุณาย่อขนาดรูปแล้วอัปโหลดใหม่",
                max / 1_000_000
            ),
            Refused::TooMuchMemory(_) => {
                "รูปภาพนี้ใหญ่เกินไปสำหรับระบบ (ต้องใช้หน่วยความจำมากเกินกำหนด) ระบบจึงไม่ทำภาพย่อให้ — กรุณาย่อขนาดรูปแล้วอัปโหลดใหม่".to_string()
            }
            Refused::NotAPicture => {
                "ไฟล์นี้ไม่ใช่รูปภาพที่ระบบอ่านได้ (รองรับ JPEG, PNG, WebP และ GIF)".to_string()
            }
            Refused::Damaged(_) => {
                "รูปภาพนี้เสียหายหรืออ่านไม่ได้ — กรุณาบันทึกรูปใหม่แล้วอัปโหลดอีกครั้ง".to_string()
            }
        }
    }
}

/// JPEG quality of a copy whose long edge is `edge` pixels: small copies are looked at small.
fn quality(edge: u32) -> u8 {
    if edge >= 1000 { 82 } else { 78 }
}

/// Copies of `bytes` (JPEG, PNG, WebP or GIF — the first frame) whose long edge is at most each
/// of `long_edges` (never enlarged), in the order asked, upright, as metadata-free JPEGs.
pub fn copies(bytes: &[u8], long_edges: &[u32], limits: &Limits) -> Result<Vec<Copy>, Refused> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Refused::Damaged(e.to_string()))?;
    if reader.format().is_none() {
        return Err(Refused::NotAPicture);
    }
    let mut reader = reader;
    let mut l = image::Limits::default();
    l.max_alloc = Some(limits.max_alloc);
    reader.limits(l);
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(Refused::TooManyPixels {
            width,
            height,
            max: limits.max_pixels,
        });
    }
    // Not every decoder keeps to `max_alloc`; the decoded picture itself must fit.
    let decoded = decoder.total_bytes();
    if decoded > limits.max_alloc {
        return Err(Refused::TooMuchMemory(format!(
            "{decoded} bytes decoded over {}",
            limits.max_alloc
        )));
    }
    // A damaged EXIF block costs the orientation, not the picture.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut current = DynamicImage::from_decoder(decoder).map_err(refusal)?;

    // Largest first, each scaled from the one before: the full picture is let go after the
    // first step.
    let mut order: Vec<usize> = (0..long_edges.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(long_edges[i]));
    let mut out: Vec<Option<Copy>> = vec![None; long_edges.len()];
    for i in order {
        let edge = long_edges[i].max(1);
        if current.width().max(current.height()) > edge {
            current = current.thumbnail(edge, edge);
        }
        let mut upright = current.clone();
        upright.apply_orientation(orientation);
        out[i] = Some(encode(&flatten(upright), quality(edge))?);
    }
    Ok(out.into_iter().flatten().collect())
}

/// Why the decoder stopped, as a refusal.
fn refusal(e: ImageError) -> Refused {
    match e {
        ImageError::Limits(e) => Refused::TooMuchMemory(e.to_string()),
        ImageError::Unsupported(_) => Refused::NotAPicture,
        other => Refused::Damaged(other.to_string()),
    }
}

/// RGB on white: a transparent PNG shows as it would on a page.
fn flatten(img: DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.into_rgb8();
    }
    let rgba = img.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut rgb = RgbImage::new(w, h);
    for (to, from) in rgb.pixels_mut().zip(rgba.pixels()) {
        let a = u16::from(from.0[3]);
        for c in 0..3 {
            let v = u16::from(from.0[c]);
            to.0[c] = ((v * a + 255 * (255 - a) + 127) / 255) as u8;
        }
    }
    rgb
}

fn encode(rgb: &RgbImage, quality: u8) -> Result<Copy, Refused> {
    let mut jpeg = Vec::with_capacity((rgb.width() * rgb.height() / 4) as usize);
    JpegEncoder::new_with_quality(&mut jpeg, quality)
        .encode(
            rgb.as_raw(),
            rgb.width(),
            rgb.height(),
            ExtendedColorType::Rgb8,
        )
        .map_err(|e| Refused::Damaged(format!("encoding: {e}")))?;
    Ok(Copy {
        jpeg,
        width: rgb.width(),
        height: rgb.height(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gps_photo_loses_its_exif_and_keeps_its_pixels() {
        let photo = fixtures::photo_with_gps(640, 480, 1);
        assert!(inspect::has_exif(&photo));
        let out = copies(&photo, &[480, 1600], &Limits::default()).unwrap();
        assert_eq!((out[0].width, out[0].height), (480, 360));
        assert_eq!(inspect::dimensions(&out[0].jpeg), Some((480, 360)));
        // Never enlarged.
        assert_eq!((out[1].width, out[1].height), (640, 480));
        for c in &out {
            assert!(!inspect::has_exif(&c.jpeg));
            assert_eq!(inspect::app_markers(&c.jpeg), vec![0xe0], "JFIF only");
            assert!(!c.jpeg.windows(4).any(|w| w == b"Exif"));
        }
    }

    #[test]
    fn the_orientation_is_applied_before_the_exif_goes() {
        // Orientation 6: the camera was turned; the picture is shown rotated 90° clockwise.
        let photo = fixtures::photo_with_orientation(400, 200, 6);
        let out = copies(&photo, &[100], &Limits::default()).unwrap();
        assert_eq!((out[0].width, out[0].height), (50, 100));
        // 5–8 turn the picture a quarter; 1–4 keep its shape.
        for o in 1..=8 {
            let photo = fixtures::photo_with_orientation(40, 20, o);
            let out = copies(&photo, &[40], &Limits::default()).unwrap();
            let want = if o >= 5 { (20, 40) } else { (40, 20) };
            assert_eq!((out[0].width, out[0].height), want, "orientation {o}");
        }
    }

    #[test]
    fn transparent_png_goes_on_white() {
        let png = fixtures::png(64, 32, true);
        let out = copies(&png, &[32], &Limits::default()).unwrap();
        assert_eq!((out[0].width, out[0].height), (32, 16));
        let img = image::load_from_memory(&out[0].jpeg).unwrap().into_rgb8();
        // The fixture's left column is fully transparent.
        assert!(img.get_pixel(0, 8).0.iter().all(|&v| v > 240));
    }

    #[test]
    fn webp_and_gif_are_copied_too() {
        use image::ImageEncoder;
        let img = fixtures::photo(300, 200, 4);
        let mut webp = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
            .write_image(img.as_raw(), 300, 200, ExtendedColorType::Rgb8)
            .unwrap();
        let mut gif = Vec::new();
        image::codecs::gif::GifEncoder::new(&mut gif)
            .encode(
                &DynamicImage::ImageRgb8(img).into_rgba8(),
                300,
                200,
                ExtendedColorType::Rgba8,
            )
            .unwrap();
        for (kind, bytes) in [("webp", webp), ("gif", gif)] {
            let out = copies(&bytes, &[150], &Limits::default()).unwrap();
            assert_eq!((out[0].width, out[0].height), (150, 100), "{kind}");
            assert_eq!(inspect::app_markers(&out[0].jpeg), vec![0xe0], "{kind}");
        }
    }

    #[test]
    fn a_bomb_is_refused_from_its_header() {
        let bomb = fixtures::png_bomb(100_000, 100_000);
        assert!(bomb.len() < 1000);
        let e = copies(&bomb, &[480], &Limits::default()).unwrap_err();
        assert!(matches!(e, Refused::TooManyPixels { .. }), "{e:?}");
        assert!(e.thai().contains("ใหญ่เกินไป"));
    }

    #[test]
    fn a_picture_over_the_memory_budget_is_refused() {
        let tight = Limits {
            max_pixels: 1 << 40,
            max_alloc: 1000,
        };
        for bytes in [fixtures::png(100, 100, true), fixtures::jpeg(100, 100, 1)] {
            let e = copies(&bytes, &[50], &tight).unwrap_err();
            assert!(matches!(e, Refused::TooMuchMemory(_)), "{e:?}");
            assert!(e.thai().contains("ใหญ่เกินไป"));
        }
    }

    #[test]
    fn not_a_picture_and_damaged_pictures_are_refused() {
        assert_eq!(
            copies(b"%PDF-1.7 hello", &[480], &Limits::default()),
            Err(Refused::NotAPicture)
        );
        let photo = fixtures::photo_with_gps(64, 64, 2);
        // A photo cut off before its pixels is refused; one cut off in the middle of them
        // shows what arrived (decoders are lenient), and neither panics.
        let e = copies(&photo[..40], &[480], &Limits::default()).unwrap_err();
        assert!(matches!(e, Refused::Damaged(_)), "{e:?}");
        assert!(e.thai().contains("เสียหาย"));
        let _ = copies(&photo[..photo.len() / 3], &[480], &Limits::default());
        let mut png = fixtures::png(16, 16, false);
        png.truncate(png.len() - 20);
        assert!(copies(&png, &[8], &Limits::default()).is_err());
    }
}
