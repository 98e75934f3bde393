//! Judging a contest round (issue 11): the organiser assigns three judges; one is excluded
//! from an entry by province automatically and never sees it; judges score through the score
//! form (points above the maximum, an entry outside their branch and a stale sheet are refused
//! with nothing changed); a tie is broken by the declared criterion; a tie the rules cannot
//! break waits for the chair's order before publishing; publishing promotes the winners into
//! the next round with the same documents (no new bytes); the public result sheet shows names
//! and provinces, never a phone number or an address.

use super::{body, location, post_form};
use khlang_core::contests::model::{
    Area, Contest, ContestKind, Criterion, Entrant, Entry, NewEntry, NewEntryDocument,
    RequiredDocument, Round, RoundLevel, RoundSettings, RoundStatus, TieBreak,
};
use khlang_core::contests::ports::{NewContest, RoundStore};
use khlang_core::file::FileKind;
use khlang_core::geo::ProvinceCode;
use khlang_core::ids::{EntryId, PersonId, RoundId, TermId, UnitId};
use khlang_core::innovations::model::BRANCH_TAXONOMY;
use khlang_core::org::Actor;
use khlang_core::ports::Blobs;
use khlang_store::SeaStore;
use khlang_testkit::reqwest::Client;
use khlang_testkit::{PASSWORD, TestApp, spawn_app};

const ORGANISER_UNIT: &str = "DHSS-PHC-NE";
const PHONE: &str = "0812345678";
const ADDRESS: &str = "บ้านโคกสูง";

fn rubric() -> Vec<Criterion> {
    vec![
        Criterion {
            key: "work".into(),
            name: "ผลงาน".into(),
            weight: 40,
            max_points: 10,
            levels: vec!["10 = โดดเด่นมาก".into(), "5 = พอใช้".into()],
        },
        Criterion {
            key: "result".into(),
            name: "ผลลัพธ์".into(),
            weight: 30,
            max_points: 10,
            levels: vec![],
        },
        Criterion {
            key: "spread".into(),
            name: "การขยายผล".into(),
            weight: 30,
            max_points: 5,
            levels: vec![],
        },
    ]
}

struct Setup {
    store: SeaStore,
    organiser: Client,
    round: RoundId,
    next: RoundId,
    branches: [TermId; 2],
}

async fn branches(app: &TestApp) -> [TermId; 2] {
    let vocab = app.core().vocabulary().await.unwrap();
    let tx = vocab
        .taxonomies
        .iter()
        .find(|t| t.key == BRANCH_TAXONOMY)
        .expect("branch taxonomy")
        .id;
    let mut terms = vocab.terms_of(tx).map(|t| t.id);
    [terms.next().unwrap(), terms.next().unwrap()]
}

fn round(contest: &Contest, title: &str, level: RoundLevel, area: Area, s: RoundSettings) -> Round {
    let now = time::OffsetDateTime::now_utc();
    Round {
        id: RoundId(0),
        contest_id: contest.id,
        title: title.into(),
        level,
        unit_id: contest.unit_id,
        area,
        next_round: None,
        status: RoundStatus::Draft,
        opens_at: now,
        closes_at: now + time::Duration::days(7),
        settings: s,
        created_at: now,
        updated_at: now,
    }
}

async fn setup(app: &TestApp) -> Setup {
    let store = SeaStore::new(app.runtime.db.clone());
    let unit = UnitId(app.unit_id(ORGANISER_UNIT).await);
    let officer = app
        .user_with_role("organiser", ORGANISER_UNIT, "km_officer")
        .await;
    let organiser = app.sign_in("organiser", PASSWORD).await;
    let contest = store
        .insert_contest(&NewContest {
            unit_id: unit,
            title: "การคัดเลือก อสม.ดีเด่น ปี 2568".into(),
            fiscal_year: 2568,
            kind: ContestKind::Volunteer,
            created_by: officer.id,
            at: time::OffsetDateTime::now_utc(),
        })
        .await
        .unwrap();
    let branches = branches(app).await;
    let settings = RoundSettings {
        branches: branches.to_vec(),
        documents: vec![RequiredDocument {
            key: "profile".into(),
            name: "แบบประวัติ".into(),
            kinds: vec![],
            max_bytes: 10_000_000,
            required: true,
        }],
        entry_template: None,
        rubric: rubric(),
        advance_per_branch: 1,
        tie_breaks: vec![
            TieBreak::Criterion("result".into()),
            TieBreak::ChairDecision,
        ],
    };
    let next = store
        .insert_round(&round(
            &contest,
            "ระดับชาติ",
            RoundLevel::National,
            Area::Nation,
            settings.clone(),
        ))
        .await
        .unwrap();
    let mut r = round(
        &contest,
        "ระดับภาค สสม.ภาคตะวันออกเฉียงเหนือ",
        RoundLevel::Region,
        Area::parse("r:ne").unwrap_or(Area::Nation),
        settings,
    );
    r.next_round = Some(next.id);
    let r = store.insert_round(&r).await.unwrap();
    Setup {
        store,
        organiser,
        round: r.id,
        next: next.id,
        branches,
    }
}

/// A volunteer in the person register (with a phone and an address the public never sees),
/// entered in `branch` from `province`, with one document whose bytes are a stored blob.
async fn entrant(
    app: &TestApp,
    s: &Setup,
    officer: &Actor,
    name: &str,
    province: &str,
    branch: TermId,
) -> Entry {
    let unit = UnitId(app.unit_id(ORGANISER_UNIT).await);
    let draft = khlang_core::people::PersonDraft {
        name: name.into(),
        place: khlang_core::geo::PlaceDraft {
            province: province.into(),
            village_no: "3".into(),
            village: ADDRESS.into(),
            ..Default::default()
        },
        phone: PHONE.into(),
        consent_purpose: "การคัดเลือก อสม.ดีเด่น".into(),
        consent_date: "5/2/2567".into(),
        consent_public: "name_province".into(),
        ..Default::default()
    };
    let person: PersonId = app
        .core()
        .create_person(
            officer,
            khlang_core::people::PersonInput {
                unit_id: unit,
                draft,
                prefix: String::new(),
                allow_duplicate: true,
            },
        )
        .await
        .expect("a person");
    let entry = s
        .store
        .insert_entry(&NewEntry {
            round_id: s.round,
            branch,
            entrant: Entrant::Person(person),
            name: name.into(),
            unit_id: unit,
            province: Some(ProvinceCode::parse(province).unwrap()),
            answers: None,
            link_hash: sha256_hex(format!("{name}{province}{branch}").as_bytes()),
            created_by: officer.user_id().unwrap(),
            at: time::OffsetDateTime::now_utc(),
        })
        .await
        .expect("an entry");
    let bytes = format!("แบบประวัติของ {name}").into_bytes();
    let sha = sha256_hex(&bytes);
    let stream: khlang_core::ports::ByteStream = Box::pin(futures::stream::once(async move {
        Ok::<_, std::io::Error>(bytes::Bytes::from(bytes))
    }));
    let size = app
        .runtime
        .blobs
        .put(&khlang_core::service::items::blob_key(&sha), stream)
        .await
        .unwrap();
    s.store
        .insert_document(&NewEntryDocument {
            entry_id: entry.id,
            requirement: "profile".into(),
            name: "แบบประวัติ.pdf".into(),
            sha256: sha,
            size,
            mime: "application/pdf".into(),
            kind: FileKind::Pdf,
            at: time::OffsetDateTime::now_utc(),
        })
        .await
        .expect("a document");
    entry
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

async fn blob_count(app: &TestApp) -> usize {
    app.runtime.blobs.list_under("blobs/").await.unwrap().len()
}

/// Posts a judge's sheet: (work, result, spread) and the version the form carried.
async fn score(
    app: &TestApp,
    judge: &Client,
    entry: EntryId,
    version: &str,
    pts: (&str, &str, &str),
) -> khlang_testkit::reqwest::Response {
    let page = format!("/judging/entries/{entry}");
    post_form(
        app,
        judge,
        "/judging",
        &page,
        &[
            ("version", version),
            ("points.work", pts.0),
            ("comment.work", "ชัดเจน"),
            ("points.result", pts.1),
            ("comment.result", ""),
            ("points.spread", pts.2),
            ("comment.spread", ""),
        ],
    )
    .await
}

async fn get(app: &TestApp, c: &Client, path: &str) -> (u16, String) {
    let res = c.get(app.url(path)).send().await.unwrap();
    let status = res.status().as_u16();
    (status, body(res).await)
}

async fn move_status(s: &Setup, from: RoundStatus, to: RoundStatus) {
    s.store
        .set_round_status(s.round, from, to, time::OffsetDateTime::now_utc())
        .await
        .unwrap();
}

#[tokio::test]
async fn contest_judging_scores_ranks_publishes_and_promotes() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let officer = {
        let user = app
            .core()
            .store
            .user_by_username(&khlang_core::account::Username::parse("organiser").unwrap())
            .await
            .unwrap()
            .unwrap()
            .0;
        app.core().actor_for(&user).await.unwrap()
    };
    let [b1, b2] = s.branches;

    // Three judges from three health-zone centres; j1 is from ขอนแก่น (40).
    for (name, unit) in [
        ("judge1", "DHSS-HSS07"),
        ("judge2", "DHSS-HSS08"),
        ("judge3", "DHSS-HSS09"),
    ] {
        app.user_with_role(name, unit, "contributor").await;
    }
    let judges_page = format!("/contests/rounds/{}/judges", s.round);
    for (name, province, branch, chair) in [
        ("judge1", "40", b1, ""),
        ("judge2", "41", b1, "1"),
        ("judge3", "30", b1, ""),
        ("judge3", "30", b2, "1"),
    ] {
        let mut fields = vec![("username", name), ("province", province)];
        let b = branch.0.to_string();
        fields.push(("branch", b.as_str()));
        if !chair.is_empty() {
            fields.push(("chair", chair));
        }
        let res = post_form(&app, &s.organiser, &judges_page, &judges_page, &fields).await;
        assert_eq!(res.status(), 303, "assigning {name}");
    }
    // A judge nobody knows: a Thai message beside the field, nothing added.
    let res = post_form(
        &app,
        &s.organiser,
        &judges_page,
        &judges_page,
        &[("username", "nobody"), ("branch", &b1.0.to_string())],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("ไม่พบชื่อผู้ใช้นี้"));
    // A judge may not assign judges.
    let j1 = app.sign_in("judge1", PASSWORD).await;
    let (status, _) = get(&app, &j1, &judges_page).await;
    assert_eq!(status, 403);

    // Entries: A from ขอนแก่น (j1's province), B from อุบลราชธานี; C and D in branch 2.
    let a = entrant(&app, &s, &officer, "นางสมศรี ใจดี", "40", b1).await;
    let b = entrant(&app, &s, &officer, "นางบุญมี ศรีสุข", "34", b1).await;
    let c = entrant(&app, &s, &officer, "นายสมชาย รักดี", "34", b2).await;
    let d = entrant(&app, &s, &officer, "นางมะลิ หอมดี", "35", b2).await;
    move_status(&s, RoundStatus::Draft, RoundStatus::Open).await;
    move_status(&s, RoundStatus::Open, RoundStatus::Closed).await;
    // Before judging, a judge's list does not open.
    let (status, _) = get(&app, &j1, &format!("/judging/rounds/{}", s.round)).await;
    assert_eq!(status, 409);
    move_status(&s, RoundStatus::Closed, RoundStatus::Judging).await;
    // Judges cannot be changed once judging started.
    let res = post_form(
        &app,
        &s.organiser,
        &judges_page,
        &judges_page,
        &[("username", "judge1"), ("branch", &b2.0.to_string())],
    )
    .await;
    assert_eq!(res.status(), 409);

    // j1 is excluded from A (same province at a regional round): never shown, never reachable.
    let (status, html) = get(&app, &j1, "/judging").await;
    assert_eq!(status, 200);
    assert!(html.contains("ให้คะแนนครบแล้ว 0 จาก 1 ผลงาน"), "{html}");
    let (_, html) = get(&app, &j1, &format!("/judging/rounds/{}", s.round)).await;
    assert!(html.contains(&b.name) && !html.contains(&a.name), "{html}");
    let (status, _) = get(&app, &j1, &format!("/judging/entries/{}", a.id)).await;
    assert_eq!(status, 404);
    let doc_page = format!("/judging/entries/{}", b.id);
    let (status, html) = get(&app, &j1, &doc_page).await;
    assert_eq!(status, 200);
    assert!(html.contains("แบบประวัติ.pdf") && html.contains("10 = โดดเด่นมาก"));
    // The document downloads.
    let doc_link = html
        .split("href=\"")
        .find(|s| s.starts_with(&format!("/judging/entries/{}/documents/", b.id)))
        .and_then(|s| s.split('"').next())
        .expect("a document link")
        .replace("&amp;", "&");
    let res = j1.get(app.url(&doc_link)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(body(res).await.contains(&b.name));

    // Outside the branch: j1 judges branch 1 only; C is branch 2.
    let res = score(&app, &j1, c.id, "0", ("1", "1", "1")).await;
    assert_eq!(res.status(), 409);
    assert!(body(res).await.contains("ผลงานนี้อยู่ในสาขาที่คุณไม่ได้เป็นกรรมการ"));
    // Points above the maximum: refused, typed values kept, nothing saved.
    let res = score(&app, &j1, b.id, "0", ("11", "0", "5")).await;
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert!(html.contains("ให้ได้ 0 ถึง 10 คะแนน"), "{html}");
    assert!(html.contains("value=\"11\""));
    let sheets = app
        .core()
        .round_sheet_states(&officer, s.round)
        .await
        .unwrap();
    assert!(sheets.is_empty(), "nothing saved");

    // Tie on 70.00 between A and B in branch 1, broken by ผลลัพธ์ (A 30.0, B 0.0).
    let j2 = app.sign_in("judge2", PASSWORD).await;
    let j3 = app.sign_in("judge3", PASSWORD).await;
    // A part-done sheet is kept but does not count yet; the organiser sees it as such.
    let res = score(&app, &j1, b.id, "0", ("10", "", "")).await;
    assert_eq!(res.status(), 303, "j1 saves part of B");
    let (_, html) = get(
        &app,
        &s.organiser,
        &format!("/contests/rounds/{}/ranking", s.round),
    )
    .await;
    assert!(html.contains("data-label=\"ผู้ใช้ judge1\">ไม่ครบ<"), "{html}");
    let res = score(&app, &j1, b.id, "1", ("10", "0", "5")).await;
    assert_eq!(res.status(), 303, "j1 scores B");
    assert!(location(&res).ends_with("done=saved"));
    for j in [&j2, &j3] {
        assert_eq!(
            score(&app, j, a.id, "0", ("10", "10", "0")).await.status(),
            303
        );
        assert_eq!(
            score(&app, j, b.id, "0", ("10", "0", "5")).await.status(),
            303
        );
    }
    // Stale: j2 saves A again with the version of the first load: refused, nothing changed.
    let res = score(&app, &j2, a.id, "0", ("0", "0", "0")).await;
    assert_eq!(res.status(), 409);
    assert!(
        body(res)
            .await
            .contains("มีการบันทึกคะแนนนี้จากที่อื่นก่อนหน้า กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง")
    );
    let (_, html) = get(&app, &j2, &format!("/judging/entries/{}", a.id)).await;
    assert!(html.contains("name=\"version\" value=\"1\""), "{html}");
    assert!(html.contains(
        "id=\"points-result\" name=\"points.result\" inputmode=\"numeric\" value=\"10\""
    ));
    // With the current version it saves.
    assert_eq!(
        score(&app, &j2, a.id, "1", ("10", "10", "0"))
            .await
            .status(),
        303
    );
    // Every saved sheet is in the audit log with its points; the refused one is not.
    let audit = app.core().store.recent_audit(500).await.unwrap();
    let saves: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "contest.scores_saved" && e.target == format!("entry:{}", a.id))
        .collect();
    assert!(
        saves.iter().any(|e| e.detail.starts_with("version 2:")),
        "{saves:?}"
    );
    assert!(
        !saves.iter().any(|e| e.detail.contains("work=0 ")),
        "{saves:?}"
    );

    // j3 declares a conflict with B after scoring it: B leaves j3's list, j3's sheet stops
    // counting, and the organiser sees why.
    let res = post_form(
        &app,
        &j3,
        "/judging",
        &format!("/judging/entries/{}/conflict", b.id),
        &[("reason", "")],
    )
    .await;
    assert_eq!(res.status(), 422, "a reason is needed");
    let res = post_form(
        &app,
        &j3,
        "/judging",
        &format!("/judging/entries/{}/conflict", b.id),
        &[("reason", "เป็นญาติของผู้สมัคร")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (status, _) = get(&app, &j3, &format!("/judging/entries/{}", b.id)).await;
    assert_eq!(status, 404);
    let (_, html) = get(&app, &s.organiser, &judges_page).await;
    assert!(html.contains("เป็นญาติของผู้สมัคร"));

    // Branch 2: j3 gives C and D the same on every criterion: left for the chair.
    // Two saves of C's sheet at once from the same loaded form: one wins, the other is told.
    let (r1, r2) = tokio::join!(
        score(&app, &j3, c.id, "0", ("8", "6", "4")),
        score(&app, &j3, c.id, "0", ("8", "6", "4")),
    );
    let mut statuses = [r1.status().as_u16(), r2.status().as_u16()];
    statuses.sort();
    assert_eq!(
        statuses,
        [303, 409],
        "exactly one of two simultaneous saves"
    );
    assert_eq!(
        score(&app, &j3, d.id, "0", ("8", "6", "4")).await.status(),
        303
    );
    let sheets = app
        .core()
        .round_sheet_states(&officer, s.round)
        .await
        .unwrap();
    let c_sheet = sheets
        .iter()
        .find(|x| x.entry_id == c.id)
        .expect("C's sheet");
    assert_eq!(c_sheet.version, 1, "the losing save changed nothing");

    let ranking = format!("/contests/rounds/{}/ranking", s.round);
    let (status, html) = get(&app, &s.organiser, &ranking).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("ตัดสินด้วยคะแนนเกณฑ์ &#39;ผลลัพธ์&#39; 30.0 ต่อ 0.0")
            || html.contains("ตัดสินด้วยคะแนนเกณฑ์ &#x27;ผลลัพธ์&#x27; 30.0 ต่อ 0.0"),
        "{html}"
    );
    assert!(html.contains("ยังเสมอกัน"));
    assert!(
        html.contains("ผู้ใช้ judge1"),
        "the organiser sees judges by name"
    );
    // The tie decides who advances: publishing is refused, nothing published.
    let publish = format!("/contests/rounds/{}/publish", s.round);
    let res = post_form(&app, &s.organiser, &ranking, &publish, &[]).await;
    assert_eq!(res.status(), 409);
    assert!(body(res).await.contains("ยังตัดสินไม่ได้ว่าใครได้ไปต่อ"));
    let (status, _) = get(
        &app,
        &app.client(),
        &format!("/contests/rounds/{}/results", s.round),
    )
    .await;
    assert_eq!(status, 404, "nothing public before publication");
    let (status, html) = get(&app, &app.client(), "/contests/results").await;
    assert_eq!(status, 200);
    assert!(
        !html.contains(&format!("/contests/rounds/{}/results", s.round)),
        "the public index lists an unpublished round"
    );

    // Another region's officer does not run this round.
    let other = super::member(&app, "north", "DHSS-PHC-N", "km_officer").await;
    let (status, _) = get(&app, &other, &ranking).await;
    assert_eq!(status, 403);
    // The same place twice: refused, nothing ordered.
    let chair_order = format!("/contests/rounds/{}/chair-order", s.round);
    let res = post_form(
        &app,
        &s.organiser,
        &ranking,
        &chair_order,
        &[
            ("branch", &b2.0.to_string()),
            (&format!("pos.{}", d.id), "1"),
            (&format!("pos.{}", c.id), "1"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("ลำดับซ้ำกัน"));

    // The chair puts D first.
    let res = post_form(
        &app,
        &s.organiser,
        &ranking,
        &format!("/contests/rounds/{}/chair-order", s.round),
        &[
            ("branch", &b2.0.to_string()),
            (&format!("pos.{}", d.id), "1"),
            (&format!("pos.{}", c.id), "2"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (_, html) = get(&app, &s.organiser, &ranking).await;
    assert!(html.contains("ประธานกรรมการตัดสิน"));

    let blobs_before = blob_count(&app).await;
    let res = post_form(&app, &s.organiser, &ranking, &publish, &[]).await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    // Published once only.
    let res = post_form(&app, &s.organiser, &ranking, &publish, &[]).await;
    assert_eq!(res.status(), 409);

    // A and D are in the national round, with the same documents and no new blobs.
    for (winner, branch) in [(&a, b1), (&d, b2)] {
        let promoted = s.store.round_entries(s.next, branch).await.unwrap();
        assert_eq!(promoted.len(), 1);
        assert_eq!(promoted[0].promoted_from, Some(winner.id));
        let old: Vec<String> = s
            .store
            .entry_documents(winner.id)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.sha256)
            .collect();
        let new: Vec<String> = s
            .store
            .entry_documents(promoted[0].id)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.sha256)
            .collect();
        assert_eq!(old, new);
    }
    assert_eq!(blob_count(&app).await, blobs_before, "no new bytes");
    assert!(s.store.round_entries(s.next, b1).await.unwrap()[0].id != a.id);

    // Scores are frozen after publication.
    let res = score(&app, &j3, c.id, "1", ("0", "0", "0")).await;
    assert_eq!(res.status(), 409);

    // The public result sheet: names, provinces, numbered judges, why; no phone, no address.
    let (status, html) = get(
        &app,
        &app.client(),
        &format!("/contests/rounds/{}/results", s.round),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("นางสมศรี ใจดี") && html.contains("ขอนแก่น"),
        "{html}"
    );
    assert!(html.contains("กรรมการ 1") && html.contains("กรรมการ 3"));
    assert!(!html.contains("ผู้ใช้ judge"), "judges are not named publicly");
    assert!(html.contains("70.00") && html.contains("ประธานกรรมการตัดสิน"));
    assert!(!html.contains(PHONE) && !html.contains(ADDRESS));
    assert!(html.contains("คะแนนรายเกณฑ์ของนางสมศรี ใจดี") && html.contains("ผลลัพธ์ (เต็ม 10)"));
    // …and anyone finds it from the public index.
    let (status, html) = get(&app, &app.client(), "/contests/results").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("/contests/rounds/{}/results", s.round)),
        "the public index does not list the published round"
    );

    // Certificates for every entry (winners and participants), once.
    let certs = format!("/contests/rounds/{}/certificates", s.round);
    let res = post_form(&app, &s.organiser, &ranking, &certs, &[]).await;
    assert_eq!(res.status(), 303);
    assert!(
        location(&res).ends_with("done=certificates&n=4"),
        "{}",
        location(&res)
    );
    let res = post_form(&app, &s.organiser, &ranking, &certs, &[]).await;
    assert!(
        location(&res).ends_with("n=0"),
        "pressed again: nothing new"
    );
    let (_, html) = get(
        &app,
        &app.client(),
        &format!("/contests/rounds/{}/results", s.round),
    )
    .await;
    let code = html
        .split("href=\"/c/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a certificate link on the result sheet")
        .to_string();
    let (status, html) = get(&app, &app.client(), &format!("/c/{code}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("นางสมศรี ใจดี") && html.contains("รางวัลชนะเลิศ"),
        "{html}"
    );

    // The national round's judge sees the earlier round's scores of a promoted entry.
    app.user_with_role("judge4", "DHSS-HSS10", "contributor")
        .await;
    let next_judges = format!("/contests/rounds/{}/judges", s.next);
    let res = post_form(
        &app,
        &s.organiser,
        &next_judges,
        &next_judges,
        &[
            ("username", "judge4"),
            ("province", "50"),
            ("branch", &b1.0.to_string()),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    for (from, to) in [
        (RoundStatus::Draft, RoundStatus::Open),
        (RoundStatus::Open, RoundStatus::Closed),
        (RoundStatus::Closed, RoundStatus::Judging),
    ] {
        s.store
            .set_round_status(s.next, from, to, time::OffsetDateTime::now_utc())
            .await
            .unwrap();
    }
    let promoted = s.store.round_entries(s.next, b1).await.unwrap();
    let j4 = app.sign_in("judge4", PASSWORD).await;
    let (status, html) = get(&app, &j4, &format!("/judging/entries/{}", promoted[0].id)).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("คะแนนรอบก่อน") && html.contains("อันดับที่ 1 · คะแนนรวม 70.00"),
        "{html}"
    );
    assert!(html.contains("แบบประวัติ.pdf"), "the same documents");

    app.stop().await;
}
