//! Looking inside a JPEG for metadata, for tests and checks: the segments before the image data.

/// The APPn markers (0xE0–0xEF) of the segments before the first scan, in order.
pub fn app_markers(jpeg: &[u8]) -> Vec<u8> {
    segments(jpeg)
        .into_iter()
        .map(|(m, _)| m)
        .filter(|m| (0xe0..=0xef).contains(m))
        .collect()
}

/// Whether an APP1 segment carrying EXIF ("Exif\0\0") comes before the image data.
pub fn has_exif(jpeg: &[u8]) -> bool {
    segments(jpeg)
        .into_iter()
        .any(|(m, body)| m == 0xe1 && body.starts_with(b"Exif\0\0"))
}

/// Marker and body of each segment from the start of the file to the first scan (SOS).
pub fn segments(jpeg: &[u8]) -> Vec<(u8, &[u8])> {
    let mut out = Vec::new();
    if !jpeg.starts_with(&[0xff, 0xd8]) {
        return out;
    }
    let mut i = 2;
    while i + 4 <= jpeg.len() && jpeg[i] == 0xff {
        let marker = jpeg[i + 1];
        if marker == 0xda {
            break;
        }
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        let end = (i + 2 + len).min(jpeg.len());
        out.push((marker, &jpeg[(i + 4).min(end)..end]));
        i += 2 + len;
    }
    out
}

/// Width and height from the JPEG's frame header (SOF0–SOF15 but DHT, JPG and DAC).
pub fn dimensions(jpeg: &[u8]) -> Option<(u32, u32)> {
    segments(jpeg).into_iter().find_map(|(m, body)| {
        let frame = (0xc0..=0xcf).contains(&m) && !matches!(m, 0xc4 | 0xc8 | 0xcc);
        (frame && body.len() >= 5).then(|| {
            (
                u32::from(u16::from_be_bytes([body[3], body[4]])),
                u32::from(u16::from_be_bytes([body[1], body[2]])),
            )
        })
    })
}
