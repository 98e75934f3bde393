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
