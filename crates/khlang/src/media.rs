//! The picture copier core asks for: `khlang-media` behind core's [`ImageDeriver`] port.

use khlang_core::media::{ImageDeriver, PictureRefused};
use khlang_media::{Limits, copies};

/// Decodes JPEG, PNG, WebP and GIF within [`Limits`]; writes plain JPEGs.
#[derive(Default)]
pub struct PictureCopies {
    limits: Limits,
}

impl ImageDeriver for PictureCopies {
    fn handles(&self, mime: &str) -> bool {
        matches!(
            mime,
            "image/jpeg" | "image/png" | "image/webp" | "image/gif"
        )
    }

    fn derive(&self, bytes: &[u8], long_edges: &[u32]) -> Result<Vec<Vec<u8>>, PictureRefused> {
        copies(bytes, long_edges, &self.limits)
            .map(|cs| cs.into_iter().map(|c| c.jpeg).collect())
            .map_err(|e| {
                tracing::info!(error = %e, "picture refused");
                PictureRefused(e.thai())
            })
    }
}
