//! File storage through the port, on whichever backend the suite runs (local disk or S3).

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use khlang_core::error::PortError;
use khlang_testkit::spawn_app;

const MIB: usize = 1024 * 1024;

fn chunks(total_mib: usize, fail_after_mib: Option<usize>) -> khlang_core::ports::ByteStream {
    futures::stream::iter((0..total_mib).map(move |i| {
        if fail_after_mib == Some(i) {
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "client went away",
            ))
        } else {
            Ok(Bytes::from(vec![(i % 251) as u8; MIB]))
        }
    }))
    .boxed()
}

#[tokio::test]
async fn large_files_stream_in_parts_and_read_back_by_range() {
    let app = spawn_app().await;
    let blobs = &app.core().blobs;
    // 20 MiB: three parts of 8 MiB at most, never one buffer of the whole file.
    let written = blobs.put("v1/large", chunks(20, None)).await.unwrap();
    assert_eq!(written, 20 * MIB as u64);
    let start = (13 * MIB - 2) as u64;
    let (size, s) = blobs.get("v1/large", Some(start..start + 4)).await.unwrap();
    assert_eq!(size, 20 * MIB as u64);
    let got: Vec<Bytes> = s.try_collect().await.unwrap();
    assert_eq!(got.concat(), vec![12, 12, 13, 13]);
    blobs.delete("v1/large").await.unwrap();
    assert!(matches!(
        blobs.get("v1/large", None).await,
        Err(PortError::NotFound)
    ));
}

#[tokio::test]
async fn an_upload_cut_off_halfway_leaves_nothing_visible() {
    let app = spawn_app().await;
    let blobs = &app.core().blobs;
    let err = blobs.put("v1/cut", chunks(20, Some(11))).await.unwrap_err();
    assert!(err.to_string().contains("interrupted"), "{err}");
    assert!(matches!(
        blobs.get("v1/cut", None).await,
        Err(PortError::NotFound)
    ));
}
