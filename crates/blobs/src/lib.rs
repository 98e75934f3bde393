//! Uploaded files behind [`Blobs`]: a local directory by default, any S3-compatible service
//! (MinIO, Ceph, AWS) when the storage URL says `s3://`. Writes stream in parts, so a 2 GiB
//! upload never sits in memory.

use async_trait::async_trait;
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use khlang_core::error::PortError;
use khlang_core::ports::{Blobs, ByteStream, PortResult};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
use object_store::{GetOptions, GetRange, ObjectStore, PutPayload, RetryConfig, WriteMultipart};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Parts of 5 MiB (S3's minimum), at most 2 in flight: about 10 MiB of buffers per upload,
/// so a server on a small machine stays well under 100 MB while a 2 GiB video streams in.
const PART_SIZE: usize = 5 * 1024 * 1024;
const PARTS_IN_FLIGHT: usize = 2;

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "storage URL must be a directory path, file:///dir or s3://bucket?endpoint=… (got {0})"
    )]
    Scheme(String),
    #[error("cannot create the storage directory {0}: {1}")]
    Directory(PathBuf, String),
    #[error("cannot configure S3 storage: {0}")]
    S3(String),
}

/// Where files go, parsed from the storage URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Local(PathBuf),
    S3 {
        bucket: String,
        endpoint: Option<String>,
        region: Option<String>,
        prefix: Option<String>,
    },
}

impl Location {
    pub fn parse(url: &str) -> Result<Self, OpenError> {
        if let Some(rest) = url.strip_prefix("s3://") {
            let parsed = url::Url::parse(url).map_err(|_| OpenError::Scheme(url.to_string()))?;
            let bucket = rest
                .split(['?', '/'])
                .next()
                .unwrap_or_default()
                .to_string();
            if bucket.is_empty() {
                return Err(OpenError::Scheme(url.to_string()));
            }
            let param = |k: &str| {
                parsed
                    .query_pairs()
                    .find(|(key, _)| key == k)
                    .map(|(_, v)| v.into_owned())
            };
            return Ok(Location::S3 {
                bucket,
                endpoint: param("endpoint"),
                region: param("region"),
                prefix: param("prefix"),
            });
        }
        let path = url.strip_prefix("file://").unwrap_or(url);
        if path.is_empty() || path.contains("://") {
            return Err(OpenError::Scheme(url.to_string()));
        }
        Ok(Location::Local(PathBuf::from(path)))
    }
}

pub struct ObjectBlobs {
    store: Arc<dyn ObjectStore>,
    description: String,
}

impl ObjectBlobs {
    /// Builds the store; it does not touch the network (call [`Blobs::check`] for that).
    pub fn open(location: &Location) -> Result<Self, OpenError> {
        match location {
            Location::Local(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| OpenError::Directory(dir.clone(), e.to_string()))?;
                let fs = LocalFileSystem::new_with_prefix(dir)
                    .map_err(|e| OpenError::Directory(dir.clone(), e.to_string()))?
                    .with_automatic_cleanup(true);
                Ok(Self {
                    store: Arc::new(fs),
                    description: format!("directory {}", dir.display()),
                })
            }
            Location::S3 {
                bucket,
                endpoint,
                region,
                prefix,
            } => {
                // Few, quick retries: a wrong endpoint is reported in seconds, not minutes.
                let retry = RetryConfig {
                    max_retries: 3,
                    retry_timeout: Duration::from_secs(20),
                    ..Default::default()
                };
                let mut b = AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .with_retry(retry);
                if let Some(ep) = endpoint {
                    b = b
                        .with_endpoint(ep)
                        .with_virtual_hosted_style_request(false)
                        .with_allow_http(ep.starts_with("http://"));
                }
                if let Some(r) = region {
                    b = b.with_region(r);
                } else if std::env::var_os("AWS_REGION").is_none()
                    && std::env::var_os("AWS_DEFAULT_REGION").is_none()
                {
                    b = b.with_region("us-east-1");
                }
                let s3 = b.build().map_err(|e| OpenError::S3(e.to_string()))?;
                let store: Arc<dyn ObjectStore> = match prefix {
                    Some(p) if !p.is_empty() => Arc::new(PrefixStore::new(s3, p.as_str())),
                    _ => Arc::new(s3),
                };
                Ok(Self {
                    store,
                    description: format!("s3://{bucket}"),
                })
            }
        }
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    /// Every key under `prefix` with its size (for backups).
    pub async fn list(&self, prefix: Option<&str>) -> PortResult<Vec<(String, u64)>> {
        let prefix = prefix.map(ObjectPath::from);
        self.store
            .list(prefix.as_ref())
            .map_ok(|m| (m.location.to_string(), m.size))
            .try_collect()
            .await
            .map_err(map_err)
    }
}

fn map_err(e: object_store::Error) -> PortError {
    match e {
        object_store::Error::NotFound { .. } => PortError::NotFound,
        object_store::Error::AlreadyExists { path, .. } => PortError::Conflict(path),
        other => PortError::Other(other.to_string()),
    }
}

fn key(k: &str) -> PortResult<ObjectPath> {
    ObjectPath::parse(k).map_err(|e| PortError::Other(format!("bad blob key {k}: {e}")))
}

#[async_trait]
impl Blobs for ObjectBlobs {
    async fn put(&self, k: &str, mut body: ByteStream) -> PortResult<u64> {
        let upload = self.store.put_multipart(&key(k)?).await.map_err(map_err)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        let mut written = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk: Bytes = match chunk {
                Ok(c) => c,
                Err(e) => {
                    // The client went away or sent too much: drop the parts already stored.
                    let _ = writer.abort().await;
                    return Err(PortError::Other(format!("upload interrupted: {e}")));
                }
            };
            if let Err(e) = writer.wait_for_capacity(PARTS_IN_FLIGHT).await {
                return Err(map_err(e));
            }
            written += chunk.len() as u64;
            writer.put(chunk);
        }
        writer.finish().await.map_err(map_err)?;
        Ok(written)
    }

    async fn get(
        &self,
        k: &str,
        range: Option<std::ops::Range<u64>>,
    ) -> PortResult<(u64, ByteStream)> {
        let opts = GetOptions {
            range: range.map(GetRange::Bounded),
            ..Default::default()
        };
        let res = self.store.get_opts(&key(k)?, opts).await.map_err(map_err)?;
        let size = res.meta.size;
        let stream = res.into_stream().map_err(std::io::Error::other).boxed();
        Ok((size, stream))
    }

    async fn delete(&self, k: &str) -> PortResult<()> {
        self.store.delete(&key(k)?).await.map_err(map_err)
    }

    async fn rename(&self, from: &str, to: &str) -> PortResult<()> {
        self.store
            .rename(&key(from)?, &key(to)?)
            .await
            .map_err(map_err)
    }

    async fn list_under(&self, prefix: &str) -> PortResult<Vec<(String, u64)>> {
        self.list(Some(prefix)).await
    }

    async fn check(&self) -> PortResult<()> {
        let probe = key("_khlang/probe")?;
        self.store
            .put(&probe, PutPayload::from_static(b"ok"))
            .await
            .map_err(map_err)?;
        self.store
            .get(&probe)
            .await
            .map_err(map_err)?
            .bytes()
            .await
            .map_err(map_err)?;
        self.store.delete(&probe).await.map_err(map_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_urls() {
        assert_eq!(
            Location::parse("./khlang-data/files").unwrap(),
            Location::Local("./khlang-data/files".into())
        );
        assert_eq!(
            Location::parse("file:///srv/khlang").unwrap(),
            Location::Local("/srv/khlang".into())
        );
        assert_eq!(
            Location::parse("s3://km-files?endpoint=http://127.0.0.1:9000&region=th").unwrap(),
            Location::S3 {
                bucket: "km-files".into(),
                endpoint: Some("http://127.0.0.1:9000".into()),
                region: Some("th".into()),
                prefix: None
            }
        );
        assert!(Location::parse("ftp://x").is_err());
        assert!(Location::parse("s3://").is_err());
    }

    #[tokio::test]
    async fn local_put_get_range_delete() {
        let dir = std::env::temp_dir().join(format!("khlang-blobs-{}", std::process::id()));
        let blobs = ObjectBlobs::open(&Location::Local(dir.clone())).unwrap();
        blobs.check().await.unwrap();
        let chunks: Vec<Result<Bytes, std::io::Error>> = (0..3)
            .map(|i| Ok(Bytes::from(vec![b'a' + i as u8; 1000])))
            .collect();
        let n = blobs
            .put("ab/cdef", futures::stream::iter(chunks).boxed())
            .await
            .unwrap();
        assert_eq!(n, 3000);
        let (size, s) = blobs.get("ab/cdef", Some(999..1001)).await.unwrap();
        assert_eq!(size, 3000);
        let got: Vec<Bytes> = s.try_collect().await.unwrap();
        assert_eq!(got.concat(), b"ab");
        blobs.delete("ab/cdef").await.unwrap();
        assert!(matches!(
            blobs.get("ab/cdef", None).await,
            Err(PortError::NotFound)
        ));
        let _ = std::fs::remove_dir_all(dir);
    }
}
