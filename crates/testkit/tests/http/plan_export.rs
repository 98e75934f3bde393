//! Issue 12: a KM plan in the official layouts — the XLSX of seed 003's Forms 1 and 2 that
//! reads back to the same plan, the import that names every bad row and changes nothing, the
//! PDF with the unit's name as text, and who may import.

use super::*;
use khlang_core::ids::{PlanId, UnitId};
use khlang_core::org::Actor;
use khlang_core::planning::model::{
    Activity, ActivityStatus, FiscalYear, IssueRow, KmStep, Kpi, Period, PlanContent, Quantity,
    RequiredKnowledge,
};
use khlang_testkit::reqwest::multipart::{Form, Part};
use khlang_testkit::spawn_app;

const UNIT: &str = "CDD-P-24";
const UNIT_NAME: &str = "สำนักงานพัฒนาชุมชนจังหวัดฉะเชิงเทรา";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn year() -> FiscalYear {
    FiscalYear::parse("2564").unwrap()
}

/// Seed 003's Form 2 of สำนักงานพัฒนาชุมชนจังหวัดฉะเชิงเทรา, as the seed writes it: step,
/// title, period, indicator, target, target group, responsible, status.
const CHACHOENGSAO_FORM2: [[&str; 8]; 12] = [
    [
        "1",
        "เพิ่มทักษะการจัดการความรู้ในงานพัฒนาชุมชน (อบรมรูปแบบออนไลน์)",
        "ระหว่างวันที่ ๒๓-๒๕ มีนาคม ๒๕๖๔",
        "จำนวนองค์ความรู้ของเจ้าหน้าที่ที่เข้ารับ การอบรมสามารถผลิตสื่อองค์ความรู้ในรูปแบบ Infographic และ Clip VDO ได้",
        "๔ องค์ความรู้",
        "๑.เจ้าหน้าที่ผู้รับผิดชอบงาน ด้านจัดการความรู้ของสำนักงานพัฒนาชุมชนจังหวัด ๑ คน ๒)สำนักงานพัฒนาชุมชนอำเภอ ๓ คน",
        "สำนักงานพัฒนาชุมชนจังหวัด",
        "ดำเนินการแล้ว",
    ],
    [
        "1",
        "แจ้งแนวทางการดำเนินงานโครงการตลาดนัดการจัดการความรู้",
        "เมษายน ๒๕๖๔",
        "สำนักงานพัฒนาชุมชนมีความรู้ความเข้าใจในการจัดการความรู้",
        "เจ้าหน้าที่พัฒนาชุมชนอำเภอ/จังหวัด",
        "เจ้าหน้าที่พัฒนาชุมชนอำเภอ ๑๑อำเภอ",
        "สำนักงานพัฒนาชุมชนจังหวัด",
        "ดำเนินการแล้ว",
    ],
    [
        "2",
        "ส่งเสริม สนับสนุน ให้บุคลากรทุกคน มีการจัดการความรู้ของตนเองที่สอดคล้องกับองค์ความรู้ที่จำเป็นตามแผนจัดการความรู้ อย่างน้อยคนละ ๑ เรื่อง",
        "พฤษภาคม - มิถุนายน ๒๕๖๔",
        "บุคลากรได้รับการส่งเสริม สนับสนุนให้มีการจัดการความรู้ของตนเองที่สอดคล้องกับองค์ความรู้ที่จำเป็นตามแผนจัดการความรู้",
        "บุคลากรไม่น้อยกว่า ๖๐ คน",
        "๑) สำนักงานพัฒนาชุมชนจังหวัด ๑๒ คน ๒) สำนักงานพัฒนาชุมชนอำเภอ ๔๘ คน",
        "สำนักงานพัฒนาชุมชนจังหวัด",
        "อยู่ระหว่างดำเนินการ",
    ],
    [
        "2",
        "บุคลากรทุกคนมีการจัดการความรู้ของตนเองที่สอดคล้องกับองค์ความรู้ที่จำเป็นตามแผนจัดการความรู้ อย่างน้อยคนละ ๑ เรื่อง ส่งองค์ความรู้ให้กรมการพัฒนาชุมชน",
        "พฤษภาคม - มิถุนายน ๒๕๖๔",
        "จำนวนองค์ความรู้ในงานพัฒนาชุมชน",
        "๖๐ องค์ความรู้",
        "บุคลากรของ ๑) สำนักงานพัฒนาชุมชนจังหวัด ๑๒ คน ๒) สำนักงานพัฒนาชุมชนอำเภอ ๔๘ คน",
        "สำนักงานพัฒนาชุมชนจังหวัด",
        "อยู่ระหว่างดำเนินการ",
    ],
    [
        "2",
        "คัดเลือกและส่งรายชื่อเครือข่ายนักจัดการความรู้ให้กรมการพัฒนาชุมชน",
        "เมษายน ๒๕๖๔",
        "รายชื่อเครือข่ายนักจัดการความรู้กรมการพัฒนาชุมชน",
        "๑๒ คน",
        "๑) สำนักงานพัฒนาชุมชนจังหวัด ๑ คน ๑) สำนักงานพัฒนาชุมชนอำเภอ ๑๑ คน",
        "สำนักงานพัฒนาชุมชนจังหวัด",
        "อยู่ระหว่างดำเนินการ",
    ],
    [
        "2",
        "การสร้างเครือข่ายนักจัดการความรู้กรมการพัฒนาชุมชน",
        "เมษายน - พฤษภาคม ๒๕๖๔",
        "เครือข่ายนักจัดการความรู้ กรมการพัฒนาชุมชน",
        "๑๒ คน",
        "๑) บุคลากรสำนักงานพัฒนาชุมชนจังหวัด (จังหวัดละ ๑ คน) ๒) บุคลากรสำนักงานพัฒนาชุมชนอำเภอ (อำเภอละ ๑ คน)",
        "สำนักงานพัฒนาชุมชนจังหวัด",
        "",
    ],
    [
        "3",
        "จัดหมวดหมู่องค์ความรู้ แบ่งเป็น ๓ หมวด ดังนี้ (๑) การพัฒนาพื้นที่ต้นแบบฯ (๒) ภารกิจนโยบายสำคัญ (๓) ระเบียบ/กฎหมาย",
        "กรกฎาคม- สิงหาคม ๒๕๖๔",
        "จำนวนองค์ความรู้ ตามหมวดหมู่ที่กำหนด",
        "๖๐ องค์ความรู้",
        "๑) สำนักงานพัฒนา ชุมชนจังหวัด ๒) สำนักงานพัฒนา ชุมชนอำเภอ",
        "สำนักงานพัฒนา ชุมชนจังหวัด",
        "ระหว่าง ดำเนินการ",
    ],
    [
        "4",
        "จัดตั้งคณะทำงานประมวล และกลั่นกรององค์ความรู้ของ สำนักงานพัฒนาชุมชนจังหวัด",
        "พฤษภาคม ๒๕๖๔",
        "มีคณะทำงานประมวล และกลั่นกรององค์ ความรู้ของสำนักงาน พัฒนาชุมชนจังหวัด",
        "คณะทำงานประมวล และกลั่นกรององค์ ความรู้เพื่อจัดเก็บ คลังความรู้ของ สำนักงานฯ",
        "คณะทำงานประมวลฯ",
        "สำนักงานพัฒนา ชุมชนจังหวัด",
        "ระหว่าง ดำเนินการ",
    ],
    [
        "4",
        "คัดเลือกองค์ความรู้ โดยให้หน่วยงานต้นสังกัด กลั่นกรององค์ความรู้ งานพัฒนาชุมชน",
        "พฤษภาคม - สิงหาคม ๒๕๖๔",
        "จำนวนองค์ความรู้ ตามหมวดหมู่ที่กำหนด",
        "องค์ความรู้ที่นำเข้า ระบบคลังความรู้ จำนวน ๙๖๘ องค์ความรู้",
        "คณะทำงานประมวลฯ",
        "สำนักงานพัฒนา ชุมชนจังหวัด",
        "",
    ],
    [
        "4",
        "นำเข้าองค์ความรู้ ในระบบคลังความรู้",
        "พฤษภาคม - กันยายน ๒๕๖๔",
        "จำนวนองค์ความรู้ ตามหมวดหมู่ที่กำหนด",
        "องค์ความรู้ที่นำเข้า ระบบคลังความรู้ จำนวน ๖๐ องค์ความรู้",
        "คณะทำงานประมวลฯ",
        "สำนักงานพัฒนา ชุมชนจังหวัด",
        "อยู่ระหว่าง ดำเนินการ",
    ],
    [
        "5",
        "กิจกรรมการประชาสัมพันธ์ ช่องทางการเผยแพร่ องค์ความรู้ในงานพัฒนา ชุมชนในรูปแบบกลุ่มไลน์",
        "กรกฎาคม - สิงหาคม ๒๕๖๔",
        "จำนวนคนที่เข้าถึง ช่องทางคลังความรู้/ เผยแพร่ องค์ความรู้",
        "อย่างน้อย ๖๐ คน",
        "เจ้าหน้าที่สำนักงาน พัฒนาชุมชน",
        "สำนักงานพัฒนา ชุมชนจังหวัด",
        "",
    ],
    [
        "6",
        "กิจกรรมแลกเปลี่ยนเรียนรู้ ผ่านระบบกลุ่มไลน์",
        "กรกฎาคม - กันยายน ๒๕๖๔",
        "จำนวนองค์ความรู้ ที่แลกเปลี่ยนเรียนรู้ เกี่ยวกับโครงการพัฒนา พื้นที่ต้นแบบการพัฒนา คุณภาพชีวิตตามหลัก ทฤษฎีใหม่ประยุกต์สู่ “โคก หนอง นา โมเดล”",
        "แลกเปลี่ยนเรียนรู้ เกี่ยวกับโครงการ พัฒนาพื้นที่ต้นแบบ การพัฒนาคุณภาพ ชีวิตตามหลักทฤษฎี ใหม่ประยุกต์สู่ “โคก หนอง นา โมเดล”",
        "บุคลากรภายในองค์กร",
        "สำนักงานพัฒนา ชุมชนจังหวัด",
        "",
    ],
];

/// The seed's plan: Form 1 of the department (two issues, the first with KPIs and knowledge on
/// several rows) and Chachoengsao's Form 2.
fn chachoengsao() -> PlanContent {
    let activities = CHACHOENGSAO_FORM2
        .iter()
        .map(|r| Activity {
            step: KmStep::parse(r[0]).unwrap(),
            title: r[1].into(),
            period: Period::parse_th(r[2], year()).unwrap_or_else(|e| panic!("{}: {e}", r[2])),
            indicator: r[3].into(),
            target: Quantity::parse_th(r[4]),
            target_group: r[5].into(),
            responsible: r[6].into(),
            responsible_units: Vec::new(),
            status: ActivityStatus::parse(r[7]).unwrap(),
            evidence: Vec::new(),
        })
        .collect();
    let kpi = |name: &str, target: &str| Kpi {
        name: name.into(),
        target: target.into(),
    };
    let know = |text: &str| RequiredKnowledge {
        text: text.into(),
        term: None,
    };
    PlanContent {
        strategic_issues: "๑. สร้างสรรค์ชุมชนพึ่งตนเองได้ ๒. ส่งเสริมเศรษฐกิจฐานรากขยายตัวอย่างสมดุล ๓. เสริมสร้างทุนชุมชนให้มีธรรมาภิบาล ๔. เสริมสร้างองค์กร ให้มีขีดสมรรถนะสูง".into(),
        issues: vec![
            IssueRow {
                issue: "๑. สร้างสรรค์ชุมชน พึ่งตนเองได้".into(),
                objective: "หมู่บ้านเศรษฐกิจ พอเพียง มั่นคง มั่งคั่ง ยั่งยืน มีอาชีพ มีรายได้ และมีความสุข".into(),
                kpis: vec![
                    kpi("คริวเรือนที่มีข้อมูลความจำเป็นพื้นฐาน (จปฐ.)", "๑๒,๙๐๐,๐๐๐ คริวเรือน"),
                    kpi("หมู่บ้านที่มีข้อมูลพื้นฐานระดับหมู่บ้าน (กชช.๒ค)", "๗๐,๔๕๐ หมู่บ้าน"),
                    kpi("ร้อยละของคริวเรือนที่มีข้อมูล ความจำเป็นพื้นฐาน (จปฐ.) ที่เชื่อถือได้", "ร้อยละ ๙๐"),
                ],
                knowledge: vec![
                    know("องค์ความรู้ระบบการจัดการข้อมูลขนาดใหญ่ (Big Data system)"),
                    know("องค์ความรู้หลักสูตรการพัฒนาผู้นำชุมชน"),
                    know("องค์ความรู้ความสำเร็จ/แนวปฏิบัติที่ดี (Best Practice)\nจากการบูรณาการแผนไปใช้ประโยชน์"),
                    know("องค์ความรู้ปราชญ์สัมมาชีพ"),
                ],
            },
            IssueRow {
                issue: "๓. เสริมสร้างทุนชุมชนให้มีธรรมาภิบาล".into(),
                objective: "กองทุนชุมชนมีธรรมาภิบาล".into(),
                kpis: vec![kpi("ประชาชนกลุ่มเป้าหมายเข้าถึงแหล่งเงินทุน", "๑๕๐,๐๐๐ คน")],
                knowledge: vec![know("องค์ความรู้กระบวนการส่งเสริมการเข้าถึงแหล่งทุน")],
            },
        ],
        activities,
    }
}

/// A new account with `role` on `unit`, signed in, and its actor for core calls.
async fn signed_in(app: &TestApp, username: &str, unit: &str, role: &str) -> (Client, Actor) {
    let user = app.user_with_role(username, unit, role).await;
    let actor = app.core().actor_for(&user).await.unwrap();
    (app.sign_in(username, khlang_testkit::PASSWORD).await, actor)
}

/// A draft plan of Chachoengsao for 2564 holding `content`, made through the core by its
/// officer.
async fn plan_with(app: &TestApp, actor: &Actor, content: PlanContent) -> PlanId {
    let unit = UnitId(app.unit_id(UNIT).await);
    let plan = app
        .core()
        .create_plan(
            actor,
            unit,
            year(),
            khlang_core::planning::service::PlanStart::Blank,
        )
        .await
        .expect("create plan");
    let saved = app
        .core()
        .save_plan_content(actor, plan.id, plan.version, content)
        .await
        .expect("save content");
    saved.id
}

async fn content_of(app: &TestApp, actor: &Actor, id: PlanId) -> (PlanContent, i32) {
    let plan = app.core().km_plan(actor, id).await.unwrap();
    (plan.content, plan.version)
}

async fn upload(
    app: &TestApp,
    client: &Client,
    id: PlanId,
    name: &str,
    mime: &str,
    bytes: Vec<u8>,
) -> Response {
    let page = format!("/plans/{}/import", id.0);
    let csrf = app.csrf(client, &page).await;
    let form = Form::new().text("csrf", csrf).part(
        "file",
        Part::bytes(bytes)
            .file_name(name.to_string())
            .mime_str(mime)
            .unwrap(),
    );
    client
        .post(app.url(&page))
        .multipart(form)
        .send()
        .await
        .expect("POST import")
}

async fn download(app: &TestApp, client: &Client, path: &str) -> (String, Vec<u8>) {
    let res = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    let mime = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (mime, res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn the_xlsx_export_imports_back_to_the_same_plan() {
    let app = spawn_app().await;
    let (officer, km) = signed_in(&app, "ccs.km", UNIT, "km_officer").await;
    let id = plan_with(&app, &km, chachoengsao()).await;
    let (before, version) = content_of(&app, &km, id).await;
    assert_eq!(before, chachoengsao());

    let (mime, xlsx) = download(&app, &officer, &format!("/plans/{}/export.xlsx", id.0)).await;
    assert_eq!(mime, XLSX);

    // Seed 003's layout: two sheets, titles with the unit and the year, the forms' headers,
    // the step rows.
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.clone())).unwrap();
    assert_eq!(book.sheet_names(), ["แบบฟอร์มที่ ๑", "แบบฟอร์มที่ ๒"]);
    let form2 = book.worksheet_range("แบบฟอร์มที่ ๒").unwrap();
    let text: Vec<Vec<String>> = form2
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert!(text.iter().any(|r| r[0].contains(UNIT_NAME)), "{text:?}");
    assert!(text.iter().any(|r| r[0].contains("๒๕๖๔")));
    let header = text
        .iter()
        .position(|r| r[0] == "ลำดับ")
        .expect("header row");
    assert_eq!(
        text[header],
        [
            "ลำดับ",
            "กิจกรรมการจัดการความรู้",
            "ระยะเวลา",
            "ตัวชี้วัด",
            "เป้าหมาย",
            "กลุ่มเป้าหมาย",
            "ผู้รับผิดชอบ",
            "สถานะ"
        ]
    );
    assert_eq!(text[header + 1][..2], ["๑", "การบ่งชี้ความรู้"]);
    assert_eq!(text[header + 2][0], "๑)");

    let res = upload(&app, &officer, id, "plan.xlsx", XLSX, xlsx).await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let (after, new_version) = content_of(&app, &km, id).await;
    assert_eq!(after, before);
    assert!(new_version > version, "the import is a new version");
}

/// A workbook in the plan's layout with `n` activities under step 1; the one at index `bad`
/// has no indicator.
fn big_workbook(n: usize, bad: usize) -> (Vec<u8>, u32) {
    use rust_xlsxwriter::Workbook;
    let mut book = Workbook::new();
    let f1 = book.add_worksheet();
    f1.set_name("แบบฟอร์มที่ ๑").unwrap();
    let head1 = [
        "ประเด็นการพัฒนา",
        "เป้าประสงค์ (Objective)",
        "ตัวชี้วัด (KPI)",
        "เป้าหมายของตัวชี้วัด",
        "องค์ความรู้ที่จำเป็น",
    ];
    for (c, h) in head1.iter().enumerate() {
        f1.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in [
        "ประเด็นใหม่",
        "เป้าประสงค์ใหม่",
        "ตัวชี้วัดใหม่",
        "๑๐ เรื่อง",
        "ความรู้ใหม่",
    ]
    .iter()
    .enumerate()
    {
        f1.write_string(1, c as u16, *v).unwrap();
    }
    let f2 = book.add_worksheet();
    f2.set_name("แบบฟอร์มที่ ๒").unwrap();
    f2.write_string(0, 0, "ประเด็นยุทธศาสตร์: ใหม่").unwrap();
    let head2 = [
        "ลำดับ",
        "กิจกรรมการจัดการความรู้",
        "ระยะเวลา",
        "ตัวชี้วัด",
        "เป้าหมาย",
        "กลุ่มเป้าหมาย",
        "ผู้รับผิดชอบ",
        "สถานะ",
    ];
    for (c, h) in head2.iter().enumerate() {
        f2.write_string(1, c as u16, *h).unwrap();
    }
    f2.write_string(2, 0, "๑").unwrap();
    f2.write_string(2, 1, "การบ่งชี้ความรู้").unwrap();
    let mut bad_row = 0;
    for i in 0..n {
        let r = 3 + i as u32;
        let indicator = if i == bad {
            bad_row = r + 1;
            String::new()
        } else {
            format!("ตัวชี้วัดที่ {i}")
        };
        let cells = [
            format!("{})", i + 1),
            format!("กิจกรรมที่ {i}"),
            "พฤษภาคม ๒๕๖๔".into(),
            indicator,
            "๑ ครั้ง".into(),
            "บุคลากร".into(),
            "สพจ.".into(),
            "".into(),
        ];
        for (c, v) in cells.iter().enumerate() {
            if !v.is_empty() {
                f2.write_string(r, c as u16, v).unwrap();
            }
        }
    }
    (book.save_to_buffer().unwrap(), bad_row)
}

#[tokio::test]
async fn one_bad_row_in_three_hundred_changes_nothing_and_is_named() {
    let app = spawn_app().await;
    let (officer, km) = signed_in(&app, "ccs.km", UNIT, "km_officer").await;
    let id = plan_with(&app, &km, chachoengsao()).await;
    let before = content_of(&app, &km, id).await;

    let (xlsx, bad_row) = big_workbook(300, 211);
    let res = upload(&app, &officer, id, "plan.xlsx", XLSX, xlsx).await;
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    let expected = format!("แผ่นงาน แบบฟอร์มที่ ๒ แถวที่ {bad_row}: ไม่มีตัวชี้วัด");
    assert!(html.contains(&expected), "{expected} not in the page");
    assert!(html.contains("พบปัญหา 1 รายการ"));
    assert_eq!(content_of(&app, &km, id).await, before, "nothing changed");

    // The same file without the bad row replaces the plan whole.
    let (xlsx, _) = big_workbook(300, usize::MAX);
    let res = upload(&app, &officer, id, "plan.xlsx", XLSX, xlsx).await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let (after, _) = content_of(&app, &km, id).await;
    assert_eq!(after.activities.len(), 300);
    assert_eq!(after.issues.len(), 1);
    assert_eq!(after.strategic_issues, "ใหม่");
}

#[tokio::test]
async fn a_file_that_is_not_xlsx_is_refused_in_thai() {
    let app = spawn_app().await;
    let (officer, km) = signed_in(&app, "ccs.km", UNIT, "km_officer").await;
    let id = plan_with(&app, &km, chachoengsao()).await;
    let before = content_of(&app, &km, id).await;
    for (name, mime, bytes) in [
        (
            "plan.csv",
            "text/csv",
            "ลำดับ,กิจกรรม\n1,ก".as_bytes().to_vec(),
        ),
        ("plan.pdf", "application/pdf", b"%PDF-1.7\n".to_vec()),
        ("plan.xlsx", XLSX, b"PK\x03\x04broken".to_vec()),
    ] {
        let res = upload(&app, &officer, id, name, mime, bytes).await;
        assert_eq!(res.status(), 422, "{name}");
        let html = body(res).await;
        assert!(html.contains("ไม่ใช่ไฟล์ Excel แบบ .xlsx"), "{name}");
    }
    assert_eq!(content_of(&app, &km, id).await, before);
}

#[tokio::test]
async fn a_viewer_reads_the_exports_but_cannot_import() {
    let app = spawn_app().await;
    let (_, km) = signed_in(&app, "ccs.km", UNIT, "km_officer").await;
    let id = plan_with(&app, &km, chachoengsao()).await;
    let before = content_of(&app, &km, id).await;
    let viewer = member(&app, "ccs.viewer", UNIT, "viewer").await;

    let (_, xlsx) = download(&app, &viewer, &format!("/plans/{}/export.xlsx", id.0)).await;
    let res = viewer
        .get(app.url(&format!("/plans/{}/import", id.0)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Even with a valid token from another page, the upload is refused.
    let csrf = app.csrf(&viewer, "/account").await;
    let form = Form::new().text("csrf", csrf).part(
        "file",
        Part::bytes(xlsx)
            .file_name("plan.xlsx")
            .mime_str(XLSX)
            .unwrap(),
    );
    let res = viewer
        .post(app.url(&format!("/plans/{}/import", id.0)))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(content_of(&app, &km, id).await, before);

    // An officer of another province cannot even read it.
    let other = member(&app, "kk.km", "CDD-P-40", "km_officer").await;
    let res = other
        .get(app.url(&format!("/plans/{}/export.pdf", id.0)))
        .send()
        .await
        .unwrap();
    assert!(
        matches!(res.status().as_u16(), 403 | 404),
        "{}",
        res.status()
    );
}

#[tokio::test]
async fn the_pdf_is_a_pdf_with_the_unit_name_as_text() {
    let app = spawn_app().await;
    let (officer, km) = signed_in(&app, "ccs.km", UNIT, "km_officer").await;
    let id = plan_with(&app, &km, chachoengsao()).await;
    let (mime, pdf) = download(&app, &officer, &format!("/plans/{}/export.pdf", id.0)).await;
    assert_eq!(mime, "application/pdf");
    assert!(pdf.starts_with(b"%PDF"));
    if let Ok(path) = std::env::var("KHLANG_PLAN_PDF_OUT") {
        std::fs::write(path, &pdf).unwrap();
    }
    let text = khlang_extract::extract(
        khlang_extract::Format::Pdf,
        &pdf,
        &khlang_extract::Limits::default(),
    )
    .expect("text of the PDF")
    .text;
    // Lines may break anywhere between words; compare without spaces and break marks.
    let squeeze = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{200B}')
            .collect()
    };
    let text = squeeze(&text);
    assert!(
        text.contains(&squeeze(UNIT_NAME)),
        "unit name not in {text}"
    );
    assert!(text.contains(&squeeze("แผนการจัดการความรู้ของหน่วยงาน")));
    assert!(text.contains(&squeeze("การบ่งชี้ความรู้")));
}
