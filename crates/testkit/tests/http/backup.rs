use futures::StreamExt;
use khlang_core::ports::Blobs;
use khlang_testkit::{fresh_config, spawn_app, spawn_with};

#[tokio::test]
async fn backup_while_serving_then_restore_reproduces_it() {
    let app = spawn_app().await;
    if khlang_testkit::backend() != "sqlite" {
        // PostgreSQL deployments back up with pg_dump; khlang says so instead of half-working.
        let dir = std::env::temp_dir().join(format!("khlang-bk-{}", uuid::Uuid::new_v4()));
        let err = khlang::backup::backup(&app.runtime, &dir)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("pg_dump"), "{err}");
        return;
    }
    app.create_user("keeper", "รหัสผ่านยาวพอ1", true).await;
    let chunk = bytes::Bytes::from_static("คู่มือ อสม. ฉบับย่อ".as_bytes());
    let stream = futures::stream::iter(vec![Ok(chunk.clone())]).boxed();
    app.core().blobs.put("ab/abcdef", stream).await.unwrap();

    let dir = app.data_dir.join("backup-1");
    let summary = khlang::backup::backup(&app.runtime, &dir).await.unwrap();
    assert_eq!(summary.files, 1);
    assert_eq!(summary.bytes, chunk.len() as u64);
    assert!(
        khlang::backup::backup(&app.runtime, &dir).await.is_err(),
        "refuses a non-empty directory"
    );

    // Restore into a different, fresh installation with other data in it.
    let config = fresh_config().await;
    {
        let other = khlang::open(config.clone()).await.unwrap();
        other.bootstrap().await.unwrap();
        other
            .core
            .create_user_from_console("stranger", "ไม่ควรอยู่ต่อ", "รหัสผ่านยาวพอ1", false)
            .await
            .unwrap();
        let s = futures::stream::iter(vec![Ok(bytes::Bytes::from_static(b"junk"))]).boxed();
        other.blobs.put("zz/junk", s).await.unwrap();
        other.db.clone().close().await.unwrap();
    }
    let restored = khlang::backup::restore(&config, &dir).await.unwrap();
    assert_eq!(restored.files, 1);
    let copy = spawn_with(config).await;
    let store = &copy.core().store;
    assert_eq!(store.count_users().await.unwrap(), 1);
    assert!(
        store
            .user_by_username(&khlang_core::account::Username::parse("keeper").unwrap())
            .await
            .unwrap()
            .is_some()
    );
    let (size, mut s) = copy.core().blobs.get("ab/abcdef", None).await.unwrap();
    assert_eq!(size, chunk.len() as u64);
    assert_eq!(s.next().await.unwrap().unwrap(), chunk);
    assert!(
        copy.core().blobs.get("zz/junk", None).await.is_err(),
        "files not in the backup are gone"
    );
    assert_eq!(copy.core().unit_tree().await.unwrap().len(), 120);
}
