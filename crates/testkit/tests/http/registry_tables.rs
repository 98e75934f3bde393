//! The registry's tables: the seed 000 §1.4 table from 118 imported innovations on the page,
//! in the XLSX and in the CSV; an import of 500 rows with one bad row saves nothing; wrong
//! files and filters get Thai messages.

use super::*;
use khlang_testkit::reqwest::multipart::{Form, Part};
use khlang_testkit::spawn_app;

/// Seed 000 §1.4: the 13 branches (by their number in the table), counts and shares as printed.
const SEED: [(u32, u32, &str); 13] = [
    (1, 9, "7.6"),
    (2, 9, "7.6"),
    (3, 10, "8.5"),
    (4, 10, "8.5"),
    (5, 8, "6.8"),
    (6, 8, "6.8"),
    (7, 11, "9.3"),
    (8, 8, "6.8"),
    (9, 7, "5.9"),
    (10, 13, "11.0"),
    (11, 13, "11.0"),
    (12, 8, "6.8"),
    (13, 4, "3.4"),
];

/// One province of each regional centre's area, named or by code as officers type them.
const PROVINCES: [&str; 5] = ["เชียงใหม่", "40", "นนทบุรี", "นครศรีธรรมราช", "๙๖"];

/// The template's heading row (row 2), read back from the downloaded template workbook.
async fn template_headers(app: &TestApp, client: &Client) -> Vec<String> {
    use calamine::{Data, Reader, Xlsx};
    let res = client
        .get(app.url("/innovations/import/template.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names()[0], "นวัตกรรม");
    assert!(book.sheet_names().iter().any(|s| s == "สาขา"));
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| match c {
            Data::String(s) => s.clone(),
            _ => String::new(),
        })
        .collect()
}

/// A filled workbook: the template's headings and one row per `(branch, province)`.
fn workbook(headers: &[String], rows: &[(String, String, String)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    let col = |h: &str| {
        headers
            .iter()
            .position(|x| x == h)
            .unwrap_or_else(|| panic!("{h} in {headers:?}")) as u16
    };
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(1, c as u16, h).unwrap();
    }
    for (i, (title, branch, province)) in rows.iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_string(r, 0, title).unwrap();
        ws.write_string(r, col("สาขา อสม.ดีเด่น"), branch).unwrap();
        // A number cell, as Excel stores a typed year.
        ws.write_number(r, col("ปีงบประมาณ"), 2566).unwrap();
        ws.write_string(r, col("ผู้คิดค้นนวัตกรรม (อสม.)"), format!("อาสา คนที่ {i}"))
            .unwrap();
        ws.write_string(r, col("จังหวัด"), province).unwrap();
        ws.write_string(r, col("ปัญหาสุขภาพในพื้นที่"), "ผู้สูงอายุในชุมชนมีโรคเรื้อรัง")
            .unwrap();
        ws.write_string(
            r,
            col("นวัตกรรม/ผลงานที่ดำเนินการในพื้นที่"),
            format!("นวัตกรรมลำดับ {i}: ใช้วัสดุในชุมชนช่วยดูแลสุขภาพ"),
        )
        .unwrap();
        ws.write_string(r, col("ผลการดำเนินงาน"), "ผู้สูงอายุ 40 คนวัดความดันได้เองทุกสัปดาห์")
            .unwrap();
        ws.write_string(r, col("ปัจจัยความสำเร็จ"), "ชุมชนและ รพ.สต. ร่วมมือ")
            .unwrap();
    }
    book.save_to_buffer().unwrap()
}

async fn upload(
    app: &TestApp,
    client: &Client,
    unit: i64,
    publish: bool,
    name: &str,
    bytes: Vec<u8>,
) -> Response {
    let csrf = app.csrf(client, "/innovations/import").await;
    let form = Form::new()
        .text("csrf", csrf)
        .text("unit", unit.to_string())
        .text("publish", if publish { "1" } else { "0" })
        .part("file", Part::bytes(bytes).file_name(name.to_string()));
    client
        .post(app.url("/innovations/import"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn seed_rows() -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    for (branch, count, _) in SEED {
        for k in 0..count {
            rows.push((
                format!("นวัตกรรมสาขา {branch} ชิ้นที่ {k}"),
                branch.to_string(),
                PROVINCES[(rows.len()) % PROVINCES.len()].to_string(),
            ));
        }
    }
    rows
}

/// The seed's table as CSV lines: the branch names as the reference taxonomy has them.
async fn branch_labels(app: &TestApp) -> Vec<String> {
    let branches = app.core().import_branches().await.unwrap();
    assert_eq!(branches.len(), 13);
    branches.into_iter().map(|b| b.label).collect()
}

#[tokio::test]
async fn importing_the_seed_registry_gives_the_seed_table_on_the_page_in_xlsx_and_csv() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let unit = app.unit_id("DHSS-PHC").await;
    let headers = template_headers(&app, &admin).await;
    let rows = seed_rows();
    assert_eq!(rows.len(), 118);
    let res = upload(
        &app,
        &admin,
        unit,
        true,
        "seed000.xlsx",
        workbook(&headers, &rows),
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    assert_eq!(location(&res), "/innovations/import?done=published&n=118");
    let page = body(admin.get(app.url(&location(&res))).send().await.unwrap()).await;
    assert!(page.contains("นำเข้าและเผยแพร่นวัตกรรมแล้ว 118 รายการ"));
    // The import is one audited action naming the importer as approver.
    let audit = app.core().store.recent_audit(20).await.unwrap();
    let entry = audit
        .iter()
        .find(|e| e.action == "innovation.import")
        .expect("audited");
    assert!(entry.detail.contains("118 รายการ"), "{}", entry.detail);
    assert!(entry.detail.contains("ผู้นำเข้าเป็นผู้อนุมัติเผยแพร่"));

    let labels = branch_labels(&app).await;
    // The page, for anyone (anonymous), for that fiscal year.
    let anon = app.client();
    let html = body(
        anon.get(app.url("/innovations/statistics?year=๒๕๖๖"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    for ((_, count, share), label) in SEED.iter().zip(&labels) {
        let row = format!(
            "<th scope=\"row\">{label}</th><td class=\"num\">{count}</td><td class=\"num\">{share}</td>"
        );
        assert!(html.contains(&row), "missing {row}");
    }
    assert!(html.contains(
        "<th scope=\"row\">รวม</th><td class=\"num\">118</td><td class=\"num\">100.0</td>"
    ));
    assert!(html.contains("<svg class=\"chart\""), "the chart");
    assert!(html.contains("สสม.ภาคเหนือ"), "the cross-table");
    // Another year has none: the empty state, zeros, no chart.
    let other = body(
        anon.get(app.url("/innovations/statistics?year=2560"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(other.contains("ยังไม่มีนวัตกรรมที่เผยแพร่ตามเงื่อนไขนี้"));

    // The CSV, read back: BOM, then the title, the header and the seed's rows.
    let res = anon
        .get(app.url("/innovations/statistics.csv?year=2566"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF], "UTF-8 BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert!(lines[0].starts_with("นวัตกรรม จำแนกตามสาขา อสม.ดีเด่น"));
    assert_eq!(lines[1], "สาขา,จำนวน,ร้อยละ");
    for (i, ((_, count, share), label)) in SEED.iter().zip(&labels).enumerate() {
        assert_eq!(lines[2 + i], format!("{label},{count},{share}"));
    }
    assert_eq!(lines[15], "รวม,118,100.0");

    // The XLSX, read back: numbers as numbers, the same table; the cross-table sums to 118.
    use calamine::{Data, Reader, Xlsx};
    let res = anon
        .get(app.url("/innovations/statistics.xlsx?year=2566"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(sheet.get_value((1, 0)), Some(&Data::String("สาขา".into())));
    for (i, ((_, count, share), label)) in SEED.iter().zip(&labels).enumerate() {
        let r = 2 + i as u32;
        assert_eq!(sheet.get_value((r, 0)), Some(&Data::String(label.clone())));
        assert_eq!(
            sheet.get_value((r, 1)),
            Some(&Data::Float(f64::from(*count)))
        );
        let got = match sheet.get_value((r, 2)) {
            Some(Data::Float(f)) => format!("{f:.1}"),
            other => panic!("share {other:?}"),
        };
        assert_eq!(got, *share);
    }
    assert_eq!(sheet.get_value((15, 1)), Some(&Data::Float(118.0)));
    assert_eq!(sheet.get_value((15, 2)), Some(&Data::Float(100.0)));
    let cross = book.worksheet_range_at(1).unwrap().unwrap();
    let (height, width) = cross.get_size();
    assert_eq!(
        cross.get_value(((height - 1) as u32, (width - 1) as u32)),
        Some(&Data::Float(118.0)),
        "grand total of the cross-table"
    );
}

fn five_hundred_rows() -> Vec<(String, String, String)> {
    (0..500)
        .map(|i| {
            (
                format!("นวัตกรรมทดสอบ {i}"),
                ((i % 13) + 1).to_string(),
                PROVINCES[i % PROVINCES.len()].to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn an_import_of_500_rows_with_one_bad_row_saves_nothing_and_names_row_and_column() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let unit = app.unit_id("DHSS-PHC-NE").await;
    let headers = template_headers(&app, &admin).await;
    let mut rows = five_hundred_rows();
    // Excel row 37 = the 35th data row (rows 1–2 are the section and heading rows).
    rows[34].2 = "99".into();
    let started = std::time::Instant::now();
    let res = upload(
        &app,
        &admin,
        unit,
        true,
        "500.xlsx",
        workbook(&headers, &rows),
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert!(
        html.contains("แถว 37 คอลัมน์ จังหวัด: ไม่รู้จักรหัสจังหวัด 99"),
        "{html}"
    );
    assert!(html.contains("ยังไม่ได้นำเข้า — พบปัญหา 1 รายการ"));
    eprintln!("500-row check with one bad row: {:?}", started.elapsed());
    // Nothing was saved: no items, no innovations, no audit entry of an import.
    let items = app
        .core()
        .knowledge
        .list_items(&Default::default(), 1, 10)
        .await
        .unwrap();
    assert_eq!(items.total, 0);
    let counts = app.core().innovation_counts(None, None).await.unwrap();
    assert!(counts.is_empty(), "{counts:?}");
    let audit = app.core().store.recent_audit(50).await.unwrap();
    assert!(!audit.iter().any(|e| e.action == "innovation.import"));

    // Fixed, the same file goes in whole, to the screening queue this time.
    rows[34].2 = "ขอนแก่น".into();
    let started = std::time::Instant::now();
    let res = upload(
        &app,
        &admin,
        unit,
        false,
        "500.xlsx",
        workbook(&headers, &rows),
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    eprintln!("500-row import: {:?}", started.elapsed());
    assert_eq!(location(&res), "/innovations/import?done=submitted&n=500");
    let items = app
        .core()
        .knowledge
        .list_items(&Default::default(), 1, 10)
        .await
        .unwrap();
    assert_eq!(items.total, 500);
    assert!(
        items
            .items
            .iter()
            .all(|i| i.status == khlang_core::item::ItemStatus::Submitted)
    );
    // Submitted, not published: the statistics do not count them yet.
    let stats = body(
        app.client()
            .get(app.url("/innovations/statistics"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(stats.contains("ยังไม่มีนวัตกรรมที่เผยแพร่ตามเงื่อนไขนี้"));
}

#[tokio::test]
async fn wrong_files_and_wrong_people_get_thai_answers() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let unit = app.unit_id("DHSS-PHC-S").await;
    for (name, bytes) in [
        ("registry.csv", b"a,b\r\n1,2\r\n".to_vec()),
        ("slides.xlsx", b"%PDF-1.7 not a workbook".to_vec()),
        ("broken.xlsx", b"PK\x03\x04 broken zip".to_vec()),
    ] {
        let res = upload(&app, &admin, unit, false, name, bytes).await;
        assert_eq!(res.status(), 422, "{name}");
        let html = body(res).await;
        assert!(
            html.contains("ไฟล์นี้ไม่ใช่ไฟล์ Excel แบบ .xlsx"),
            "{name}: {html}"
        );
    }
    // No file at all; a workbook that is not the template.
    let res = upload(&app, &admin, unit, false, "", Vec::new()).await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("กรุณาเลือกไฟล์ Excel (.xlsx)"));
    let res = upload(
        &app,
        &admin,
        unit,
        false,
        "other.xlsx",
        workbook(&["ชื่อนวัตกรรม/ผลงานเด่น".to_string()], &[]),
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("ไม่พบคอลัมน์นี้ในแถวหัวตาราง"));

    // A KM officer imports for screening but may not publish; a contributor may not import.
    let officer = member(&app, "kmofficer", "DHSS-PHC-S", "km_officer").await;
    let page = body(
        officer
            .get(app.url("/innovations/import"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        !page.contains("เผยแพร่ทันที"),
        "no publish choice without the right"
    );
    let headers = template_headers(&app, &officer).await;
    let one = vec![("ก".to_string(), "1".to_string(), "90".to_string())];
    let res = upload(
        &app,
        &officer,
        unit,
        true,
        "one.xlsx",
        workbook(&headers, &one),
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("คุณไม่มีสิทธิ์อนุมัติเผยแพร่ในหน่วยงานนี้"));
    let res = upload(
        &app,
        &officer,
        unit,
        false,
        "one.xlsx",
        workbook(&headers, &one),
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let contributor = member(&app, "contrib", "DHSS-PHC-S", "contributor").await;
    assert_eq!(
        contributor
            .get(app.url("/innovations/import"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        contributor
            .get(app.url("/innovations/import/template.xlsx"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    // Anonymous visitors are sent to sign in.
    let res = app
        .client()
        .get(app.url("/innovations/import"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn bad_statistics_filters_are_thai_field_errors() {
    let app = spawn_app().await;
    let anon = app.client();
    let res = anon
        .get(app.url("/innovations/statistics?year=2024"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("ดูเหมือนปี ค.ศ. (ตรงกับ พ.ศ. 2567)"));
    let res = anon
        .get(app.url("/innovations/statistics?unit=999999&year=abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert!(html.contains("ไม่พบหน่วยงานที่เลือก"));
    assert!(html.contains("ปีงบประมาณต้องเป็นปี พ.ศ. 4 หลัก"));
    let res = anon
        .get(app.url("/innovations/statistics.csv?year=abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    // Empty registry: the page works, zeros everywhere, downloads work.
    let unit = app.unit_id("DHSS-PHC-N").await;
    let res = anon
        .get(app.url(&format!("/innovations/statistics?unit={unit}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = body(res).await;
    assert!(html.contains("ยังไม่มีนวัตกรรมที่เผยแพร่ตามเงื่อนไขนี้"));
    assert!(html.contains("<td class=\"num\">0</td><td class=\"num\">0.0</td>"));
    let res = anon
        .get(app.url(&format!("/innovations/statistics.xlsx?unit={unit}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}
