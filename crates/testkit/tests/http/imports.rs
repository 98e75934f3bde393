//! Issue 15, bringing knowledge in: a real WordPress export (made by Debian's WordPress, see
//! `fixtures/wxr/README.md`) with its uploads ZIP, and khlang's workbook with a ZIP of 300
//! documents. Each is read into a dry run first, imported in a background job with progress,
//! and imported again without making anything new. Bad input — broken XML, a file that is not
//! an export, a ZIP that is not a ZIP, bad rows — is refused in Thai with nothing made.

use super::*;
use khlang_core::item::ItemStatus;
use khlang_core::jobs::{Job, JobState};
use khlang_core::org::Actor;
use khlang_core::ports::ItemFilter;
use khlang_testkit::reqwest::multipart::{Form, Part};
use khlang_testkit::{PASSWORD, TestApp, spawn_app};
use std::io::Write;

const UNIT: &str = "DHSS-PHC";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/fixtures/wxr/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// Someone holding `role` on [`UNIT`], signed in, and as the core sees them.
async fn person(app: &TestApp, name: &str, role: &str) -> (Client, Actor) {
    let user = app.user_with_role(name, UNIT, role).await;
    let actor = app.core().actor_for(&user).await.unwrap();
    (app.sign_in(name, PASSWORD).await, actor)
}

/// POSTs an upload to `/imports/new` as the page's form does.
async fn upload(
    app: &TestApp,
    client: &Client,
    source: &str,
    target: &str,
    file: Option<(&str, Vec<u8>)>,
    bundle: Option<Vec<u8>>,
) -> Response {
    let csrf = app.csrf(client, "/imports").await;
    let mut form = Form::new()
        .text("csrf", csrf)
        .text("source", source.to_string())
        .text("unit", app.unit_id(UNIT).await.to_string())
        .text("target", target.to_string());
    if let Some((name, bytes)) = file {
        form = form.part("file", Part::bytes(bytes).file_name(name.to_string()));
    }
    if let Some(bytes) = bundle {
        form = form.part("bundle", Part::bytes(bytes).file_name("files.zip"));
    }
    client
        .post(app.url("/imports/new"))
        .multipart(form)
        .send()
        .await
        .expect("POST /imports/new")
}

/// The dry-run page an accepted upload leads to.
async fn staged(app: &TestApp, client: &Client, res: Response) -> (String, String) {
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let page = location(&res);
    let html = body(client.get(app.url(&page)).send().await.unwrap()).await;
    (page, html)
}

/// Presses "เริ่มนำเข้า" on the dry-run page, runs the job to its end and returns it.
async fn import(app: &TestApp, client: &Client, actor: &Actor, page: &str) -> Job {
    let res = post_form(app, client, page, &format!("{page}/start"), &[]).await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    app.core().run_pending_jobs().await.expect("jobs");
    let jobs = app.core().my_jobs(actor).await.unwrap();
    let job = jobs.into_iter().next().expect("a job");
    assert_eq!(job.state, JobState::Done, "{:?}", job.error);
    job
}

/// The job's report: a CSV line per entry saying what became of it.
async fn report(app: &TestApp, actor: &Actor, job: &Job) -> String {
    let (file, stream) = app.core().open_job_file(actor, job.id).await.unwrap();
    assert!(file.name.ends_with(".csv"));
    let chunks: Vec<bytes::Bytes> = futures::TryStreamExt::try_collect(stream).await.unwrap();
    String::from_utf8(chunks.concat()).unwrap()
}

async fn all_items(app: &TestApp) -> Vec<khlang_core::ports::ItemSummary> {
    let mut out = Vec::new();
    for page in 1.. {
        let p = app
            .core()
            .knowledge
            .list_items(&ItemFilter::default(), page, 100)
            .await
            .unwrap();
        let n = p.items.len();
        out.extend(p.items);
        if n < 100 {
            return out;
        }
    }
    out
}

async fn items(app: &TestApp, status: Option<ItemStatus>) -> u64 {
    let filter = ItemFilter {
        statuses: status.into_iter().collect(),
        ..Default::default()
    };
    app.core()
        .knowledge
        .list_items(&filter, 1, 1)
        .await
        .expect("items")
        .total
}

fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        out.start_file(name.as_str(), opts).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// A small real PDF whose text says which document it is.
fn pdf(n: usize) -> Vec<u8> {
    format!(
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n\
         3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n% document {n}\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    .into_bytes()
}

/// khlang's workbook as an officer fills it in: the section row, the headings, the rows.
fn workbook(rows: &[Vec<String>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "ข้อมูลองค์ความรู้").unwrap();
    for (c, h) in khlang_core::imports::sheet::headings().iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 2, c as u16, v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

/// A row in the template's column order: ref, title, summary, unit, category, type, fiscal
/// year, authors, tags, files, body.
fn row(cells: [&str; 11]) -> Vec<String> {
    cells.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn a_sheet_and_zip_of_300_documents_import_in_the_background_and_a_second_run_adds_nothing() {
    let app = spawn_app().await;
    let (officer, actor) = person(&app, "importer", "km_officer").await;
    let category = app.core().vocabulary().await.unwrap().terms[0]
        .label_th
        .clone();
    let mut rows = Vec::new();
    let mut files = Vec::new();
    for n in 1..=300 {
        let name = format!("เอกสาร-{n:03}.pdf");
        rows.push(row([
            "",
            &format!("คู่มือการดูแลผู้สูงอายุในชุมชน ฉบับที่ {n}"),
            "แนวทางสำหรับอาสาสมัครสาธารณสุขประจำหมู่บ้าน",
            "",
            &category,
            "ความรู้ที่ชัดแจ้ง",
            "๒๕๖๗",
            "สมศรี ใจดี, สมชาย รักงาน",
            "ผู้สูงอายุ, เยี่ยมบ้าน",
            &name,
            if n == 7 {
                "ตำบลหนองบัวแดงใช้สมุดพกสุขภาพเป็นเครื่องมือ"
            } else {
                ""
            },
        ]));
        files.push((format!("เอกสาร/{name}"), pdf(n)));
    }
    let sheet = workbook(&rows);
    let zip = zip_of(&files);

    let res = upload(
        &app,
        &officer,
        "sheet",
        "screening",
        Some(("รายการ.xlsx", sheet.clone())),
        Some(zip.clone()),
    )
    .await;
    let (page, html) = staged(&app, &officer, res).await;
    assert!(
        html.contains("นำเข้าใหม่ 300 เรื่อง (ไฟล์แนบ 300 ไฟล์)"),
        "{html}"
    );
    assert!(!html.contains("ยังนำเข้าไม่ได้"), "{html}");
    assert_eq!(items(&app, None).await, 0, "the dry run makes nothing");

    let job = import(&app, &officer, &actor, &page).await;
    assert_eq!((job.progress.done, job.progress.total), (300, 300));
    assert_eq!(
        items(&app, Some(ItemStatus::Submitted)).await,
        300,
        "all 300 wait for screening"
    );
    let csv = report(&app, &actor, &job).await;
    assert_eq!(
        csv.lines().filter(|l| l.contains(",นำเข้าแล้ว,")).count(),
        300
    );

    // Each item carries its file, its fields as typed, and its row's body.
    let html = body(officer.get(app.url(&page)).send().await.unwrap()).await;
    assert!(html.contains("เรื่องที่นำเข้าแล้ว (300 เรื่อง)"), "{html}");
    let listed = all_items(&app).await;
    let seventh = listed
        .iter()
        .find(|i| i.title == "คู่มือการดูแลผู้สูงอายุในชุมชน ฉบับที่ 7")
        .expect("row 7");
    let item = app.core().knowledge.get_item(seventh.id).await.unwrap();
    assert_eq!(item.fields.fiscal_year, Some(2567));
    assert_eq!(item.fields.authors, vec!["สมศรี ใจดี", "สมชาย รักงาน"]);
    assert!(item.fields.body.contains("สมุดพกสุขภาพ"));
    let files = app.core().knowledge.item_files(item.id).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].name, "เอกสาร-007.pdf");
    assert_eq!(files[0].mime, "application/pdf");

    // The same sheet and ZIP again: the dry run finds them all, the import adds nothing.
    let res = upload(
        &app,
        &officer,
        "sheet",
        "screening",
        Some(("รายการ.xlsx", sheet)),
        Some(zip),
    )
    .await;
    let (again, html) = staged(&app, &officer, res).await;
    assert!(html.contains("นำเข้าใหม่ 0 เรื่อง"), "{html}");
    assert!(html.contains("มีอยู่แล้ว ข้าม 300 เรื่อง"), "{html}");
    let job = import(&app, &officer, &actor, &again).await;
    let csv = report(&app, &actor, &job).await;
    assert_eq!(
        csv.lines().filter(|l| l.contains(",มีอยู่แล้ว (ข้าม),")).count(),
        300
    );
    assert_eq!(items(&app, None).await, 300);
}

#[tokio::test]
async fn bad_rows_are_told_row_by_row_and_nothing_is_imported() {
    let app = spawn_app().await;
    let (officer, actor) = person(&app, "importer", "km_officer").await;
    let zip = zip_of(&[
        ("a/คู่มือ.pdf".into(), pdf(1)),
        ("b/คู่มือ.pdf".into(), pdf(2)),
        ("ภาพ.exe".into(), b"MZ\x90\x00 not a document".to_vec()),
    ]);
    let rows = vec![
        row(["", "เรื่องที่ดี", "", "", "", "", "", "", "", "a/คู่มือ.pdf", ""]),
        row(["", "", "", "", "", "", "", "", "", "", ""]),
        row([
            "",
            "ไม่มีชื่อ",
            "",
            "หน่วยงานลับ",
            "หมวดที่ไม่มี",
            "ประเภทแปลก",
            "67",
            "",
            "",
            "ไม่มี.pdf",
            "",
        ]),
        row(["", "ชื่อไฟล์ซ้ำ", "", "", "", "", "", "", "", "คู่มือ.pdf", ""]),
        row(["", "ไฟล์โปรแกรม", "", "", "", "", "", "", "", "ภาพ.exe", ""]),
        row(["", "เรื่องที่ดี", "", "", "", "", "", "", "", "a/คู่มือ.pdf", ""]),
    ];
    let res = upload(
        &app,
        &officer,
        "sheet",
        "draft",
        Some(("bad.xlsx", workbook(&rows))),
        Some(zip),
    )
    .await;
    let (page, html) = staged(&app, &officer, res).await;
    assert!(html.contains("ยังนำเข้าไม่ได้"), "{html}");
    for expected in [
        "แถวที่ 5", // row numbers as Excel shows them (two heading rows)
        "หน่วยงานลับ",
        "หมวดที่ไม่มี",
        "ประเภทแปลก",
        "ไม่มี.pdf",
        "หลายไฟล์",
        "ซ้ำกับแถวที่ 3",
    ] {
        let thai = khlang_core::text::thai_digits(expected);
        assert!(
            html.contains(expected) || html.contains(&thai),
            "{expected}: {html}"
        );
    }
    assert!(
        html.contains("ภาพ.exe"),
        "a program in the ZIP is refused: {html}"
    );
    assert!(!html.contains("เริ่มนำเข้า "), "no start button: {html}");
    // Pressing start anyway (an old tab) changes nothing.
    let res = post_form(&app, &officer, &page, &format!("{page}/start"), &[]).await;
    assert_eq!(res.status(), 409);
    assert_eq!(app.core().run_pending_jobs().await.unwrap(), 0);
    assert_eq!(items(&app, None).await, 0);

    // Not a workbook at all, and a "ZIP" that is not one: refused before anything is kept.
    let res = upload(
        &app,
        &officer,
        "sheet",
        "draft",
        Some(("x.xlsx", b"name,file\n".to_vec())),
        None,
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains(".xlsx"));
    let res = upload(
        &app,
        &officer,
        "sheet",
        "draft",
        Some(("ok.xlsx", workbook(&rows[..1]))),
        Some(b"not a zip".to_vec()),
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("ไม่ใช่ไฟล์ ZIP"));
    assert_eq!(
        app.core().my_imports(&actor).await.unwrap().len(),
        1,
        "refused uploads keep nothing"
    );
}

#[tokio::test]
async fn the_template_workbook_lists_columns_units_categories_and_types() {
    let app = spawn_app().await;
    let (officer, _) = person(&app, "importer", "km_officer").await;
    let res = officer
        .get(app.url("/imports/template.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names = book.sheet_names();
    assert_eq!(
        names,
        vec!["องค์ความรู้", "วิธีกรอก", "หน่วยงาน", "หมวดหมู่", "ประเภทความรู้"]
    );
    let first = book.worksheet_range_at(0).unwrap().unwrap();
    let headings: Vec<String> = first
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(headings, khlang_core::imports::sheet::headings());
    let units = book.worksheet_range("หน่วยงาน").unwrap();
    let unit = app.unit_id(UNIT).await.to_string();
    assert!(units.rows().any(|r| r[0].to_string() == unit));
}

#[tokio::test]
async fn only_km_officers_import_and_only_screeners_publish_straight_away() {
    let app = spawn_app().await;
    let (volunteer, _) = person(&app, "volunteer", "contributor").await;
    assert_eq!(
        volunteer
            .get(app.url("/imports"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let (officer, _) = person(&app, "officer", "km_officer").await;
    let res = upload(
        &app,
        &officer,
        "wordpress",
        "as_source",
        Some(("export.xml", fixture("export.xml"))),
        None,
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("ผู้มีสิทธิ์กลั่นกรอง"));
    // Another officer's import is not there for them.
    let (admin, _) = person(&app, "unitadmin", "admin").await;
    let res = upload(
        &app,
        &admin,
        "wordpress",
        "draft",
        Some(("export.xml", fixture("export.xml"))),
        None,
    )
    .await;
    let (page, _) = staged(&app, &admin, res).await;
    assert_eq!(
        officer.get(app.url(&page)).send().await.unwrap().status(),
        404
    );
    let res = post_form(&app, &officer, "/imports", &format!("{page}/start"), &[]).await;
    assert_eq!(res.status(), 404);
    assert_eq!(app.core().run_pending_jobs().await.unwrap(), 0);
}

#[tokio::test]
async fn a_real_wordpress_export_imports_with_its_files_and_thai_search_finds_words_inside() {
    let app = spawn_app().await;
    // A unit administrator screens the unit's knowledge, so may keep WordPress's published
    // posts published.
    let (admin, actor) = person(&app, "webmaster", "admin").await;
    let (xml, zip) = (fixture("export.xml"), fixture("uploads.zip"));
    let res = upload(
        &app,
        &admin,
        "wordpress",
        "as_source",
        Some(("export.xml", xml.clone())),
        Some(zip.clone()),
    )
    .await;
    let (page, html) = staged(&app, &admin, res).await;
    // 100 posts (93 published, 6 drafts, 1 private) and 5 pages; the two deleted uploads told.
    assert!(html.contains("นำเข้าใหม่ 105 เรื่อง"), "{html}");
    assert!(html.contains("missing-photo-2024.jpg"), "{html}");
    assert!(html.contains("cop-summary-2567.pdf"), "{html}");
    assert!(html.contains("เป็นเรื่องส่วนตัวใน WordPress"), "{html}");
    assert!(!html.contains("ยังนำเข้าไม่ได้"), "{html}");
    assert_eq!(items(&app, None).await, 0, "a dry run makes nothing");

    let job = import(&app, &admin, &actor, &page).await;
    assert_eq!((job.progress.done, job.progress.total), (105, 105));
    assert_eq!(items(&app, None).await, 105);
    assert_eq!(items(&app, Some(ItemStatus::Published)).await, 98);
    assert_eq!(items(&app, Some(ItemStatus::Draft)).await, 7);

    // A post keeps its author, date, categories-as-tags and attachments, and its pictures
    // point at the imported files.
    let listed = all_items(&app).await;
    let find = |title: &str| {
        listed
            .iter()
            .find(|i| i.title == title)
            .unwrap_or_else(|| panic!("{title}"))
            .id
    };
    let herbs = app
        .core()
        .knowledge
        .get_item(find("ชมรมผู้สูงอายุบ้านหนองบัว ออกกำลังกายด้วยไม้พลอง"))
        .await
        .unwrap();
    assert_eq!(herbs.status, ItemStatus::Published);
    assert!(!herbs.fields.authors.is_empty());
    assert!(
        herbs.published_at.unwrap().year() < 2026,
        "the post's own date is kept"
    );
    assert!(!herbs.fields.body.contains("<p>"), "HTML became Markdown");
    let mut with_files = 0;
    let mut pictures_pointed = 0;
    for i in &listed {
        let files = app.core().knowledge.item_files(i.id).await.unwrap();
        if !files.is_empty() {
            with_files += 1;
        }
        let item = app.core().knowledge.get_item(i.id).await.unwrap();
        if item.fields.body.contains("/files/") && item.fields.body.contains("/display") {
            pictures_pointed += 1;
        }
    }
    assert!(with_files >= 10, "{with_files} items have files");
    assert!(
        pictures_pointed >= 1,
        "pictures in the text point at the imported files"
    );

    // Thai search finds words inside the unspaced Thai of the bodies.
    let anon = app.client();
    for (q, title) in [
        ("ต้นกล้าสมุนไพร", "ชมรมผู้สูงอายุบ้านหนองบัว ออกกำลังกายด้วยไม้พลอง"),
        ("ขนมจีนน้ำยา", "ตำบลจัดการสุขภาพดีเด่น บ้านหนองไผ่ล้อม ปี 2566"),
        (
            "ส่งเสียงเตือน",
            "อบรมเชิงปฏิบัติการพัฒนาศักยภาพ อสม. รุ่นที่ ๓ ตำบลโนนสะอาด",
        ),
    ] {
        let found = body(
            anon.get(app.url(&format!("/search?q={q}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(found.contains(title), "{q} should find {title}");
    }

    // The same export again: everything is found, nothing new is made.
    let res = upload(
        &app,
        &admin,
        "wordpress",
        "as_source",
        Some(("export.xml", xml)),
        Some(zip),
    )
    .await;
    let (again, html) = staged(&app, &admin, res).await;
    assert!(html.contains("นำเข้าใหม่ 0 เรื่อง"), "{html}");
    import(&app, &admin, &actor, &again).await;
    assert_eq!(
        items(&app, None).await,
        105,
        "the second import adds nothing"
    );
}

#[tokio::test]
async fn broken_exports_and_zips_are_refused_in_thai_and_change_nothing() {
    let app = spawn_app().await;
    let (officer, actor) = person(&app, "officer", "km_officer").await;
    let xml = fixture("export.xml");
    let cut = xml[..xml.len() / 2].to_vec();
    let mut bad_tag = String::from_utf8(xml.clone()).unwrap();
    bad_tag = bad_tag.replacen("</wp:post_type>", "</wp:post_typ>", 1);
    for (file, bundle, expect) in [
        (cut, None, "เสียหาย"),
        (bad_tag.into_bytes(), None, "บรรทัด"),
        (
            b"<rss><channel><title>x</title></channel></rss>".to_vec(),
            None,
            "ไม่ใช่ไฟล์ส่งออกของ WordPress",
        ),
        (b"\x89PNG\r\n\x1a\n".to_vec(), None, "เสียหาย"),
        (
            xml.clone(),
            Some(b"PK\x03\x04 broken".to_vec()),
            "ไม่ใช่ไฟล์ ZIP",
        ),
    ] {
        let res = upload(
            &app,
            &officer,
            "wordpress",
            "draft",
            Some(("export.xml", file)),
            bundle,
        )
        .await;
        assert_eq!(res.status(), 422);
        let html = body(res).await;
        assert!(html.contains(expect), "{expect}: {html}");
    }
    let res = upload(&app, &officer, "wordpress", "draft", None, None).await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("กรุณาเลือกไฟล์ส่งออกของ WordPress"));
    assert!(app.core().my_imports(&actor).await.unwrap().is_empty());
    assert_eq!(items(&app, None).await, 0);
}

#[tokio::test]
async fn an_import_cut_short_resumes_where_it_stopped_and_makes_nothing_twice() {
    let app = spawn_app().await;
    let (officer, actor) = person(&app, "importer", "km_officer").await;
    let rows: Vec<Vec<String>> = (1..=20)
        .map(|n| {
            let (title, file) = (format!("บันทึกการประชุมครั้งที่ {n}"), format!("ประชุม-{n}.pdf"));
            row(["", &title, "", "", "", "", "", "", "", &file, ""])
        })
        .collect();
    let files: Vec<(String, Vec<u8>)> = (1..=20)
        .map(|n| (format!("ประชุม-{n}.pdf"), pdf(n)))
        .collect();
    let res = upload(
        &app,
        &officer,
        "sheet",
        "draft",
        Some(("ประชุม.xlsx", workbook(&rows))),
        Some(zip_of(&files)),
    )
    .await;
    let (page, _) = staged(&app, &officer, res).await;
    let id = khlang_core::imports::ImportId(page.rsplit('/').next().unwrap().parse().unwrap());
    let key = app
        .core()
        .import(&actor, id)
        .await
        .unwrap()
        .bundle
        .expect("the ZIP is kept");

    // The kept ZIP loses its last twelve files (a storage fault): the job stops at row 9,
    // before row 9's item exists.
    let broken = zip_of(&files[..8]);
    let stream: khlang_core::ports::ByteStream = Box::pin(futures::stream::once(async move {
        Ok(bytes::Bytes::from(broken))
    }));
    app.core().blobs.put(&key, stream).await.unwrap();
    let res = post_form(&app, &officer, &page, &format!("{page}/start"), &[]).await;
    assert_eq!(res.status(), 303);
    app.core().run_pending_jobs().await.unwrap();
    let failed = app.core().my_jobs(&actor).await.unwrap().remove(0);
    assert_eq!(failed.state, JobState::Failed);
    assert!(
        failed
            .error
            .as_deref()
            .unwrap_or("")
            .contains("ประชุม-9.pdf"),
        "{:?}",
        failed.error
    );
    assert_eq!(items(&app, None).await, 8);
    let html = body(officer.get(app.url(&page)).send().await.unwrap()).await;
    assert!(html.contains("นำเข้าต่อให้ครบ"), "{html}");

    // The ZIP is whole again; pressing the button carries on from row 9.
    let whole = zip_of(&files);
    let stream: khlang_core::ports::ByteStream = Box::pin(futures::stream::once(async move {
        Ok(bytes::Bytes::from(whole))
    }));
    app.core().blobs.put(&key, stream).await.unwrap();
    let job = import(&app, &officer, &actor, &page).await;
    assert_ne!(job.id, failed.id);
    assert_eq!(items(&app, None).await, 20, "every row once");
    let csv = report(&app, &actor, &job).await;
    assert_eq!(csv.lines().filter(|l| l.contains(",นำเข้าแล้ว,")).count(), 20);
    for i in all_items(&app).await {
        assert_eq!(
            app.core().knowledge.item_files(i.id).await.unwrap().len(),
            1,
            "{}",
            i.title
        );
    }
}

#[tokio::test]
async fn duplicate_slugs_are_told_and_both_posts_go_in_once_each() {
    let app = spawn_app().await;
    let (officer, actor) = person(&app, "officer", "km_officer").await;
    // An export edited by hand (or merged from two sites): two posts share one slug.
    let xml = String::from_utf8(fixture("export.xml")).unwrap().replace(
        "<![CDATA[km-monthly-meeting-2]]>",
        "<![CDATA[km-monthly-meeting]]>",
    );
    let res = upload(
        &app,
        &officer,
        "wordpress",
        "draft",
        Some(("export.xml", xml.clone().into_bytes())),
        None,
    )
    .await;
    let (page, html) = staged(&app, &officer, res).await;
    assert!(
        html.contains("ชื่อลิงก์ (slug) &#34;km-monthly-meeting&#34; ซ้ำ")
            || html.contains("km-monthly-meeting\" ซ้ำ")
            || html.contains("ซ้ำกับโพสต์"),
        "{html}"
    );
    assert!(
        html.contains("ไม่ได้ส่งไฟล์ ZIP"),
        "text only without the ZIP: {html}"
    );
    import(&app, &officer, &actor, &page).await;
    assert_eq!(items(&app, None).await, 105);
    assert_eq!(items(&app, Some(ItemStatus::Draft)).await, 105);
    let titles: Vec<String> = all_items(&app).await.into_iter().map(|i| i.title).collect();
    for t in [
        "ประชุมคณะทำงานจัดการความรู้ ประจำเดือนกันยายน 2566",
        "ประชุมคณะทำงานจัดการความรู้ ประจำเดือนมิถุนายน 2567",
    ] {
        assert_eq!(titles.iter().filter(|x| *x == t).count(), 1, "{t}");
    }
}

#[tokio::test]
async fn a_job_taken_up_before_the_start_request_links_it_runs_the_import_once() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    let (officer, actor) = person(&app, "importer", "km_officer").await;
    let rows = vec![row(["", "เรื่องเดียว", "", "", "", "", "", "", "", "", ""])];
    let res = upload(
        &app,
        &officer,
        "sheet",
        "draft",
        Some(("one.xlsx", workbook(&rows))),
        None,
    )
    .await;
    let (page, _) = staged(&app, &officer, res).await;
    let res = post_form(&app, &officer, &page, &format!("{page}/start"), &[]).await;
    assert_eq!(res.status(), 303);
    // The state a busy worker sees when it wakes before the start request links its job.
    app.runtime
        .db
        .execute_unprepared("UPDATE imports SET job_id = NULL")
        .await
        .unwrap();
    app.core().run_pending_jobs().await.unwrap();
    let job = app.core().my_jobs(&actor).await.unwrap().remove(0);
    assert_eq!(job.state, JobState::Done, "{:?}", job.error);
    assert_eq!(items(&app, None).await, 1);
    let html = body(officer.get(app.url(&page)).send().await.unwrap()).await;
    assert!(html.contains("เรื่องที่นำเข้าแล้ว (1 เรื่อง)"), "{html}");
}
