//! Issue 12: the KM network registry and the trainer directory. Members are people of the
//! person register: a viewer sees names, positions, units and works but no phone; an officer
//! sees the phone and each read is audited; an erased person reads "ไม่ประสงค์ออกนาม"; an
//! import with one bad row records nobody; export in the seed's columns.

use super::{body, location, member, post_form};
use khlang_core::ids::{PersonId, UnitId};
use khlang_core::networks::Registry;
use khlang_core::people::ANONYMOUS;
use khlang_testkit::reqwest::Client;
use khlang_testkit::reqwest::multipart::{Form, Part};
use khlang_testkit::{TestApp, spawn_app};

const UNIT: &str = "DHSS-PHC-NE";
const PHONE: &str = "0891234567";

/// Adds a new person to the unit's network register through the page; the person's id.
async fn add(app: &TestApp, officer: &Client, unit: i64, name: &str, phone: &str) -> PersonId {
    let page = format!("/network/new?registry=network&unit={unit}");
    let res = post_form(
        app,
        officer,
        &page,
        &page,
        &[
            ("person.mode", "new"),
            ("person.new.name", name),
            ("person.new.phone", phone),
            ("position", "นักวิชาการสาธารณสุขชำนาญการ"),
            ("affiliation", "ศูนย์สนับสนุนบริการสุขภาพอาสาสมัคร"),
            ("works", "รางวัลชนะเลิศ KM Market 2567"),
            ("training", "passed"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    assert!(location(&res).starts_with(&format!("/network?unit={unit}")));
    let root = app
        .create_user(&format!("root{}", phone), khlang_testkit::PASSWORD, true)
        .await;
    let actor = app.core().actor_for(&root).await.unwrap();
    let found = app
        .core()
        .find_people(&actor, name, khlang_core::paging::PageNumber::FIRST)
        .await
        .unwrap();
    found
        .items
        .first()
        .expect("the person is in the register")
        .id
}

async fn person_reads(app: &TestApp, id: PersonId) -> usize {
    app.core()
        .store
        .recent_audit(500)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "person.read" && e.target == format!("person:{id}"))
        .count()
}

#[tokio::test]
async fn a_viewer_sees_no_phone_and_an_officers_reads_of_it_are_audited() {
    let app = spawn_app().await;
    let unit = app.unit_id(UNIT).await;
    let officer = member(&app, "ne.officer", UNIT, "km_officer").await;
    let viewer = member(&app, "ne.viewer", UNIT, "viewer").await;
    let id = add(&app, &officer, unit, "นางสาวสมหญิง รักเรียน", PHONE).await;
    let list = format!("/network?unit={unit}");

    let before = person_reads(&app, id).await;
    let html = body(officer.get(app.url(&list)).send().await.unwrap()).await;
    assert!(
        html.contains("นางสาวสมหญิง รักเรียน") && html.contains(PHONE),
        "{html}"
    );
    assert!(html.contains("นักวิชาการสาธารณสุขชำนาญการ") && html.contains("ผ่าน"));
    assert_eq!(
        person_reads(&app, id).await,
        before + 1,
        "the officer's read is audited"
    );

    let html = body(viewer.get(app.url(&list)).send().await.unwrap()).await;
    assert!(
        html.contains("นางสาวสมหญิง รักเรียน"),
        "a viewer sees the name"
    );
    assert!(html.contains("รางวัลชนะเลิศ KM Market 2567"), "and the works");
    assert!(
        !html.contains(PHONE) && !html.contains("เบอร์โทรศัพท์"),
        "but no phone"
    );
    assert!(!html.contains("/network/new"), "nor the add button");
    assert_eq!(
        person_reads(&app, id).await,
        before + 1,
        "nothing read, nothing audited"
    );

    // The viewer may not add, edit, remove or import.
    let res = viewer
        .get(app.url(&format!("/network/new?registry=network&unit={unit}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = post_form(
        &app,
        &viewer,
        &list,
        &format!("/network/new?registry=network&unit={unit}"),
        &[
            ("person.mode", "new"),
            ("person.new.name", "นายแอบ เพิ่ม"),
            ("position", "x"),
        ],
    )
    .await;
    assert_eq!(res.status(), 403);
    let html = body(officer.get(app.url(&list)).send().await.unwrap()).await;
    let row = html_id(&html);
    let res = viewer
        .get(app.url(&format!("/network/{row}/edit")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = post_form(&app, &viewer, &list, &format!("/network/{row}/remove"), &[]).await;
    assert_eq!(res.status(), 403);

    // The sheet: the seed's columns; the phone column for officers only.
    let viewer_actor = {
        let u = app.user_with_role("ne.viewer2", UNIT, "viewer").await;
        app.core().actor_for(&u).await.unwrap()
    };
    let sheet = app
        .core()
        .register_sheet(&viewer_actor, Registry::Network, UnitId(unit))
        .await
        .unwrap();
    assert_eq!(
        sheet.headings,
        [
            "ที่",
            "ชื่อ - สกุล",
            "ตำแหน่ง",
            "สังกัด",
            "ผลงาน/รางวัล ด้านการจัดการความรู้ (ถ้ามี)",
            "ผ่านอบรมกิจกรรมที่ ๑.๒ (ผ่าน/ไม่ผ่าน)"
        ]
    );
    assert!(sheet.rows[0].iter().all(|c| c != PHONE));
    let res = officer
        .get(app.url(&format!(
            "/network/export.xlsx?registry=network&unit={unit}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    use calamine::Reader;
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<String> = range.rows().flatten().map(|c| c.to_string()).collect();
    assert!(cells.iter().any(|c| c == "เบอร์โทรศัพท์") && cells.iter().any(|c| c == PHONE));
    assert_eq!(
        person_reads(&app, id).await,
        before + 3,
        "the export is audited"
    );
}

#[tokio::test]
async fn an_erased_person_reads_as_anonymous_in_the_registry() {
    let app = spawn_app().await;
    let unit = app.unit_id(UNIT).await;
    let officer = member(&app, "ne.officer", UNIT, "km_officer").await;
    let viewer = member(&app, "ne.viewer", UNIT, "viewer").await;
    let id = add(&app, &officer, unit, "นายสมชาย ขอลบ", "0861111111").await;
    let officer_actor = {
        let u = app.user_with_role("ne.eraser", UNIT, "km_officer").await;
        app.core().actor_for(&u).await.unwrap()
    };
    app.core().erase_person(&officer_actor, id).await.unwrap();
    let list = format!("/network?unit={unit}");
    for c in [&officer, &viewer] {
        let html = body(c.get(app.url(&list)).send().await.unwrap()).await;
        assert!(!html.contains("นายสมชาย ขอลบ") && !html.contains("0861111111"));
        assert!(html.contains(ANONYMOUS), "{html}");
        assert!(html.contains("นักวิชาการสาธารณสุขชำนาญการ"), "the row stays");
    }
}

fn sheet(rows: &[[&str; 7]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "ทะเบียนรายชื่อเครือข่ายผู้จัดการความรู้")
        .unwrap();
    let head = [
        "ที่",
        "ชื่อ - สกุล",
        "ตำแหน่ง",
        "สังกัด",
        "เบอร์โทรศัพท์",
        "ผลงาน/รางวัล ด้านการจัดการความรู้ (ถ้ามี)",
        "ผ่านอบรมกิจกรรมที่ ๑.๒ (ผ่าน/ไม่ผ่าน)",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if c == 4 && !v.is_empty() {
                // Excel keeps a typed phone as a number: the leading 0 is lost.
                ws.write_number(3 + r as u32, c as u16, v.parse::<f64>().unwrap())
                    .unwrap();
            } else {
                ws.write_string(3 + r as u32, c as u16, *v).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

async fn upload(
    app: &TestApp,
    client: &Client,
    unit: i64,
    bytes: Vec<u8>,
    dup: bool,
) -> (u16, String) {
    let page = format!("/network/import?registry=network&unit={unit}");
    let csrf = app.csrf(client, &page).await;
    let mut form = Form::new()
        .text("csrf", csrf)
        .part("file", Part::bytes(bytes).file_name("network.xlsx"));
    if dup {
        form = form.text("allow_duplicate", "1");
    }
    let res = client
        .post(app.url(&page))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let to = location(&res);
    (status, if status == 303 { to } else { body(res).await })
}

async fn rows_of(app: &TestApp, unit: i64) -> u64 {
    let root = app
        .create_user(
            &format!("count{}", rand_suffix()),
            khlang_testkit::PASSWORD,
            true,
        )
        .await;
    let actor = app.core().actor_for(&root).await.unwrap();
    app.core()
        .register_page(
            &actor,
            Registry::Network,
            UnitId(unit),
            khlang_core::paging::PageNumber::FIRST,
        )
        .await
        .unwrap()
        .rows
        .total
}

fn rand_suffix() -> String {
    format!(
        "{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
            % 1_000_000_000
    )
}

#[tokio::test]
async fn an_import_with_one_bad_row_changes_nothing() {
    let app = spawn_app().await;
    let unit = app.unit_id(UNIT).await;
    let officer = member(&app, "ne.officer", UNIT, "km_officer").await;
    let good = [
        "1",
        "นายหนึ่ง ทดสอบ",
        "นักพัฒนาชุมชน",
        "สพอ.เมือง",
        "0811111111",
        "",
        "ผ่าน",
    ];
    let two = [
        "2",
        "นางสองสาม ทดสอบ",
        "เจ้าพนักงาน",
        "สพอ.บ้านโพธิ์",
        "",
        "รางวัล KM",
        "ไม่ผ่าน",
    ];
    let bad = ["3", "นายสี่ ทดสอบ", "", "สพอ.บางปะกง", "12", "", "บางส่วน"];
    let (status, html) = upload(&app, &officer, unit, sheet(&[good, two, bad]), false).await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("แถวที่ 6"),
        "the bad row is named by its sheet row: {html}"
    );
    assert!(
        html.contains("กรุณาใส่ตำแหน่ง") && html.contains("ผ่าน หรือ ไม่ผ่าน"),
        "{html}"
    );
    assert!(html.contains("ยังไม่ได้นำเข้ารายชื่อใด ๆ"));
    assert_eq!(rows_of(&app, unit).await, 0, "nothing imported");

    // Not a workbook: a Thai message.
    let (status, html) = upload(&app, &officer, unit, b"a,b,c".to_vec(), false).await;
    assert_eq!(status, 422);
    assert!(html.contains("ไม่ใช่ไฟล์ Excel"), "{html}");

    // The good rows alone: both imported, people in the register, phone's 0 kept.
    let (status, to) = upload(&app, &officer, unit, sheet(&[good, two]), false).await;
    assert_eq!(status, 303, "{to}");
    assert!(to.contains("done=imported:2"), "{to}");
    assert_eq!(rows_of(&app, unit).await, 2);
    let html = body(officer.get(app.url(&to)).send().await.unwrap()).await;
    assert!(
        html.contains("นายหนึ่ง ทดสอบ") && html.contains("0811111111"),
        "{html}"
    );
    assert!(html.contains("นำเข้ารายชื่อแล้ว 2 คน"));

    // Again: the names are in the register now, so they are flagged like the register does.
    let (status, html) = upload(&app, &officer, unit, sheet(&[good]), false).await;
    assert_eq!(status, 422);
    assert!(html.contains("อาจซ้ำกับบุคคลที่มีอยู่แล้ว"), "{html}");
    assert_eq!(rows_of(&app, unit).await, 2);

    // A viewer may not import.
    let viewer = member(&app, "ne.viewer", UNIT, "viewer").await;
    let res = viewer
        .get(app.url(&format!("/network/import?registry=network&unit={unit}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn the_trainer_directory_needs_subjects_and_keeps_the_form_as_typed() {
    let app = spawn_app().await;
    let unit = app.unit_id(UNIT).await;
    let officer = member(&app, "ne.officer", UNIT, "km_officer").await;
    let page = format!("/network/new?registry=trainers&unit={unit}");
    let res = post_form(
        &app,
        &officer,
        &page,
        &page,
        &[
            ("person.mode", "new"),
            ("person.new.name", "นางครู ฝึกดี"),
            ("position", "วิทยากร"),
            ("subjects", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert!(html.contains("กรุณาใส่วิชาที่สอน") && html.contains("value=\"วิทยากร\""));
    let res = post_form(
        &app,
        &officer,
        &page,
        &page,
        &[
            ("person.mode", "new"),
            ("person.new.name", "นางครู ฝึกดี"),
            ("person.new.phone", "0822222222"),
            ("position", "วิทยากร"),
            ("subjects", "การถอดบทเรียน"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let html = body(
        officer
            .get(app.url(&format!("/trainers?unit={unit}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        html.contains("นางครู ฝึกดี") && html.contains("การถอดบทเรียน"),
        "{html}"
    );
    // Not in the network register.
    let html = body(
        officer
            .get(app.url(&format!("/network?unit={unit}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(!html.contains("นางครู ฝึกดี"));
    // Edit, then remove; the person stays in the register.
    let id = html_id(
        &body(
            officer
                .get(app.url(&format!("/trainers?unit={unit}")))
                .send()
                .await
                .unwrap(),
        )
        .await,
    );
    let edit = format!("/network/{id}/edit");
    let res = post_form(
        &app,
        &officer,
        &edit,
        &edit,
        &[("position", "วิทยากรอาวุโส"), ("subjects", "การถอดบทเรียน")],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let remove = format!("/network/{id}/remove");
    let res = post_form(&app, &officer, &edit, &remove, &[]).await;
    assert_eq!(res.status(), 303);
    let html = body(
        officer
            .get(app.url(&format!("/trainers?unit={unit}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(!html.contains("นางครู ฝึกดี"), "{html}");
}

fn html_id(html: &str) -> String {
    let mut from = 0;
    while let Some(i) = html[from..].find("/network/") {
        let rest = &html[from + i + "/network/".len()..];
        let n: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        if !n.is_empty() && rest[n.len()..].starts_with("/edit") {
            return n;
        }
        from += i + 1;
    }
    panic!("no edit link in {html}")
}

#[tokio::test]
async fn the_seed_form_with_two_ticked_training_columns_imports() {
    let app = spawn_app().await;
    let unit = app.unit_id(UNIT).await;
    let officer = member(&app, "ne.officer", UNIT, "km_officer").await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "ทะเบียนรายชื่อเครือข่ายผู้จัดการความรู้")
        .unwrap();
    ws.write_string(1, 0, "สำนักงานพัฒนาชุมชนอำเภอ.....").unwrap();
    let head = [
        "ที่",
        "ชื่อ - สกุล",
        "ตำแหน่ง",
        "สังกัด",
        "เบอร์โทรศัพท์",
        "ผลงาน/รางวัล ด้านการจัดการความรู้ (ถ้ามี)",
        "ผ่านอบรมกิจกรรมที่ ๑.๒",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write_string(3, c as u16, *h).unwrap();
    }
    ws.write_string(4, 6, "ผ่าน").unwrap();
    ws.write_string(4, 7, "ไม่ผ่าน").unwrap();
    for (c, v) in [
        "๑",
        "นายเสริม ศักดิ์ดี",
        "นักพัฒนาชุมชน",
        "สพอ.คลองเขื่อน",
        "",
        "",
        "",
        "✓",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(5, c as u16, *v).unwrap();
    }
    let (status, to) = upload(&app, &officer, unit, book.save_to_buffer().unwrap(), false).await;
    assert_eq!(status, 303, "{to}");
    let root = app
        .create_user("seedroot", khlang_testkit::PASSWORD, true)
        .await;
    let actor = app.core().actor_for(&root).await.unwrap();
    let page = app
        .core()
        .register_page(
            &actor,
            Registry::Network,
            UnitId(unit),
            khlang_core::paging::PageNumber::FIRST,
        )
        .await
        .unwrap();
    let row = &page.rows.items[0];
    assert_eq!(row.name, "นายเสริม ศักดิ์ดี");
    assert_eq!(row.member.training_passed, Some(false));
    assert_eq!(row.member.affiliation, "สพอ.คลองเขื่อน");
}
