//! QR codes drawn as inline SVG (an entry link to send by LINE, a certificate's verification
//! page): no image files, readable with JavaScript off, sharp when printed.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An SVG QR code of `text` (a URL), `size` pixels square at least, with a quiet zone.
/// Medium error correction: a printed code survives a fold or a smudge.
pub fn svg(text: &str, size: u32) -> String {
    match QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M) {
        Ok(code) => code
            .render::<svg::Color>()
            .min_dimensions(size, size)
            .quiet_zone(true)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build(),
        // Only text far longer than any URL of khlang's fails.
        Err(e) => {
            tracing::warn!(error = %e, "QR code not drawn");
            String::new()
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn draws_an_svg_for_a_url() {
        let s = super::svg("https://khlang.example/e/abc123", 160);
        assert!(
            s.starts_with("<?xml") || s.starts_with("<svg"),
            "{}",
            &s[..40]
        );
        assert!(s.contains("<path") || s.contains("<rect"));
    }
}
