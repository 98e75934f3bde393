//! Word, PowerPoint and Excel files (Office Open XML): find the parts through the package's
//! relationships, as Office does, then walk their XML.
//!
//! Parts are found by relationship type rather than by fixed names because producers name
//! them differently (Google Docs, Strict OOXML, files renamed by repair tools).

use crate::output::Output;
use crate::package::{Package, resolve};
use crate::xml::{Node, attr, local, walk};
use crate::{ExtractError, Limits};

/// One `<Relationship>`: its id, the last segment of its type URI, and the resolved target.
struct Rel {
    id: String,
    kind: String,
    target: String,
}

/// The relationships of `part` ("" for the package root), internal targets only.
fn rels(pkg: &mut Package<'_>, part: &str) -> Result<Vec<Rel>, ExtractError> {
    let rels_name = match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None if part.is_empty() => "_rels/.rels".to_owned(),
        None => format!("_rels/{part}.rels"),
    };
    let Some(xml) = pkg.read(&rels_name)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    walk(&xml, &rels_name, |node| {
        if let Node::Empty(e) | Node::Start(e) = node
            && local(e) == b"Relationship"
            && attr(e, b"TargetMode", false).as_deref() != Some("External")
            && let (Some(id), Some(kind), Some(target)) = (
                attr(e, b"Id", false),
                attr(e, b"Type", false),
                attr(e, b"Target", false),
            )
        {
            out.push(Rel {
                id,
                kind: kind.rsplit('/').next().unwrap_or_default().to_owned(),
                target: resolve(part, &target),
            });
        }
        true
    })?;
    Ok(out)
}

/// The main part (document.xml, presentation.xml, workbook.xml) from the root relationships,
/// or the conventional name when the package has none.
fn main_part(pkg: &mut Package<'_>, fallback: &str) -> Result<String, ExtractError> {
    let found = rels(pkg, "")?
        .into_iter()
        .find(|r| r.kind == "officeDocument")
        .map(|r| r.target);
    match found {
        Some(p) if pkg.contains(&p) => Ok(p),
        _ if pkg.contains(fallback) => Ok(fallback.to_owned()),
        _ => Err(ExtractError::corrupt(format!("no {fallback} in package"))),
    }
}

/// Text of DrawingML or WordprocessingML: `t` runs, paragraph ends as newlines, `tab`/`br`.
/// `mc:Fallback` is skipped because it repeats its `mc:Choice` (text boxes in Word).
fn rich_text(xml: &[u8], part: &str, out: &mut Output) -> Result<(), ExtractError> {
    let mut in_text = false;
    let mut skip = 0usize;
    let mut tab_stops = 0usize;
    walk(xml, part, |node| {
        match node {
            Node::Start(e) => match local(e) {
                b"t" => in_text = true,
                b"Fallback" => skip += 1,
                b"tabs" => tab_stops += 1,
                _ => {}
            },
            Node::Empty(e) if skip == 0 => match local(e) {
                b"tab" | b"ptab" if tab_stops == 0 => out.push('\t'),
                b"br" | b"cr" => out.push('\n'),
                b"noBreakHyphen" => out.push('-'),
                b"p" => out.newline(),
                _ => {}
            },
            Node::Empty(_) => {}
            Node::End(name) => match name {
                b"t" => in_text = false,
                b"Fallback" => skip = skip.saturating_sub(1),
                b"tabs" => tab_stops = tab_stops.saturating_sub(1),
                b"p" if skip == 0 => out.newline(),
                _ => {}
            },
            Node::Text(t) if in_text && skip == 0 => out.push_str(t),
            Node::Text(_) => {}
        }
        !out.is_full()
    })
}

/// Word: the body, then footnotes, endnotes, comments, headers and footers.
pub(crate) fn docx(bytes: &[u8], limits: &Limits, out: &mut Output) -> Result<(), ExtractError> {
    let mut pkg = Package::open(bytes, limits)?;
    let main = main_part(&mut pkg, "word/document.xml")?;
    let xml = pkg.read(&main)?.unwrap_or_default();
    rich_text(&xml, &main, out)?;
    let related = rels(&mut pkg, &main)?;
    for kind in ["footnotes", "endnotes", "comments", "header", "footer"] {
        for rel in related.iter().filter(|r| r.kind == kind) {
            if out.is_full() {
                return Ok(());
            }
            if let Some(xml) = pkg.read(&rel.target)? {
                out.blank_line();
                rich_text(&xml, &rel.target, out)?;
            }
        }
    }
    Ok(())
}

/// PowerPoint: slides in presentation order (`p:sldIdLst`), each followed by its notes.
/// Without a usable list, every `ppt/slides/slideN.xml` sorted by N.
pub(crate) fn pptx(bytes: &[u8], limits: &Limits, out: &mut Output) -> Result<(), ExtractError> {
    let mut pkg = Package::open(bytes, limits)?;
    let main = main_part(&mut pkg, "ppt/presentation.xml")?;
    let mut slides = slide_order(&mut pkg, &main)?;
    if slides.is_empty() {
        slides = numbered(&pkg.names(), "ppt/slides/slide", ".xml");
    }
    for slide in slides {
        if out.is_full() {
            break;
        }
        let Some(xml) = pkg.read(&slide)? else {
            continue;
        };
        out.blank_line();
        rich_text(&xml, &slide, out)?;
        for rel in rels(&mut pkg, &slide)?
            .iter()
            .filter(|r| r.kind == "notesSlide")
        {
            if let Some(xml) = pkg.read(&rel.target)? {
                out.newline();
                rich_text(&xml, &rel.target, out)?;
            }
        }
    }
    Ok(())
}

fn slide_order(pkg: &mut Package<'_>, main: &str) -> Result<Vec<String>, ExtractError> {
    let Some(xml) = pkg.read(main)? else {
        return Ok(Vec::new());
    };
    let mut ids = Vec::new();
    walk(&xml, main, |node| {
        if let Node::Empty(e) | Node::Start(e) = node
            && local(e) == b"sldId"
            && let Some(id) = attr(e, b"id", true)
        {
            ids.push(id);
        }
        true
    })?;
    let related = rels(pkg, main)?;
    Ok(ids
        .iter()
        .filter_map(|id| related.iter().find(|r| &r.id == id && r.kind == "slide"))
        .map(|r| r.target.clone())
        .collect())
}

/// Names `{prefix}N{suffix}` sorted by the number N, so slide10 follows slide9.
fn numbered(names: &[String], prefix: &str, suffix: &str) -> Vec<String> {
    let mut found: Vec<(u64, &String)> = names
        .iter()
        .filter_map(|n| {
            let num = n.strip_prefix(prefix)?.strip_suffix(suffix)?;
            Some((num.parse().ok()?, n))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, n)| n.clone()).collect()
}

/// Excel: every worksheet in workbook order, headed by its name; cells tab-separated, rows
/// newline-separated. Shared strings, inline strings, numbers and formula results are kept;
/// booleans and error values are not words.
pub(crate) fn xlsx(bytes: &[u8], limits: &Limits, out: &mut Output) -> Result<(), ExtractError> {
    let mut pkg = Package::open(bytes, limits)?;
    let main = main_part(&mut pkg, "xl/workbook.xml")?;
    let related = rels(&mut pkg, &main)?;
    let shared = match related.iter().find(|r| r.kind == "sharedStrings") {
        Some(r) => match pkg.read(&r.target)? {
            Some(xml) => shared_strings(&xml, &r.target)?,
            None => Vec::new(),
        },
        None => Vec::new(),
    };
    let mut sheets = Vec::new();
    if let Some(xml) = pkg.read(&main)? {
        walk(&xml, &main, |node| {
            if let Node::Empty(e) | Node::Start(e) = node
                && local(e) == b"sheet"
                && let Some(id) = attr(e, b"id", true)
                && let Some(rel) = related.iter().find(|r| r.id == id && r.kind == "worksheet")
            {
                sheets.push((
                    attr(e, b"name", false).unwrap_or_default(),
                    rel.target.clone(),
                ));
            }
            true
        })?;
    }
    if sheets.is_empty() {
        sheets = numbered(&pkg.names(), "xl/worksheets/sheet", ".xml")
            .into_iter()
            .map(|p| (String::new(), p))
            .collect();
    }
    for (name, part) in sheets {
        if out.is_full() {
            break;
        }
        let Some(xml) = pkg.read(&part)? else {
            continue;
        };
        out.blank_line();
        if !name.is_empty() {
            out.push_str(&name);
            out.push('\n');
        }
        sheet(&xml, &part, &shared, out)?;
    }
    Ok(())
}

/// The shared string table: each `si` is the concatenation of its `t` runs, leaving out
/// phonetic guides (`rPh`), which repeat the text in another script.
fn shared_strings(xml: &[u8], part: &str) -> Result<Vec<String>, ExtractError> {
    let mut strings = Vec::new();
    let mut current = String::new();
    let (mut in_t, mut in_phonetic) = (false, false);
    walk(xml, part, |node| {
        match node {
            Node::Start(e) => match local(e) {
                b"si" => current.clear(),
                b"t" => in_t = true,
                b"rPh" => in_phonetic = true,
                _ => {}
            },
            Node::Empty(e) if local(e) == b"si" => strings.push(String::new()),
            Node::End(b"si") => strings.push(std::mem::take(&mut current)),
            Node::End(b"t") => in_t = false,
            Node::End(b"rPh") => in_phonetic = false,
            Node::Text(t) if in_t && !in_phonetic => current.push_str(t),
            _ => {}
        }
        true
    })?;
    Ok(strings)
}

fn sheet(xml: &[u8], part: &str, shared: &[String], out: &mut Output) -> Result<(), ExtractError> {
    let mut cell_type = String::new();
    let mut value = String::new();
    let (mut in_v, mut in_inline, mut in_t, mut in_phonetic) = (false, false, false, false);
    let mut row_has_cells = false;
    walk(xml, part, |node| {
        match node {
            Node::Start(e) => match local(e) {
                b"row" => row_has_cells = false,
                b"c" => {
                    cell_type = attr(e, b"t", false).unwrap_or_default();
                    value.clear();
                }
                b"v" => in_v = true,
                b"is" => in_inline = true,
                b"t" => in_t = true,
                b"rPh" => in_phonetic = true,
                _ => {}
            },
            Node::Text(t) if in_v || (in_inline && in_t && !in_phonetic) => value.push_str(t),
            Node::End(name) => match name {
                b"v" => in_v = false,
                b"is" => in_inline = false,
                b"t" => in_t = false,
                b"rPh" => in_phonetic = false,
                b"c" => {
                    let text = match cell_type.as_str() {
                        "s" => value
                            .trim()
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| shared.get(i))
                            .map_or("", String::as_str),
                        "b" | "e" => "",
                        // "n" (or none), "str" (formula result), "inlineStr", "d" (ISO date).
                        _ => value.as_str(),
                    };
                    if !text.trim().is_empty() {
                        if row_has_cells {
                            out.push('\t');
                        }
                        out.push_str(text);
                        row_has_cells = true;
                    }
                }
                b"row" if row_has_cells => out.push('\n'),
                _ => {}
            },
            _ => {}
        }
        !out.is_full()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: impl FnOnce(&mut Output) -> Result<(), ExtractError>) -> String {
        let mut out = Output::new(usize::MAX);
        f(&mut out).unwrap();
        out.finish().text
    }

    #[test]
    fn word_runs_tabs_breaks_and_tab_stops() {
        let xml = r#"<w:document xmlns:w="w"><w:body>
            <w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>
              <w:r><w:t>ที่ สธ</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">วันที่ ๑๕</w:t></w:r></w:p>
            <w:p><w:r><w:t>R&amp;D</w:t><w:br/><w:t>อสม.</w:t><w:delText>ลบแล้ว</w:delText></w:r></w:p>
            <w:p><w:r><mc:AlternateContent><mc:Choice><w:t>กล่อง</w:t></mc:Choice>
              <mc:Fallback><w:t>กล่อง</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>
        </w:body></w:document>"#;
        let text = run(|out| rich_text(xml.as_bytes(), "d", out));
        assert_eq!(text, "ที่ สธ\tวันที่ ๑๕\nR&D\nอสม.\nกล่อง");
    }

    #[test]
    fn sheet_cells_of_every_kind() {
        let shared = vec!["หน่วยงาน".to_owned(), "อสม.".to_owned()];
        let xml = r#"<worksheet><sheetData>
            <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>2566</v></c></row>
            <row r="2"><c t="inlineStr"><is><t>ข้อความ</t><rPh><t>x</t></rPh></is></c>
              <c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c><c t="s"><v>1</v></c>
              <c t="str"><f>A1</f><v>สูตร</v></c><c t="s"><v>99</v></c></row>
            <row r="3"/>
            <row r="4"><c><v>12.5</v></c></row>
        </sheetData></worksheet>"#;
        let text = run(|out| sheet(xml.as_bytes(), "s", &shared, out));
        assert_eq!(text, "หน่วยงาน\t2566\nข้อความ\tอสม.\tสูตร\n12.5");
    }

    #[test]
    fn shared_strings_join_rich_runs_and_skip_phonetics() {
        let xml = r#"<sst><si><t>การจัดการ</t></si><si><r><t>ความ</t></r><r><t>รู้</t></r><rPh><t>x</t></rPh></si><si/></sst>"#;
        let got = shared_strings(xml.as_bytes(), "s").unwrap();
        assert_eq!(got, vec!["การจัดการ", "ความรู้", ""]);
    }

    #[test]
    fn numbered_parts_sort_by_number() {
        let names: Vec<String> = [
            "ppt/slides/slide10.xml",
            "ppt/slides/slide2.xml",
            "ppt/slides/slide1.xml",
            "ppt/slides/_rels/slide1.xml.rels",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            numbered(&names, "ppt/slides/slide", ".xml"),
            vec![
                "ppt/slides/slide1.xml",
                "ppt/slides/slide2.xml",
                "ppt/slides/slide10.xml"
            ]
        );
    }
}
