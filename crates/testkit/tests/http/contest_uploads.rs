//! Contest entries beyond the form: documents sent over tus from the entry link (cut halfway
//! and resumed; another entry's link cannot reach the upload; limit, kind and deadline refused),
//! and promotion into the next round without new bytes. Split from `contest_rounds`, whose
//! set-up it uses.

use super::contest_rounds::{documents, open_round, pdf, png, register, send};
use super::location;
use super::tus::b64;
use khlang_core::contests::rounds::local_input;
use khlang_core::ids::{EntryId, RoundId};
use khlang_testkit::TestApp;
use khlang_testkit::reqwest::Response;
use time::{Duration, OffsetDateTime};

/// Starts a tus upload of an entry document through its link.
async fn tus_create(
    app: &TestApp,
    link: &str,
    requirement: &str,
    name: &str,
    length: usize,
) -> Response {
    app.client()
        .post(app.url(&format!("{link}/tus/")))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", length.to_string())
        .header(
            "Upload-Metadata",
            format!("filename {},requirement {}", b64(name), b64(requirement)),
        )
        .send()
        .await
        .unwrap()
}

async fn tus_patch(app: &TestApp, url: &str, offset: usize, bytes: Vec<u8>) -> Response {
    app.client()
        .patch(app.url(url))
        .header("Tus-Resumable", "1.0.0")
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", offset.to_string())
        .body(bytes)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn contest_entry_documents_resume_over_tus() {
    let s = open_round().await;
    let app = &s.app;
    let (entry, link) = register(&s, "นางสมศรี ใจดี").await;
    let (_, other_link) = register(&s, "นายมานะ ขยัน").await;

    let mut file = pdf("resumed");
    file.resize(300_000, b' ');
    let res = tus_create(app, &link, "profile", "ประวัติ.pdf", file.len()).await;
    assert_eq!(res.status(), 201);
    let url = location(&res);
    assert!(url.starts_with(&format!("{link}/tus/")), "{url}");

    // The first half arrives, then the connection is cut; the phone asks where to go on.
    let half = 120_000;
    assert_eq!(
        tus_patch(app, &url, 0, file[..half].to_vec())
            .await
            .status(),
        204
    );
    let head = |u: String| async move {
        app.client()
            .head(app.url(&u))
            .header("Tus-Resumable", "1.0.0")
            .send()
            .await
            .unwrap()
    };
    let res = head(url.clone()).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["upload-offset"], half.to_string().as_str());
    // Another entry's link does not reach this upload.
    let foreign = url.replace(&link, &other_link);
    assert_eq!(head(foreign).await.status(), 404);
    assert_eq!(documents(&s, entry).await, 0);

    let res = tus_patch(app, &url, half, file[half..].to_vec()).await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        res.headers()["upload-offset"],
        file.len().to_string().as_str()
    );
    let v = app
        .core()
        .entry_view(
            &khlang_core::contests::rounds::EntryAccess::Officer(&s.actor),
            Some(EntryId(entry)),
        )
        .await
        .unwrap();
    assert_eq!(v.documents.len(), 1);
    assert_eq!(v.documents[0].requirement, "profile");
    assert_eq!(v.documents[0].size, file.len() as u64);
    let res = s
        .officer
        .get(app.url(&format!(
            "/contests/entries/{entry}/documents/{}",
            v.documents[0].id
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.bytes().await.unwrap().as_ref(), file.as_slice());

    // Over the requirement's limit: refused before a byte is sent.
    let res = tus_create(app, &link, "profile", "ใหญ่.pdf", 2 * 1024 * 1024).await;
    assert_eq!(res.status(), 413);
    // A picture sent where a PDF is asked for: refused once complete, nothing stored.
    let res = tus_create(app, &link, "profile", "รูป.png", png().len()).await;
    let u = location(&res);
    let res = tus_patch(app, &u, 0, png()).await;
    assert_eq!(res.status(), 422);
    assert_eq!(documents(&s, entry).await, 1);

    // Started before the deadline, finished after it: refused, nothing stored.
    let res = tus_create(app, &link, "photo", "กิจกรรม.png", png().len()).await;
    assert_eq!(res.status(), 201);
    let late = location(&res);
    let after = (s.closes_at - OffsetDateTime::now_utc()).whole_seconds() + 1;
    app.move_clock(after);
    let res = tus_patch(app, &late, 0, png()).await;
    assert_eq!(res.status(), 409);
    let res = tus_create(app, &link, "photo", "กิจกรรม.png", png().len()).await;
    assert_eq!(res.status(), 409);
    assert_eq!(documents(&s, entry).await, 1);
}

#[tokio::test]
async fn contest_promotion_copies_an_entry_without_new_bytes() {
    use khlang_core::contests::RoundStore;
    use khlang_core::contests::rounds::RoundInput;
    use sea_orm::{ConnectionTrait, Statement};

    let s = open_round().await;
    let app = &s.app;
    let (entry, link) = register(&s, "นางสมศรี ใจดี").await;
    let phone = app.client();
    let action = format!("{link}/documents");
    let res = send(
        app,
        &phone,
        &link,
        &action,
        "profile",
        "ประวัติ.pdf",
        pdf("winner"),
    )
    .await;
    assert_eq!(res.status(), 303);

    // The regional round the winners go on to.
    let round = app
        .core()
        .round_for_organiser(&s.actor, RoundId(s.round))
        .await
        .unwrap();
    let now = OffsetDateTime::now_utc();
    let regional = app
        .core()
        .create_round(
            &s.actor,
            round.contest_id,
            &RoundInput {
                title: "ระดับภาคตะวันออกเฉียงเหนือ".into(),
                level: "region".into(),
                unit: round.unit_id.to_string(),
                area: "r:ne".into(),
                opens: local_input(now + Duration::days(10)),
                closes: local_input(now + Duration::days(20)),
                advance: "1".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();

    let store = khlang_store::SeaStore::new(app.runtime.db.clone());
    let blobs = || async {
        let db = &app.runtime.db;
        let r = db
            .query_one(Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM blobs",
            ))
            .await
            .unwrap()
            .unwrap();
        r.try_get::<i64>("", "n").unwrap()
    };
    let before = blobs().await;
    let copied = store
        .copy_entry_into(EntryId(entry), regional.id, now)
        .await
        .unwrap();
    assert_eq!(blobs().await, before, "no new bytes");
    // Publishing again after a failure copies nothing twice.
    let again = store
        .copy_entry_into(EntryId(entry), regional.id, now)
        .await
        .unwrap();
    assert_eq!(again, copied, "the entry was copied a second time");

    let from = store.get_entry(EntryId(entry)).await.unwrap();
    let to = store.get_entry(copied).await.unwrap();
    assert_eq!(to.round_id, regional.id);
    assert_eq!(to.promoted_from, Some(from.id));
    assert_eq!(
        (to.entrant, to.branch, to.province),
        (from.entrant, from.branch, from.province)
    );
    assert_eq!(to.name, from.name);
    assert_eq!(to.receipt, format!("R{}-0001", regional.id));
    assert_eq!(store.entry_link(copied).await.unwrap(), None, "no link");
    let (a, b) = (
        store.entry_documents(EntryId(entry)).await.unwrap(),
        store.entry_documents(copied).await.unwrap(),
    );
    assert_eq!(b.len(), 1);
    assert_eq!(
        (&b[0].sha256, b[0].size, &b[0].requirement),
        (&a[0].sha256, a[0].size, &a[0].requirement)
    );
    let ranked = store
        .round_entries(regional.id, khlang_core::ids::TermId(s.branch))
        .await
        .unwrap();
    assert_eq!(
        ranked.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![copied]
    );

    // The promoted entry's documents download from the shared bytes.
    let res = s
        .officer
        .get(app.url(&format!("/contests/entries/{copied}/zip")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let zip = res.bytes().await.unwrap();
    let needle = pdf("winner");
    assert!(zip.windows(needle.len()).any(|w| w == needle.as_slice()));
}
