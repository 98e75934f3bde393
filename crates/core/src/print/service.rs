//! Printing a document through the configured [`Typesetter`](super::Typesetter).

use super::{Document, break_words};
use crate::error::{DomainError, DomainResult};
use crate::service::Khlang;

impl Khlang {
    /// The document as PDF bytes: Thai words get break opportunities from the site's
    /// segmenter (the search dictionary, with unit names and terms), then the typesetter runs
    /// on a blocking thread (it is CPU work). Without a typesetter (a deployment built
    /// without one) printing is refused with a Thai message.
    pub async fn print_pdf(&self, doc: Document) -> DomainResult<Vec<u8>> {
        let Some(typesetter) = self.typesetter.clone() else {
            return Err(DomainError::Conflict(
                "ระบบนี้ไม่ได้ติดตั้งส่วนสร้างไฟล์ PDF กรุณาติดต่อผู้ดูแลระบบ".into(),
            ));
        };
        let segmenter = self.segmenter().await?;
        tokio::task::spawn_blocking(move || {
            let doc = doc.map_text(&|s| break_words(&segmenter, s));
            typesetter.pdf(&doc)
        })
        .await
        .map_err(DomainError::internal)?
        .map_err(DomainError::internal)
    }
}
