//! HTTP tests of thread search (issue 13): Thai words inside unspaced Thai, Thai digits equal
//! to Arabic ones, members-only threads never reaching a non-member (hits, count, snippets,
//! "did you mean"), one entry per thread however often it is indexed, removal, and the
//! search page's thread section.

use khlang_core::communities::search::{ThreadDoc, ThreadResults};
use khlang_core::ids::{CommunityId, ThreadId};
use khlang_core::org::Actor;
use khlang_core::service::search::SearchRequest;
use khlang_testkit::{TestApp, spawn_app};
use time::OffsetDateTime;

const OPEN: CommunityId = CommunityId(1);
const CLOSED: CommunityId = CommunityId(2);

async fn put(app: &TestApp, id: i64, community: CommunityId, title: &str, posts: &[&str]) {
    app.core()
        .index_thread(ThreadDoc {
            thread_id: ThreadId(id),
            community_id: community,
            title: title.into(),
            posts: posts.iter().map(|p| p.to_string()).collect(),
            updated_at: OffsetDateTime::now_utc(),
        })
        .await
        .unwrap();
}

async fn find(app: &TestApp, readable: &[CommunityId], q: &str) -> ThreadResults {
    app.core().search_threads_in(readable, q, 1).await.unwrap()
}

fn ids(r: &ThreadResults) -> Vec<i64> {
    r.hits.iter().map(|h| h.thread_id.0).collect()
}

#[tokio::test]
async fn thread_search_finds_thai_words_in_unspaced_text_and_thai_digits() {
    let app = spawn_app().await;
    put(
        &app,
        10,
        OPEN,
        "ถามเรื่องการทำปุ๋ยหมัก",
        &[
            "การทำปุ๋ยหมักจากมูลวัวช่วยลดต้นทุนของเกษตรกรได้มาก",
            "ผมหมักไว้ 45 วันก็ใช้ได้แล้วครับ",
        ],
    )
    .await;
    put(&app, 11, OPEN, "นัดประชุมกลุ่มออมทรัพย์", &["วันอังคารหน้าที่ศาลาวัด"]).await;
    let r = find(&app, &[OPEN], "ต้นทุน").await;
    assert_eq!(ids(&r), [10]);
    assert_eq!(r.total, 1);
    let html = r.hits[0].snippet.to_html();
    assert!(html.contains("<mark>ต้นทุน</mark>"), "{html}");
    assert_eq!(r.hits[0].title, "ถามเรื่องการทำปุ๋ยหมัก");
    // Without communities' names the number stands in.
    assert!(r.hits[0].community.contains('1'), "{}", r.hits[0].community);
    // Thai digits find the Arabic ones the post was typed with.
    assert_eq!(ids(&find(&app, &[OPEN], "๔๕").await), [10]);
    // The thread holding every word leads; one holding some of them follows, marked so.
    let r = find(&app, &[OPEN], "๔๕ วัน").await;
    assert_eq!(ids(&r), [10, 11]);
    assert!(r.hits[0].exact && !r.hits[1].exact);
    // Words of the title count, and a thread holding none of the words is not found.
    assert_eq!(ids(&find(&app, &[OPEN], "ออมทรัพย์").await), [11]);
    assert_eq!(find(&app, &[OPEN], "ทุเรียน").await.total, 0);
    // Query syntax typed by someone is only ever words.
    let r = find(&app, &[OPEN], "ปุ๋ย\" OR NEAR(* -").await;
    assert_eq!(ids(&r), [10]);
    app.stop().await;
}

#[tokio::test]
async fn thread_search_never_shows_members_only_threads_to_non_members() {
    let app = spawn_app().await;
    put(&app, 20, OPEN, "แลกเปลี่ยนเรื่องผลไม้", &["ปลูกมะม่วงหน้าบ้าน"]).await;
    put(
        &app,
        21,
        CLOSED,
        "ความลับของกลุ่มสมาชิก",
        &["เทคนิคการเก็บมังคุดให้ได้ราคาดี", "ขายมะม่วงด้วย"],
    )
    .await;
    // The word only the members-only thread holds: nothing at all for a non-member.
    let outsider = find(&app, &[OPEN], "มังคุด").await;
    assert_eq!((outsider.total, outsider.hits.len()), (0, 0));
    // Also not by its n-grams (a near spelling) nor through the title.
    assert_eq!(find(&app, &[OPEN], "มังคุต").await.total, 0);
    assert_eq!(find(&app, &[OPEN], "ความลับ").await.total, 0);
    // A word both threads hold: the open thread only, counted once, its own snippet.
    let shared = find(&app, &[OPEN], "มะม่วง").await;
    assert_eq!((ids(&shared), shared.total), (vec![20], 1));
    assert!(!shared.hits[0].snippet.to_html().contains("มังคุด"));
    // A member finds both; a reader of nothing finds nothing.
    assert_eq!(find(&app, &[OPEN, CLOSED], "มังคุด").await.total, 1);
    assert_eq!(find(&app, &[OPEN, CLOSED], "มะม่วง").await.total, 2);
    assert_eq!(find(&app, &[], "มะม่วง").await.total, 0);
    // The actor version asks communities who may read what (until communities lists the
    // open ones, an anonymous reader is given none).
    let anon = app
        .core()
        .search_threads(&Actor::Anonymous, "มังคุด", 1)
        .await
        .unwrap();
    assert_eq!(anon.total, 0);
    // "Did you mean" is made from published items only: a misspelling of the secret word
    // is never corrected to it.
    for q in ["มังคุต", "มังคุด"] {
        let r = app
            .core()
            .search(
                &Actor::Anonymous,
                &SearchRequest {
                    q: q.into(),
                    ..SearchRequest::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(r.total, 0);
        assert!(
            r.suggestion.as_deref().is_none_or(|s| !s.contains("มังคุด")),
            "{:?}",
            r.suggestion
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn thread_search_reindexing_replaces_and_unindexing_removes() {
    let app = spawn_app().await;
    put(&app, 30, OPEN, "ทดลองเลี้ยงไส้เดือน", &["เริ่มเลี้ยงในกะละมัง"]).await;
    put(&app, 30, OPEN, "ทดลองเลี้ยงไส้เดือน", &["เริ่มเลี้ยงในกะละมัง"]).await;
    assert_eq!(find(&app, &[OPEN], "ไส้เดือน").await.total, 1);
    // A post hidden by a facilitator: the thread is indexed again without it.
    put(&app, 30, OPEN, "ทดลองเลี้ยงไส้เดือน", &["ย้ายไปเลี้ยงในบ่อซีเมนต์"]).await;
    assert_eq!(find(&app, &[OPEN], "กะละมัง").await.total, 0);
    let r = find(&app, &[OPEN], "ซีเมนต์").await;
    assert_eq!((ids(&r), r.total), (vec![30], 1));
    // Moved to a members-only community: gone for outsiders at once.
    put(&app, 30, CLOSED, "ทดลองเลี้ยงไส้เดือน", &["ย้ายไปเลี้ยงในบ่อซีเมนต์"]).await;
    assert_eq!(find(&app, &[OPEN], "ไส้เดือน").await.total, 0);
    assert_eq!(find(&app, &[CLOSED], "ไส้เดือน").await.total, 1);
    // Two writers of the same thread at once (two replies posted together): still one entry.
    tokio::join!(
        put(&app, 30, CLOSED, "ทดลองเลี้ยงไส้เดือน", &["ย้ายไปเลี้ยงในบ่อซีเมนต์"]),
        put(
            &app,
            30,
            CLOSED,
            "ทดลองเลี้ยงไส้เดือน",
            &["ย้ายไปเลี้ยงในบ่อซีเมนต์", "ดีมาก"]
        ),
    );
    assert_eq!(find(&app, &[CLOSED], "ไส้เดือน").await.total, 1);
    put(&app, 31, CLOSED, "ไส้เดือนดินกินอะไร", &["เศษผัก"]).await;
    app.core().unindex_thread(ThreadId(30)).await.unwrap();
    assert_eq!(ids(&find(&app, &[CLOSED], "ไส้เดือน").await), [31]);
    // Removing what is not there is no error.
    app.core().unindex_thread(ThreadId(30)).await.unwrap();
    app.stop().await;
}

#[tokio::test]
async fn thread_search_pages_through_many_threads() {
    let app = spawn_app().await;
    for i in 0..23 {
        put(
            &app,
            100 + i,
            OPEN,
            &format!("กระทู้ที่ {i} เรื่องสมุนไพร"),
            &["ใช้ฟ้าทะลายโจร"],
        )
        .await;
    }
    let p1 = app
        .core()
        .search_threads_in(&[OPEN], "สมุนไพร", 1)
        .await
        .unwrap();
    let p3 = app
        .core()
        .search_threads_in(&[OPEN], "สมุนไพร", 3)
        .await
        .unwrap();
    assert_eq!((p1.total, p1.hits.len(), p1.pages()), (23, 10, 3));
    assert_eq!(p3.hits.len(), 3);
    assert!(ids(&p3).iter().all(|i| !ids(&p1).contains(i)));
    app.stop().await;
}

#[tokio::test]
async fn thread_search_page_shows_no_thread_a_reader_may_not_read() {
    let app = spawn_app().await;
    put(&app, 40, CLOSED, "ผลไม้ของกลุ่มสมาชิก", &["สูตรลับเงาะโรงเรียน"]).await;
    // Until communities lists readable ones, nobody is given members-only community 2: the
    // page has no thread section, no count and no snippet of it (junk page numbers too).
    for query in [
        vec![("q", "เงาะโรงเรียน")],
        vec![("q", "เงาะโรงเรียน"), ("tpage", "๒")],
        vec![("q", "เงาะ"), ("tpage", "x")],
    ] {
        let res = app
            .client()
            .get(app.url("/search"))
            .query(&query)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let page = res.text().await.unwrap();
        assert!(!page.contains("กระทู้ในชุมชน"), "{page}");
        assert!(
            !page.contains("สูตรลับ") && !page.contains("ผลไม้ของกลุ่ม"),
            "{page}"
        );
        assert!(!page.contains("/communities/threads/40"), "{page}");
    }
    app.stop().await;
}
