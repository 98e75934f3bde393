//! End-to-end: real files from real producers (see fixtures/make.sh), synthetic PDFs and
//! ZIPs for the limits, and damaged input of every format.

use std::io::Write;

mod hostile;

use khlang_extract::{ExtractError, Extracted, Format, Limits, extract};

// Phrases from the seed documents (shared/seeds/000_… and 002_…), as make.sh writes them.
const REF: &str = "ที่ สธ ๐๗๐๗.๐๔/๒๑";
const DATE: &str = "วันที่ ๑๕ กุมภาพันธ์ ๒๕๖๗";
const SUBJECT: &str =
    "เรื่อง รายงานสรุปผลการพัฒนาศักยภาพบุคลากรในการจัดการความรู้ด้านสุขภาพและสุขภาพภาคประชาชน";
const TO: &str = "เรียน ผู้อำนวยการกองสนับสนุนสุขภาพภาคประชาชน";
const ENGLISH: &str = "Knowledge Management (KM) for village health volunteers";
const BODY: &str = "ตามที่ กองสนับสนุนสุขภาพภาคประชาชนได้จัดทำโครงการพัฒนาศูนย์นวัตกรรมและการจัดการความรู้ด้านสุขภาพและสุขภาพภาคประชาชน เพื่อเป็นศูนย์กลางในการเก็บรวบรวม เผยแพร่ จัดการความรู้ แบ่งปันความรู้ และเกิดการเรียนรู้ในการดูแลสุขภาพชุมชนในวงกว้างอย่างเป็นระบบ";
const OSM_COURSE: &str = "หลักสูตรการอบรม อสม.ออนไลน์";
const OSM_INSTITUTE: &str = "สถาบันฝึกอบรมและพัฒนา อสม.";
const OSM_SYSTEM: &str = "ระบบฝึกอบรม อสม.รูปแบบใหม่";
const KINDNESS: &str = "ความมีน้ำใจของเจ้าหน้าที่ทุกคน";
const HEADER: &str = "หัวกระดาษ กองสนับสนุนสุขภาพภาคประชาชน";
const FOOTER: &str = "ท้ายกระดาษ กลุ่มพัฒนาวิชาการและนวัตกรรม";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn text_of(format: Format, name: &str) -> String {
    let got = extract(format, &fixture(name), &Limits::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(!got.truncated, "{name}");
    got.text
}

/// Whitespace runs become one space, so layout differences do not matter.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[track_caller]
fn assert_phrases(text: &str, phrases: &[&str]) {
    let hay = squash(text);
    for p in phrases {
        assert!(hay.contains(&squash(p)), "missing {p:?} in:\n{text}");
    }
}

/// For PDFs, where a long Thai phrase wraps at a line end: compare without any whitespace.
#[track_caller]
fn assert_phrases_across_lines(text: &str, phrases: &[&str]) {
    let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let hay = strip(text);
    for p in phrases {
        assert!(hay.contains(&strip(p)), "missing {p:?} in:\n{text}");
    }
}

/// What the ready-made PDF extractors produce from these files (see the crate docs), plus
/// anything a font map can leak.
#[track_caller]
fn assert_clean_thai(text: &str) {
    for bad in ["ดูาน", "ศ้นย์", "เมื อ", "ที ", "ดํา", "เป็ น", "ปั น"]
    {
        assert!(!text.contains(bad), "{bad:?} in:\n{text}");
    }
    assert!(
        !text
            .chars()
            .any(|c| c == '\0' || ('\u{F700}'..='\u{F8FF}').contains(&c)),
        "control or private-use character in:\n{text}"
    );
}

fn slide_titles(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("สไลด์ที่"))
        .map(str::to_owned)
        .collect()
}

fn all_titles() -> Vec<String> {
    (1..=11).map(|n| format!("สไลด์ที่ {n}")).collect()
}

#[test]
fn docx_body_table_footnote_header_footer() {
    let text = text_of(Format::Docx, "sample.docx");
    assert_phrases(
        &text,
        &[
            REF,
            DATE,
            SUBJECT,
            TO,
            ENGLISH,
            BODY,
            OSM_COURSE,
            OSM_INSTITUTE,
            OSM_SYSTEM,
            KINDNESS,
            HEADER,
            FOOTER,
        ],
    );
    assert!(
        text.contains(&format!("{REF}\t{DATE}")),
        "w:tab is a tab:\n{text}"
    );
    assert!(
        text.contains(&format!("{TO}\n{ENGLISH}")),
        "w:br is a newline:\n{text}"
    );
}

#[test]
fn odt_body_table_footnote_header_footer() {
    let text = text_of(Format::OpenDocument, "sample.odt");
    assert_phrases(
        &text,
        &[
            REF,
            DATE,
            SUBJECT,
            TO,
            ENGLISH,
            BODY,
            OSM_COURSE,
            OSM_INSTITUTE,
            OSM_SYSTEM,
            KINDNESS,
            HEADER,
            FOOTER,
        ],
    );
    assert!(
        text.contains(&format!("{OSM_COURSE}\tปี 2566\t๕ แห่ง")),
        "table row on one line:\n{text}"
    );
}

#[test]
fn libreoffice_writer_pdf() {
    let text = text_of(Format::Pdf, "writer.pdf");
    assert_phrases(
        &text,
        &[
            REF,
            DATE,
            TO,
            ENGLISH,
            KINDNESS,
            HEADER,
            FOOTER,
            "อย่างเป็นระบบ",
            "แบ่งปันความรู้",
            "ปี 2566 ๕ แห่ง",
            "KM Action Plan",
        ],
    );
    assert_phrases_across_lines(
        &text,
        &[SUBJECT, BODY, OSM_COURSE, OSM_INSTITUTE, OSM_SYSTEM],
    );
    assert_clean_thai(&text);
}

#[test]
fn permissions_only_pdf_reads_like_the_plain_one() {
    // RC4-encrypted with an empty open password, as many official PDFs are.
    assert_eq!(
        text_of(Format::Pdf, "restricted.pdf"),
        text_of(Format::Pdf, "writer.pdf")
    );
}

#[test]
fn chromium_pdf() {
    let text = text_of(Format::Pdf, "chromium.pdf");
    assert_phrases(
        &text,
        &[
            "เมื่อวันที่ ๘ ธันวาคม ๒๕๖๖ ประชุมชี้แจงแนวทางการดำเนินงานตามภารกิจของหน่วยงาน",
            "ประจำปีงบประมาณ พ.ศ. 2567",
            OSM_INSTITUTE,
            OSM_COURSE,
            KINDNESS,
            ENGLISH,
        ],
    );
    assert_phrases_across_lines(
        &text,
        &["ข่าวประชาสัมพันธ์ ศูนย์พัฒนาการสาธารณสุขมูลฐาน ภาคตะวันออกเฉียงเหนือ"],
    );
    assert_clean_thai(&text);
}

#[test]
fn libreoffice_impress_pdf_pages_in_order() {
    let text = text_of(Format::Pdf, "impress.pdf");
    assert_eq!(slide_titles(&text), all_titles());
    assert_phrases(&text, &[OSM_COURSE, DATE, ENGLISH]);
    assert_phrases_across_lines(&text, &["การจัดการความรู้ด้านสุขภาพและสุขภาพภาคประชาชน"]);
    assert_clean_thai(&text);
}

#[test]
fn pptx_slides_in_order_with_notes() {
    let text = text_of(Format::Pptx, "sample.pptx");
    assert_eq!(slide_titles(&text), all_titles());
    assert_phrases(
        &text,
        &[
            "การจัดการความรู้ด้านสุขภาพและสุขภาพภาคประชาชน",
            ENGLISH,
            OSM_COURSE,
            DATE,
        ],
    );
    // Notes follow their slide.
    let notes = text.find(KINDNESS).expect("notes");
    assert!(text.find("สไลด์ที่ 2").unwrap() < notes && notes < text.find("สไลด์ที่ 3").unwrap());
    assert!(text.find("สไลด์ที่ 10").unwrap() < text.find(OSM_COURSE).unwrap());
}

#[test]
fn odp_slides_in_order_with_notes_and_no_master_prompts() {
    let text = text_of(Format::OpenDocument, "sample.odp");
    assert_eq!(slide_titles(&text), all_titles());
    assert_phrases(&text, &[KINDNESS, OSM_COURSE, DATE, ENGLISH]);
    assert!(
        !text.contains("Click to edit") && !text.contains("<number>"),
        "{text}"
    );
}

#[test]
fn xlsx_sheets_rows_and_cells() {
    assert_eq!(
        text_of(Format::Xlsx, "sample.xlsx"),
        "อสม\nหน่วยงาน\tปี\tจำนวน\nสถาบันฝึกอบรมและพัฒนา อสม.\t2566\t5\n\
         หลักสูตรการอบรม อสม.ออนไลน์\t2567\t12.5\n\n\
         KM\nKnowledge Management (KM) for village health volunteers\nวันที่ ๑๕ กุมภาพันธ์ ๒๕๖๗"
    );
}

#[test]
fn ods_sheets_rows_and_cells() {
    assert_eq!(
        text_of(Format::OpenDocument, "sample.ods"),
        "อสม\nหน่วยงาน\tปี\tจำนวน\nสถาบันฝึกอบรมและพัฒนา อสม.\t2566\t5\n\
         หลักสูตรการอบรม อสม.ออนไลน์\t2567\t12.5\n\n\
         KM\nKnowledge Management (KM) for village health volunteers\nวันที่ ๑๕ กุมภาพันธ์ ๒๕๖๗"
    );
}

#[test]
fn password_protected_files_are_encrypted() {
    let limits = Limits::default();
    assert_eq!(
        extract(Format::Pdf, &fixture("encrypted.pdf"), &limits),
        Err(ExtractError::Encrypted)
    );
    for format in [Format::Docx, Format::Xlsx, Format::Pptx] {
        assert_eq!(
            extract(format, &fixture("encrypted.docx"), &limits),
            Err(ExtractError::Encrypted)
        );
    }
    let manifest = r#"<manifest:manifest><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/></manifest:file-entry></manifest:manifest>"#;
    let odt = zip_of(&[
        ("META-INF/manifest.xml", manifest.as_bytes()),
        ("content.xml", b"\x9a\x01garbage"),
    ]);
    assert_eq!(
        extract(Format::OpenDocument, &odt, &limits),
        Err(ExtractError::Encrypted)
    );
}

#[test]
fn legacy_binary_office_is_unsupported() {
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend(std::iter::repeat_n(0u8, 4096));
    let got = extract(Format::Docx, &ole, &Limits::default());
    assert!(matches!(got, Err(ExtractError::Unsupported(_))), "{got:?}");
}

const ALL: [(Format, &str); 9] = [
    (Format::Pdf, "writer.pdf"),
    (Format::Pdf, "chromium.pdf"),
    (Format::Pdf, "impress.pdf"),
    (Format::Docx, "sample.docx"),
    (Format::Pptx, "sample.pptx"),
    (Format::Xlsx, "sample.xlsx"),
    (Format::OpenDocument, "sample.odt"),
    (Format::OpenDocument, "sample.ods"),
    (Format::OpenDocument, "sample.odp"),
];

#[track_caller]
fn assert_no_panic(name: &str, got: &Result<Extracted, ExtractError>) {
    if let Err(e) = got {
        assert!(!e.to_string().contains("panicked"), "{name}: {e}");
    }
}

#[test]
fn garbage_is_corrupt_for_every_format() {
    let garbage: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for (format, _) in ALL {
        for bytes in [
            &garbage[..],
            b"PK\x03\x04 not really a zip",
            b"%PDF-1.7\n%%EOF",
            b"x",
        ] {
            let got = extract(format, bytes, &Limits::default());
            assert!(
                matches!(got, Err(ExtractError::Corrupt(_))),
                "{format:?} {bytes:?}: {got:?}"
            );
        }
    }
}

#[test]
fn truncated_files_are_corrupt_for_every_format() {
    for (format, name) in ALL {
        let bytes = fixture(name);
        let mut cuts = vec![100, bytes.len() - 10];
        if format != Format::Pdf {
            cuts.push(bytes.len() / 2);
        }
        for cut in cuts {
            let got = extract(format, &bytes[..cut], &Limits::default());
            if format == Format::Pdf && cut > 100 {
                // A PDF that lost only its trailer is rebuilt by scanning for objects, as
                // viewers do: same text as the whole file.
                assert_eq!(
                    got.map(|x| x.text),
                    Ok(text_of(format, name)),
                    "{name} cut at {cut}"
                );
            } else {
                assert!(
                    matches!(got, Err(ExtractError::Corrupt(_))),
                    "{name} cut at {cut}: {got:?}"
                );
            }
        }
    }
}

/// Damaged bytes anywhere never panic the caller. A panic inside a reader would surface as
/// a Corrupt error saying so; none may.
#[test]
fn damaged_files_never_panic() {
    let mut seed = 0x2545_F491_u32;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed as usize
    };
    for (format, name) in ALL {
        let original = fixture(name);
        for cut in (0..original.len()).step_by(997) {
            assert_no_panic(name, &extract(format, &original[..cut], &Limits::default()));
        }
        for _ in 0..150 {
            let mut bytes = original.clone();
            for _ in 0..1 + next() % 8 {
                let i = next() % bytes.len();
                bytes[i] = next() as u8;
            }
            assert_no_panic(name, &extract(format, &bytes, &Limits::default()));
        }
    }
}

#[test]
fn output_is_capped_at_a_char_boundary() {
    for (format, name) in ALL {
        let full = text_of(format, name);
        let limits = Limits {
            max_output_chars: 25,
            ..Limits::default()
        };
        let got = extract(format, &fixture(name), &limits).unwrap();
        assert!(got.truncated, "{name}");
        assert!(got.text.chars().count() <= 25, "{name}: {:?}", got.text);
        // The cut keeps whole characters of the same text (the last word may be cut).
        let head: String = got.text.chars().take(15).collect();
        assert!(full.starts_with(&head), "{name}: {head:?} vs {full:?}");
    }
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, data) in entries {
        w.start_file(*name, options).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn word_package(document: &[u8]) -> Vec<u8> {
    zip_of(&[
        ("_rels/.rels", br#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#),
        ("word/document.xml", document),
    ])
}

#[test]
fn zip_bomb_stops_at_the_unzipped_budget() {
    let mut doc = b"<w:document><w:body>".to_vec();
    doc.extend(std::iter::repeat_n(&b"<w:p/>"[..], 2_000_000).flatten());
    doc.extend(b"</w:body></w:document>");
    let bomb = word_package(&doc);
    assert!(bomb.len() < 100_000, "{} bytes", bomb.len());
    let limits = Limits {
        max_unzipped_bytes: 1 << 20,
        ..Limits::default()
    };
    assert!(matches!(
        extract(Format::Docx, &bomb, &limits),
        Err(ExtractError::TooLarge(_))
    ));

    // The same with the sizes in the headers rewritten to claim 100 bytes: the inflater's
    // real output is what counts.
    let mut lying = bomb.clone();
    let real = (doc.len() as u32).to_le_bytes();
    let mut patched = 0;
    for i in 0..lying.len() - 4 {
        if lying[i..i + 4] == real {
            lying[i..i + 4].copy_from_slice(&100u32.to_le_bytes());
            patched += 1;
        }
    }
    assert!(patched >= 2, "local and central headers");
    let got = extract(Format::Docx, &lying, &limits);
    assert!(
        matches!(
            got,
            Err(ExtractError::TooLarge(_) | ExtractError::Corrupt(_))
        ),
        "{got:?}"
    );
    assert_no_panic("lying", &got);
}

#[test]
fn too_many_zip_entries() {
    let names: Vec<String> = (0..50).map(|i| format!("word/media/{i}.xml")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let limits = Limits {
        max_zip_entries: 10,
        ..Limits::default()
    };
    assert!(matches!(
        extract(Format::Docx, &zip_of(&entries), &limits),
        Err(ExtractError::TooLarge(_))
    ));
}

#[test]
fn word_without_relationships_uses_the_conventional_part() {
    let xml = r#"<w:document><w:body><w:p><w:r><w:t>อสม. &amp; KM</w:t></w:r></w:p></w:body></w:document>"#;
    let docx = zip_of(&[("word/document.xml", xml.as_bytes())]);
    assert_eq!(
        extract(Format::Docx, &docx, &Limits::default())
            .unwrap()
            .text,
        "อสม. & KM"
    );
    let got = extract(
        Format::Docx,
        &word_package(b"<w:document><w:body><w:p>"),
        &Limits::default(),
    );
    assert!(
        matches!(got, Err(ExtractError::Corrupt(_))),
        "unclosed XML: {got:?}"
    );
}

#[test]
fn pptx_without_a_slide_list_sorts_slides_by_number() {
    let slide = |t: &str| {
        format!(
            r#"<p:sld><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>{t}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"#
        )
    };
    let (s1, s2, s10) = (slide("หนึ่ง"), slide("สอง"), slide("สิบ"));
    let pptx = zip_of(&[
        ("ppt/presentation.xml", b"<p:presentation/>"),
        ("ppt/slides/slide10.xml", s10.as_bytes()),
        ("ppt/slides/slide2.xml", s2.as_bytes()),
        ("ppt/slides/slide1.xml", s1.as_bytes()),
    ]);
    let got = extract(Format::Pptx, &pptx, &Limits::default()).unwrap();
    assert_eq!(got.text, "หนึ่ง\n\nสอง\n\nสิบ");
}

/// A PDF with one Type 0 font whose ToUnicode map yields what Thai fonts really produce:
/// a Windows private-use tone mark, SARA AM split in shaper order, a tone mark before its
/// vowel, U+0000 for glyphs only ActualText explains, plus a Helvetica form XObject.
fn synthetic_pdf(content: &[u8]) -> Vec<u8> {
    use lopdf::{Document, Object, Stream, dictionary};
    let map = [
        (1, 0x0E1C),
        (2, 0x0E39),
        (3, 0xF70B),
        (4, 0x0E2D),
        (5, 0x0E4D),
        (6, 0x0E32),
        (7, 0x0E19),
        (8, 0x0E27),
        (9, 0x0E22),
        (10, 0x0E01),
        (11, 0x0E23),
        (12, 0x0000),
        (13, 0x0020),
        (14, 0x0E49),
        (15, 0x0E17),
        (16, 0x0E35),
        (17, 0x0E48),
    ];
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
    );
    cmap.push_str(&format!("{} beginbfchar\n", map.len()));
    for (code, uni) in map {
        cmap.push_str(&format!("<{code:04X}> <{uni:04X}>\n"));
    }
    cmap.push_str("endbfchar endcmap end end\n");

    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let to_unicode = doc.add_object(Stream::new(dictionary! {}, cmap.into_bytes()));
    let cid_font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "TestThai", "DW" => 500,
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"),
            "Supplement" => 0,
        },
    });
    let thai = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "TestThai", "Encoding" => "Identity-H",
        "DescendantFonts" => vec![cid_font.into()], "ToUnicode" => to_unicode,
    });
    let helvetica = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let form = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F2" => helvetica } },
        },
        b"BT /F2 12 Tf 72 600 Td (Form text) Tj ET".to_vec(),
    ));
    let mut contents = Stream::new(dictionary! {}, content.to_vec());
    contents.compress().unwrap();
    let contents = doc.add_object(contents);
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => contents,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Resources" => dictionary! {
            "Font" => dictionary! { "F1" => thai },
            "XObject" => dictionary! { "X1" => form },
        },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

const SYNTHETIC: &[u8] = b"BT /F1 16 Tf 72 700 Td
<000100020003000400050006000700080009000A0006000B> Tj
[-600] TJ
/Span <</ActualText <FEFF0E2D0E2A0E21002E>>> BDC <000C000C000C> Tj EMC
0 -24 Td <00070005000E0006000D000F00110010> Tj ET
/X1 Do";

#[test]
fn pdf_private_use_glyphs_split_sara_am_actual_text_and_forms() {
    let got = extract(Format::Pdf, &synthetic_pdf(SYNTHETIC), &Limits::default()).unwrap();
    assert_eq!(got.text, "ผู้อำนวยการ อสม.\nน้ำ ที่\nForm text");
}

#[test]
fn pdf_content_bomb_stops_at_the_budget() {
    let content = b"BT /F1 16 Tf 72 700 Td <0001> Tj ET\n".repeat(100_000);
    let pdf = synthetic_pdf(&content);
    assert!(pdf.len() < 100_000, "{} bytes", pdf.len());
    let limits = Limits {
        max_unzipped_bytes: 1 << 20,
        ..Limits::default()
    };
    assert!(matches!(
        extract(Format::Pdf, &pdf, &limits),
        Err(ExtractError::TooLarge(_))
    ));
    // Within the default budget the same file reads, capped by the output limit.
    let limits = Limits {
        max_output_chars: 1000,
        ..Limits::default()
    };
    let got = extract(Format::Pdf, &pdf, &limits).unwrap();
    assert!(got.truncated && got.text.starts_with("ผผผ"), "{got:?}");
}

/// A stack overflow aborts the process, which `catch_unwind` cannot stop; nesting depth must
/// be bounded by the parsers, not by the stack.
#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let mut content = b"BT /F1 16 Tf ".to_vec();
    content.extend(std::iter::repeat_n(b'[', 200_000));
    content.extend(b" TJ ET");
    let got = extract(Format::Pdf, &synthetic_pdf(&content), &Limits::default());
    assert!(got.is_ok(), "{got:?}");

    let mut raw = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages ".to_vec();
    raw.extend(std::iter::repeat_n(b'[', 200_000));
    raw.extend(b" >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
    assert_no_panic("nested", &extract(Format::Pdf, &raw, &Limits::default()));

    let mut xml = b"<w:document><w:body>".to_vec();
    xml.extend(b"<w:p>".repeat(200_000));
    let got = extract(Format::Docx, &word_package(&xml), &Limits::default());
    assert!(matches!(got, Err(ExtractError::Corrupt(_))), "{got:?}");
}

/// Files made to cost a careless reader hundreds of megabytes (issue 9: a 1 MB PDF took
/// 515 MB, 100k `/Kids` 441 MB) are refused as too large by the default limits; the
/// `peak_memory` example measures what each costs.
#[test]
fn hostile_pdfs_are_refused_as_too_large() {
    for (name, pdf) in [
        ("content bomb", hostile::content_bomb(64 << 20)),
        ("repeated kids", hostile::repeated_kids(100_000)),
        ("many pages", hostile::many_pages(20_000)),
        ("many operations", hostile::many_operations(5_000_000)),
        ("many objects", hostile::many_objects(300_000)),
        ("huge array", hostile::huge_array(1_000_000)),
    ] {
        assert!(pdf.len() < 20 << 20, "{name}: {} bytes", pdf.len());
        let got = extract(Format::Pdf, &pdf, &Limits::default());
        assert!(
            matches!(got, Err(ExtractError::TooLarge(_))),
            "{name}: {got:?}"
        );
    }
    // Below the limits the same shapes read.
    let got = extract(Format::Pdf, &hostile::many_pages(50), &Limits::default()).unwrap();
    assert_eq!(got.text.matches("Page").count(), 50);
    let got = extract(
        Format::Pdf,
        &hostile::repeated_kids(100),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(
        got.text.trim(),
        "Repeated page",
        "a page listed twice is read once"
    );
}
