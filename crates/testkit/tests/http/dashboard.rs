//! The executive dashboard (issue 12): a viewer at the top of the department sees the counts
//! of the items of its subtree and fiscal year, rolled up per child unit; the workbook has the
//! same numbers; a viewer of a sibling unit is refused in Thai; with no data every block says
//! what to do instead of drawing an empty chart.

use super::body;
use khlang_core::ids::{TermId, UnitId};
use khlang_core::item::{ItemInput, Transition};
use khlang_core::org::Actor;
use khlang_core::planning::FiscalYear;
use khlang_core::report::Cell;
use khlang_testkit::{PASSWORD, TestApp, spawn_app};

const TOP: &str = "CDD";
/// A province with district offices in the reference data, and one of them.
const PROVINCE: &str = "CDD-P-24";
const DISTRICT: &str = "CDD-P-24-D01";
/// A sibling province.
const OTHER: &str = "CDD-P-11";

async fn actor(app: &TestApp, username: &str, role: &str, unit: &str) -> Actor {
    let user = app.user_with_role(username, unit, role).await;
    app.core().actor_for(&user).await.unwrap()
}

fn category(app_vocab: &khlang_core::taxonomy::Vocabulary, n: usize) -> TermId {
    let tx = app_vocab
        .taxonomies
        .iter()
        .find(|t| t.key == "category")
        .expect("category taxonomy");
    let mut terms: Vec<_> = app_vocab.terms_of(tx.id).map(|t| t.id).collect();
    terms.sort();
    terms[n]
}

async fn item(
    app: &TestApp,
    by: &Actor,
    unit: &str,
    title: &str,
    year: i32,
    kind: &str,
    terms: &[TermId],
) -> khlang_core::ids::ItemId {
    app.core()
        .create_item(
            by,
            &ItemInput {
                title: title.into(),
                summary: "สรุปย่อ".into(),
                knowledge_type: kind.into(),
                unit_id: app.unit_id(unit).await.to_string(),
                fiscal_year: year.to_string(),
                terms: terms.iter().map(|t| t.0.to_string()).collect(),
                ..Default::default()
            },
        )
        .await
        .expect("create item")
        .id
}

/// Items of the department this year: 3 in a district of PROVINCE (one published, two
/// with the first category), 1 in OTHER (published, second category), 1 of the department
/// itself; plus one of last year and one outside the department, which do not count.
async fn fill(app: &TestApp) -> i32 {
    let year = FiscalYear::of(app.core().clock.now()).be();
    let officer = actor(app, "officer", "km_officer", TOP).await;
    let reviewer = actor(app, "reviewer", "reviewer", TOP).await;
    let vocab = app.core().vocabulary().await.unwrap();
    let (first, second) = (category(&vocab, 0), category(&vocab, 1));
    let published = item(
        app,
        &officer,
        DISTRICT,
        "ถอดบทเรียนอำเภอ",
        year,
        "tacit",
        &[first],
    )
    .await;
    item(
        app,
        &officer,
        DISTRICT,
        "คู่มืออำเภอ",
        year,
        "explicit",
        &[first],
    )
    .await;
    item(app, &officer, DISTRICT, "ร่างอำเภอ", year, "explicit", &[]).await;
    let other = item(
        app,
        &officer,
        OTHER,
        "นวัตกรรมจังหวัดอื่น",
        year,
        "innovation",
        &[second],
    )
    .await;
    item(app, &officer, TOP, "ของกรมเอง", year, "external", &[]).await;
    item(app, &officer, DISTRICT, "ปีที่แล้ว", year - 1, "explicit", &[]).await;
    let outsider = actor(app, "outsider", "km_officer", "DHSS").await;
    item(app, &outsider, "DHSS", "นอกกรม", year, "explicit", &[]).await;
    for id in [published, other] {
        app.core()
            .transition(&officer, id, Transition::Submit, "")
            .await
            .unwrap();
        app.core()
            .transition(&reviewer, id, Transition::Approve, "")
            .await
            .unwrap();
    }
    year
}

fn row<'a>(t: &'a khlang_core::report::ReportTable, label: &str) -> &'a [Cell] {
    t.rows
        .iter()
        .find(|r| matches!(r.first(), Some(Cell::Text(s)) if s == label))
        .unwrap_or_else(|| panic!("no row {label} in {}", t.title))
}

#[tokio::test]
async fn a_viewer_at_the_top_sees_the_subtree_counts_and_the_workbook_agrees() {
    let app = spawn_app().await;
    let year = fill(&app).await;
    let exec_user = app.user_with_role("exec", TOP, "viewer").await;
    let exec = app.core().actor_for(&exec_user).await.unwrap();

    // The use-case: the department opens by default, this fiscal year.
    let d = app.core().dashboard(&exec, None, None).await.unwrap();
    assert_eq!(d.unit.id, UnitId(app.unit_id(TOP).await));
    assert_eq!(d.year.be(), year);
    assert_eq!((d.items.total, d.items.published), (5, 2));
    let province = app.core().unit_tree().await.unwrap();
    let province_name = province
        .get(UnitId(app.unit_id(PROVINCE).await))
        .unwrap()
        .name_th
        .as_str()
        .to_string();
    let child = d
        .children
        .iter()
        .find(|c| c.unit.name == province_name)
        .expect("the province is a child");
    assert_eq!(
        (child.items, child.published),
        (3, 1),
        "its district rolls up"
    );
    assert_eq!(
        row(&d.items.by_child, &province_name)[1..],
        [Cell::Count(1), Cell::Count(2), Cell::Count(3)]
    );
    assert_eq!(d.items.by_status.grand_total(), 5);
    assert_eq!(
        row(&d.items.by_status, "เผยแพร่แล้ว")[1],
        Cell::Count(2),
        "published"
    );
    let vocab = app.core().vocabulary().await.unwrap();
    let first = vocab.label(category(&vocab, 0));
    assert_eq!(
        row(&d.items.by_category, &first)[1..],
        [Cell::Count(1), Cell::Count(1), Cell::Count(2)]
    );
    assert_eq!(
        row(&d.items.by_category, "ไม่ระบุหมวดหมู่")[1..],
        [Cell::Count(0), Cell::Count(2), Cell::Count(2)]
    );

    // The page, as the executive sees it.
    let client = app.sign_in("exec", PASSWORD).await;
    let res = client.get(app.url("/dashboard")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = body(res).await;
    assert!(html.contains("ภาพรวมผู้บริหาร"));
    assert!(html.contains(&format!("ปีงบประมาณ {year}")));
    assert!(html.contains("<dt>องค์ความรู้ทั้งหมด</dt><dd>5</dd>"), "{html}");
    assert!(html.contains("<dt>เผยแพร่แล้ว</dt><dd>2</dd>"));
    assert!(html.contains("<svg class=\"chart\""), "charts are drawn");
    let drill = format!(
        "<a href=\"/dashboard?unit={}&amp;year={year}\">{province_name}</a>",
        app.unit_id(PROVINCE).await
    );
    assert!(html.contains(&drill), "drill-down link to the province");

    // Drilling down: the province alone, its district as the child.
    let res = client
        .get(app.url(&format!(
            "/dashboard?unit={}&year={year}",
            app.unit_id(PROVINCE).await
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(body(res).await.contains("<dt>องค์ความรู้ทั้งหมด</dt><dd>3</dd>"));
    // Last year: the one item of last year.
    let res = client
        .get(app.url(&format!("/dashboard?year={}", year - 1)))
        .send()
        .await
        .unwrap();
    assert!(body(res).await.contains("<dt>องค์ความรู้ทั้งหมด</dt><dd>1</dd>"));

    // The workbook: one sheet per block, the same numbers.
    use calamine::{Data, Reader, Xlsx};
    let res = client.get(app.url("/dashboard.xlsx")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["องค์ความรู้", "นวัตกรรม", "เป้าหมาย", "แผน", "ระดับความสำเร็จ"]
    );
    let sheet = book.worksheet_range("องค์ความรู้").unwrap();
    let cells: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => i.to_string(),
                    _ => String::new(),
                })
                .collect()
        })
        .collect();
    let find = |label: &str| {
        cells
            .iter()
            .find(|r| r.first().is_some_and(|c| c == label))
            .unwrap_or_else(|| panic!("no row {label}: {cells:?}"))
            .clone()
    };
    assert_eq!(find(&province_name)[1..4], ["1", "2", "3"]);
    assert_eq!(
        find("เผยแพร่แล้ว")[1],
        "2",
        "the status table's published row"
    );
    assert_eq!(find(&first)[1..4], ["1", "1", "2"]);
    app.stop().await;
}

#[tokio::test]
async fn a_sibling_or_a_stranger_is_refused_in_thai() {
    let app = spawn_app().await;
    app.user_with_role("sibling", OTHER, "viewer").await;
    let client = app.sign_in("sibling", PASSWORD).await;
    // Their own province opens by default.
    let res = client.get(app.url("/dashboard")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    // The neighbouring province and the department are not theirs.
    for code in [PROVINCE, TOP] {
        for path in ["/dashboard", "/dashboard.xlsx"] {
            let res = client
                .get(app.url(&format!("{path}?unit={}", app.unit_id(code).await)))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 403, "{path} of {code}");
            assert!(body(res).await.contains("คุณไม่มีสิทธิ์"));
        }
    }
    // Someone with no role anywhere has no dashboard.
    app.create_user("nobody", PASSWORD, false).await;
    let client = app.sign_in("nobody", PASSWORD).await;
    let res = client.get(app.url("/dashboard")).send().await.unwrap();
    assert_eq!(res.status(), 403);
    // Nobody signed in is sent to sign in.
    let res = app
        .client()
        .get(app.url("/dashboard"))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    // A year that is no year is refused at the field, in Thai.
    let res = app
        .sign_in("sibling", PASSWORD)
        .await
        .get(app.url("/dashboard?year=abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("ปีงบประมาณ"));
    app.stop().await;
}

#[tokio::test]
async fn with_no_data_every_block_says_what_to_do() {
    let app = spawn_app().await;
    app.user_with_role("exec", TOP, "viewer").await;
    let client = app.sign_in("exec", PASSWORD).await;
    let res = client.get(app.url("/dashboard")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = body(res).await;
    for empty in [
        "ยังไม่มีองค์ความรู้ของปีงบประมาณนี้",
        "ยังไม่มีนวัตกรรมที่เผยแพร่ในปีงบประมาณนี้",
        "ยังไม่มีการกำหนดเป้าหมายของปีงบประมาณนี้",
        "ยังไม่มีแผนการจัดการความรู้ของปีงบประมาณนี้",
        "ยังไม่มีการประเมินระดับความสำเร็จของปีงบประมาณนี้",
    ] {
        assert!(html.contains(empty), "empty state: {empty}");
    }
    assert!(html.contains("<dt>องค์ความรู้ทั้งหมด</dt><dd>0</dd>"));
    // The workbook still opens, with zeros.
    let res = client.get(app.url("/dashboard.xlsx")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap().to_vec();
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names().len(), 5);
    assert!(book.worksheet_range("องค์ความรู้").is_ok());
    app.stop().await;
}
