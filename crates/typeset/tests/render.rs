//! The engine renders Thai documents; `KHLANG_PDF_OUT=/tmp/x.pdf` keeps the file for a look.

use khlang_core::print::{Align, Block, Cell, Document, Orientation, Shade, Table, Typesetter};
use khlang_typeset::TypstTypesetter;

fn sample() -> Document {
    let mut rows = Vec::new();
    for i in 0..40 {
        let mut row = vec![
            Cell::new(format!("{}", i + 1)).align(Align::Center),
            Cell::new(
                "จัดกิจกรรมแลกเปลี่ยนเรียนรู้ การจัดการความรู้ของหน่วยงาน \"quoted\" #set [x] $y$ *z* <tag> @ref",
            ),
        ];
        for m in 0..12 {
            row.push(Cell::new("").shade(if m % 3 == i % 3 {
                Shade::Dark
            } else {
                Shade::None
            }));
        }
        rows.push(row);
    }
    let mut header = vec![Cell::head("ลำดับ"), Cell::head("กิจกรรม")];
    header.extend(
        [
            "ต.ค.",
            "พ.ย.",
            "ธ.ค.",
            "ม.ค.",
            "ก.พ.",
            "มี.ค.",
            "เม.ย.",
            "พ.ค.",
            "มิ.ย.",
            "ก.ค.",
            "ส.ค.",
            "ก.ย.",
        ]
        .map(Cell::head),
    );
    let mut columns = vec![0.6, 6.0];
    columns.extend([1.0; 12]);
    Document {
        title: "แผนการจัดการความรู้ของหน่วยงาน ประจำปีงบประมาณ พ.ศ. ๒๕๖๘".into(),
        subtitle: vec!["สำนักงานสาธารณสุขจังหวัดฉะเชิงเทรา".into()],
        orientation: Orientation::Landscape,
        blocks: vec![
            Block::Heading {
                level: 1,
                text: "แบบฟอร์มที่ ๒".into(),
            },
            Block::Paragraph {
                text: "ผู้ใหญ่ลี้ ไม่ได้ป่วยเป็นไข้ แต่ได้ใช้ไม้ค้ำ ฤๅษี ฦๅ น้ำ ปั้น กตัญญู\nบรรทัดที่สอง".into(),
            },
            Block::Table(Table {
                columns,
                header: vec![header],
                rows,
                font_size: Some(9.0),
            }),
        ],
        footer: Some(
            "ร้อยละความสำเร็จของแผน = กิจกรรมที่ดำเนินการแล้ว ÷ กิจกรรมทั้งหมดที่ไม่ยกเลิก × 100".into(),
        ),
        ..Default::default()
    }
}

#[test]
fn renders_a_thai_document_to_pdf() {
    let t = std::time::Instant::now();
    let pdf = TypstTypesetter::new().pdf(&sample()).expect("typeset");
    eprintln!("{} bytes in {:?}", pdf.len(), t.elapsed());
    assert!(pdf.starts_with(b"%PDF"));
    if let Ok(path) = std::env::var("KHLANG_PDF_OUT") {
        std::fs::write(path, &pdf).unwrap();
    }
}

#[test]
fn an_empty_document_renders() {
    let pdf = TypstTypesetter::new()
        .pdf(&Document::default())
        .expect("typeset");
    assert!(pdf.starts_with(b"%PDF"));
}

/// A 4×3 red PNG.
const PNG: [u8; 73] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 4, 0, 0, 0, 3, 8, 2, 0,
    0, 0, 59, 150, 57, 145, 0, 0, 0, 16, 73, 68, 65, 84, 120, 156, 99, 56, 97, 99, 3, 71, 12, 56,
    57, 0, 43, 70, 15, 1, 115, 122, 12, 12, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

/// A knowledge book on A5 with Thai page numbers: cover, contents, a picture, QR codes.
/// `KHLANG_BOOK_OUT=/tmp/b.pdf` keeps it for a look.
#[test]
fn a_book_renders_on_a5_with_a_cover_contents_pictures_and_qr_codes() {
    use khlang_core::books::BookSpec;
    use khlang_core::books::layout::{BookItem, Picture, book_document};
    use khlang_core::ids::{ItemId, UnitId};
    use khlang_core::print::{Digits, Paper};
    let spec = BookSpec {
        title: "หนังสือองค์ความรู้ ประจำปีงบประมาณ พ.ศ. ๒๕๖๘".into(),
        subtitle: "ฉบับพกพา".into(),
        foreword: "คำนำ #set page(paper: \"a0\") [x] $y$".into(),
        unit_id: UnitId(1),
        fiscal_year: Some(2568),
        paper: Paper::A5,
        digits: Digits::Thai,
        items: vec![ItemId(1), ItemId(2)],
        base_url: "https://km.example.go.th".into(),
    };
    let item = |id: i64, title: &str, pictures: Vec<Picture>| BookItem {
        id: ItemId(id),
        title: title.into(),
        authors: vec!["สมศรี ใจดี".into()],
        unit: "สำนักงานสาธารณสุขจังหวัด".into(),
        fiscal_year: 2568,
        published_at: None,
        summary: "ผู้ใหญ่ลี้ ไม่ได้ป่วยเป็นไข้ แต่ได้ใช้ไม้ค้ำ ฤๅษี ฦๅ น้ำ ปั้น กตัญญู".into(),
        body: "## วิธีการ\n\n- ขั้นที่หนึ่ง\n- ขั้นที่สอง\n\n| ก | ข |\n|---|---|\n| 1 | 2 |".repeat(8),
        pictures,
    };
    let items = [
        item(
            1,
            "เรื่องแรก",
            vec![Picture {
                bytes: PNG.to_vec().into(),
                ext: "png",
                caption: "ภาพทดสอบ".into(),
            }],
        ),
        item(2, "เรื่องที่สอง", Vec::new()),
    ];
    let doc = book_document(
        &spec,
        "สำนักงานสาธารณสุขจังหวัด",
        &items,
        time::OffsetDateTime::UNIX_EPOCH,
    );
    let pdf = TypstTypesetter::new().pdf(&doc).expect("typeset");
    assert!(pdf.starts_with(b"%PDF"));
    if let Ok(path) = std::env::var("KHLANG_BOOK_OUT") {
        std::fs::write(path, &pdf).unwrap();
    }
}
