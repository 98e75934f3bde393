//! Pictures as phones make them, for tests here and in the HTTP tests: a JPEG with an APP1
//! EXIF segment carrying GPS coordinates (and an orientation), a PNG with transparency, and a
//! PNG whose header claims more pixels than anyone should decode.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

/// A photo-like picture (gradients and a little pattern), `seed` varies it.
pub fn photo(width: u32, height: u32, seed: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let n = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729) ^ seed.wrapping_mul(31)) % 23;
        Rgb([
            ((x * 255 / width.max(1)) as u8).wrapping_add(n as u8),
            ((y * 255 / height.max(1)) as u8).wrapping_add((seed * 40) as u8),
            (((x + y) * 128 / (width + height).max(1)) as u8).wrapping_add(n as u8 * 2),
        ])
    })
}

/// A plain JPEG of [`photo`] (quality 90), as a camera's pixels would be.
pub fn jpeg(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let img = photo(width, height, seed);
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .encode(img.as_raw(), width, height, ExtendedColorType::Rgb8)
        .expect("encode fixture");
    out
}

/// The GPS position the fixtures carry: ศาลากลางจังหวัดขอนแก่น, roughly.
pub const LATITUDE: f64 = 16.4419;
pub const LONGITUDE: f64 = 102.8360;

/// A JPEG with an APP1 EXIF segment holding GPS latitude/longitude (N/E) right after SOI.
pub fn photo_with_gps(width: u32, height: u32, seed: u32) -> Vec<u8> {
    splice_exif(&jpeg(width, height, seed), &exif(1, true))
}

/// A JPEG whose EXIF says how to turn it (`orientation` 1–8), with GPS as well.
pub fn photo_with_orientation(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    splice_exif(&jpeg(width, height, 3), &exif(orientation, true))
}

/// Puts `app1_body` (starting "Exif\0\0") as an APP1 segment right after the JPEG's SOI.
pub fn splice_exif(jpeg: &[u8], app1_body: &[u8]) -> Vec<u8> {
    assert!(jpeg.starts_with(&[0xff, 0xd8]), "not a JPEG");
    let len = u16::try_from(app1_body.len() + 2).expect("EXIF under 64 KB");
    let mut out = Vec::with_capacity(jpeg.len() + app1_body.len() + 4);
    out.extend_from_slice(&jpeg[..2]);
    out.extend_from_slice(&[0xff, 0xe1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(app1_body);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// "Exif\0\0" and a little-endian TIFF: IFD0 with Orientation and (if `gps`) a GPS IFD with
/// latitude and longitude as degrees/minutes/seconds rationals.
pub fn exif(orientation: u16, gps: bool) -> Vec<u8> {
    let mut t: Vec<u8> = Vec::new();
    t.extend_from_slice(b"II*\0");
    t.extend_from_slice(&8u32.to_le_bytes());
    let entries: u16 = if gps { 2 } else { 1 };
    t.extend_from_slice(&entries.to_le_bytes());
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&kind.to_le_bytes());
        t.extend_from_slice(&count.to_le_bytes());
        t.extend_from_slice(&value);
    };
    let o = orientation.to_le_bytes();
    entry(&mut t, 0x0112, 3, 1, [o[0], o[1], 0, 0]);
    // IFD0 is 8 + 2 + 12 * entries + 4 bytes long; the GPS IFD follows it.
    let gps_at = 8 + 2 + 12 * u32::from(entries) + 4;
    if gps {
        entry(&mut t, 0x8825, 4, 1, gps_at.to_le_bytes());
    }
    t.extend_from_slice(&0u32.to_le_bytes());
    if gps {
        // Four entries, then the two rationals' triples.
        let data_at = gps_at + 2 + 12 * 4 + 4;
        t.extend_from_slice(&4u16.to_le_bytes());
        entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0");
        entry(&mut t, 0x0002, 5, 3, data_at.to_le_bytes());
        entry(&mut t, 0x0003, 2, 2, *b"E\0\0\0");
        entry(&mut t, 0x0004, 5, 3, (data_at + 24).to_le_bytes());
        t.extend_from_slice(&0u32.to_le_bytes());
        for deg in [LATITUDE, LONGITUDE] {
            let d = deg.trunc();
            let m = ((deg - d) * 60.0).trunc();
            let s = (((deg - d) * 60.0 - m) * 60.0 * 100.0).round();
            for (n, den) in [(d as u32, 1u32), (m as u32, 1), (s as u32, 100)] {
                t.extend_from_slice(&n.to_le_bytes());
                t.extend_from_slice(&den.to_le_bytes());
            }
        }
    }
    let mut out = b"Exif\0\0".to_vec();
    out.extend_from_slice(&t);
    out
}

/// A PNG; with `transparent`, its left half fades from clear to opaque red.
pub fn png(width: u32, height: u32, transparent: bool) -> Vec<u8> {
    let img = RgbaImage::from_fn(width, height, |x, _| {
        let a = if transparent {
            (x * 255 / width.max(1)) as u8
        } else {
            255
        };
        Rgba([200, 30, 30, a])
    });
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(img.as_raw(), width, height, ExtendedColorType::Rgba8)
        .expect("encode fixture");
    out
}

/// A PNG header that claims `width` × `height` RGB pixels, followed by a tiny (and
/// incomplete) image stream: a few hundred bytes that would decode to gigabytes.
pub fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    // zlib: a stored-nothing stream start; decoders refuse before they get here.
    chunk(&mut out, b"IDAT", &[0x78, 0x9c, 0x63, 0x00, 0x00]);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32(kind, 0xffff_ffff);
    crc = crc32(data, crc);
    out.extend_from_slice(&(crc ^ 0xffff_ffff).to_be_bytes());
}

fn crc32(bytes: &[u8], mut crc: u32) -> u32 {
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    crc
}
