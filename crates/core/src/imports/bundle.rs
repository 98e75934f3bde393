//! The ZIP of files that comes with an export or a workbook: spooled to a temporary file
//! (an archive is read by seeking, and may be larger than memory should hold), listed, its
//! files checked as uploads are, and read one at a time.

use crate::error::{DomainError, DomainResult};
use crate::jobs::model::JobFailure;
use crate::ports::ByteStream;
use bytes::Bytes;
use futures::StreamExt;
use std::io::{Read, Write};
use std::path::PathBuf;

use super::Bundle;

pub(super) fn random_name() -> String {
    use rand::Rng;
    let n: u128 = rand::thread_rng().r#gen();
    format!("{n:032x}")
}

/// An uploaded ZIP held in a temporary file while it is read (the archive is read by
/// seeking, and may be larger than memory should hold); removed when dropped.
pub(super) struct TempZip {
    path: PathBuf,
    pub(super) paths: Vec<String>,
    /// Where each listed path is in the archive.
    index: std::collections::HashMap<String, usize>,
}

impl Drop for TempZip {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn bad_zip() -> DomainError {
    DomainError::invalid(
        "bundle",
        "ไฟล์ที่ส่งมาคู่กันไม่ใช่ไฟล์ ZIP หรือไฟล์เสียหาย — บีบอัดโฟลเดอร์เป็น .zip แล้วลองใหม่",
    )
}

impl TempZip {
    /// Writes `body` to a temporary file (refused past `limit` bytes) and lists the files
    /// in it, leaving out folders and the litter of Macs and Windows.
    pub(super) async fn receive(mut body: ByteStream, limit: u64) -> DomainResult<TempZip> {
        let path = std::env::temp_dir().join(format!("khlang-import-{}.zip", random_name()));
        let mut zip = TempZip {
            path,
            paths: Vec::new(),
            index: Default::default(),
        };
        let mut file = std::fs::File::create(&zip.path).map_err(DomainError::internal)?;
        let mut size = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(DomainError::internal)?;
            size += chunk.len() as u64;
            if size > limit {
                return Err(DomainError::TooLarge(format!(
                    "ไฟล์ ZIP ใหญ่เกิน {}",
                    crate::file::human_size(limit)
                )));
            }
            file.write_all(&chunk).map_err(DomainError::internal)?;
        }
        file.flush().map_err(DomainError::internal)?;
        drop(file);
        if size == 0 {
            return Err(bad_zip());
        }
        let f = std::fs::File::open(&zip.path).map_err(DomainError::internal)?;
        let mut archive = zip::ZipArchive::new(f).map_err(|_| bad_zip())?;
        for i in 0..archive.len() {
            let Ok(entry) = archive.by_index_raw(i) else {
                return Err(bad_zip());
            };
            // Windows and Info-ZIP write Thai names as UTF-8 without the format's UTF-8
            // flag, which a reader then takes for the old DOS code page: raw bytes that are
            // UTF-8 are read as UTF-8.
            let name = match std::str::from_utf8(entry.name_raw()) {
                Ok(s) => s.to_string(),
                Err(_) => match entry.name() {
                    Ok(n) => n.to_string(),
                    Err(_) => return Err(bad_zip()),
                },
            };
            let name = name.replace('\\', "/");
            if entry.is_dir()
                || name.ends_with('/')
                || name.starts_with("__MACOSX/")
                || name.ends_with(".DS_Store")
                || name.ends_with("Thumbs.db")
            {
                continue;
            }
            zip.index.insert(name.clone(), i);
            zip.paths.push(name);
        }
        zip.paths.sort();
        Ok(zip)
    }

    pub(super) async fn receive_bundle(
        bundle: Option<Bundle>,
        limit: u64,
    ) -> DomainResult<Option<TempZip>> {
        match bundle {
            Some(b) => Ok(Some(Self::receive(b.body, limit).await?)),
            None => Ok(None),
        }
    }

    fn open(&self) -> DomainResult<zip::ZipArchive<std::fs::File>> {
        let f = std::fs::File::open(&self.path).map_err(DomainError::internal)?;
        zip::ZipArchive::new(f).map_err(|_| bad_zip())
    }

    /// Whether the repository would keep the file at `path` (size and type, as an upload is
    /// checked); the Thai reason when not.
    pub(super) fn check(&self, path: &str, name: &str, limit: u64) -> Result<(), String> {
        let mut archive = self.open().map_err(|e| e.to_string())?;
        let mut f = self
            .index
            .get(path)
            .and_then(|i| archive.by_index(*i).ok())
            .ok_or_else(|| format!("อ่านไฟล์ \"{path}\" ใน ZIP ไม่ได้"))?;
        if f.size() > limit {
            return Err(format!(
                "ไฟล์ \"{path}\" ใหญ่เกิน {}",
                crate::file::human_size(limit)
            ));
        }
        let mut head = vec![0u8; crate::file::SNIFF_BYTES];
        let mut n = 0;
        while n < head.len() {
            match f.read(&mut head[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(_) => return Err(format!("ไฟล์ \"{path}\" ใน ZIP เสียหาย")),
            }
        }
        head.truncate(n);
        crate::file::sniff(&head, name)
            .map(|_| ())
            .map_err(|e| format!("ไฟล์ \"{path}\": {}", e.message))
    }

    /// The whole file at `path` (bounded by `limit`).
    pub(super) fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, JobFailure> {
        let mut archive = self.open()?;
        let f = self
            .index
            .get(path)
            .and_then(|i| archive.by_index(*i).ok())
            .ok_or_else(|| {
                JobFailure::Refused(format!("ไม่พบไฟล์ \"{path}\" ใน ZIP ที่เก็บไว้ — อัปโหลดใหม่อีกครั้ง"))
            })?;
        let mut bytes = Vec::new();
        f.take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|_| JobFailure::Refused(format!("ไฟล์ \"{path}\" ใน ZIP เสียหาย")))?;
        Ok(bytes)
    }

    /// The file as a stream, to keep it in the object store; the temporary file goes when
    /// the stream does, after its last part.
    pub(super) fn stream(self) -> DomainResult<ByteStream> {
        let file = std::fs::File::open(&self.path).map_err(DomainError::internal)?;
        let chunks = futures::stream::unfold(Some((self, file)), |state| async move {
            let (zip, mut file) = state?;
            let mut buf = vec![0u8; 1 << 20];
            match file.read(&mut buf) {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(Bytes::from(buf)), Some((zip, file))))
                }
                Err(e) => Some((Err(e), None)),
            }
        });
        Ok(Box::pin(chunks))
    }
}
