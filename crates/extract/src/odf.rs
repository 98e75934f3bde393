//! OpenDocument text, spreadsheets and presentations (.odt/.ods/.odp), which khlang accepts
//! as uploads and LibreOffice-using agencies produce: `content.xml` for the body (slides
//! come with their notes), `styles.xml` for page headers and footers.

use crate::output::Output;
use crate::package::Package;
use crate::xml::{Node, attr, local, walk};
use crate::{ExtractError, Limits};

pub(crate) fn extract(bytes: &[u8], limits: &Limits, out: &mut Output) -> Result<(), ExtractError> {
    let mut pkg = Package::open(bytes, limits)?;
    // A password-protected document keeps its manifest readable and marks every encrypted
    // entry with <manifest:encryption-data>; the entries themselves are ciphertext.
    if let Some(manifest) = pkg.read("META-INF/manifest.xml")?
        && manifest.windows(15).any(|w| w == b"encryption-data")
    {
        return Err(ExtractError::Encrypted);
    }
    let content = pkg
        .read("content.xml")?
        .ok_or_else(|| ExtractError::corrupt("no content.xml in package"))?;
    body(&content, "content.xml", Scope::Body, out)?;
    if let Some(styles) = pkg.read("styles.xml")? {
        out.blank_line();
        body(&styles, "styles.xml", Scope::HeadersAndFooters, out)?;
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Body,
    /// In styles.xml only page headers and footers are the author's text; master pages of
    /// presentations hold placeholder prompts ("Click to edit Master title style").
    HeadersAndFooters,
}

fn is_header_or_footer(name: &[u8]) -> bool {
    matches!(
        name,
        b"header" | b"footer" | b"header-left" | b"footer-left" | b"header-first" | b"footer-first"
    )
}

/// Text lives only inside `text:p` and `text:h`; elsewhere whitespace is indentation. Inside
/// a table, paragraphs of one cell are joined by a space, cells by a tab and rows by a
/// newline, so a spreadsheet row stays one line; a spreadsheet's sheets are headed by their
/// names.
fn body(xml: &[u8], part: &str, scope: Scope, out: &mut Output) -> Result<(), ExtractError> {
    let mut para = 0usize;
    let mut cells = 0usize;
    let mut paras_in_cell = 0usize;
    let mut skip = 0usize;
    let mut wanted = usize::from(scope == Scope::Body);
    let mut spreadsheet = false;
    let mut row_has_cells = false;
    walk(xml, part, |node| {
        match node {
            Node::Start(e) => match local(e) {
                b"p" | b"h" => {
                    para += 1;
                    if cells > 0 {
                        if paras_in_cell > 0 && wanted > 0 && skip == 0 {
                            out.push(' ');
                        }
                        paras_in_cell += 1;
                    }
                }
                b"table-cell" | b"covered-table-cell" => {
                    cells += 1;
                    paras_in_cell = 0;
                }
                b"table-row" => row_has_cells = false,
                b"spreadsheet" => spreadsheet = true,
                b"table" if spreadsheet && wanted > 0 => {
                    out.blank_line();
                    if let Some(name) = attr(e, b"name", true) {
                        out.push_str(&name);
                        out.push('\n');
                    }
                }
                b"note" if wanted > 0 && skip == 0 => out.push(' '),
                name if is_header_or_footer(name) => wanted += 1,
                // Deleted text kept for change tracking, embedded pictures, the footnote
                // mark ("1", the note body follows anyway) and page-number fields.
                b"tracked-changes" | b"binary-data" | b"note-citation" | b"page-number"
                | b"page-count" => skip += 1,
                _ => {}
            },
            Node::Empty(e) if skip == 0 && para > 0 && wanted > 0 => match local(e) {
                b"s" => out.push(' '),
                b"tab" => out.push('\t'),
                b"line-break" => out.push('\n'),
                _ => {}
            },
            Node::Empty(_) => {}
            Node::End(name) => match name {
                b"p" | b"h" => {
                    para = para.saturating_sub(1);
                    if skip == 0 && wanted > 0 && cells == 0 {
                        out.newline();
                    }
                }
                b"table-cell" | b"covered-table-cell" => {
                    cells = cells.saturating_sub(1);
                    if wanted > 0 {
                        row_has_cells = true;
                        out.push('\t');
                    }
                }
                b"table-row" if row_has_cells && wanted > 0 => out.newline(),
                name if is_header_or_footer(name) => wanted = wanted.saturating_sub(1),
                b"tracked-changes" | b"binary-data" | b"note-citation" | b"page-number"
                | b"page-count" => {
                    skip = skip.saturating_sub(1);
                }
                _ => {}
            },
            Node::Text(t) if para > 0 && skip == 0 && wanted > 0 => out.push_str(t),
            Node::Text(_) => {}
        }
        !out.is_full()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_tables_spaces_and_skipped_parts() {
        let xml = r#"<office:document-content><office:body><office:text>
          <text:tracked-changes><text:changed-region><text:p>ลบแล้ว</text:p></text:changed-region></text:tracked-changes>
          <text:h>บันทึกข้อความ</text:h>
          <text:p>ที่ สธ<text:s/>๐๗๐๗<text:tab/>วันที่<text:line-break/>R&amp;D<text:note><text:note-citation>1</text:note-citation><text:note-body><text:p>เชิงอรรถ</text:p></text:note-body></text:note></text:p>
          <table:table><table:table-row><table:table-cell><text:p>อสม.</text:p></table:table-cell><table:table-cell><text:p>2566</text:p></table:table-cell></table:table-row>
          <table:table-row><table:table-cell/></table:table-row></table:table>
        </office:text></office:body></office:document-content>"#;
        let mut out = Output::new(usize::MAX);
        body(xml.as_bytes(), "content.xml", Scope::Body, &mut out).unwrap();
        assert_eq!(
            out.finish().text,
            "บันทึกข้อความ\nที่ สธ ๐๗๐๗\tวันที่\nR&D เชิงอรรถ\nอสม.\t2566"
        );
    }

    #[test]
    fn spreadsheet_names_and_multi_paragraph_cells() {
        let xml = r#"<office:body><office:spreadsheet><table:table table:name="อสม">
          <table:table-row><table:table-cell><text:p>บรรทัดหนึ่ง</text:p><text:p>บรรทัดสอง</text:p></table:table-cell>
          <table:table-cell table:number-columns-repeated="1000"/><table:table-cell><text:p>12.5</text:p></table:table-cell></table:table-row>
          <table:table-row table:number-rows-repeated="1048000"><table:table-cell/></table:table-row>
        </table:table></office:spreadsheet></office:body>"#;
        let mut out = Output::new(usize::MAX);
        body(xml.as_bytes(), "content.xml", Scope::Body, &mut out).unwrap();
        assert_eq!(out.finish().text, "อสม\nบรรทัดหนึ่ง บรรทัดสอง\t12.5");
    }

    #[test]
    fn styles_give_only_headers_and_footers() {
        let xml = r#"<office:document-styles><office:master-styles>
          <style:master-page><style:header><text:p>หัวกระดาษ หน้า <text:page-number>3</text:page-number></text:p></style:header>
          <draw:frame><draw:text-box><text:p>Click to edit Master title style</text:p></draw:text-box></draw:frame>
          <style:footer><text:p>ท้ายกระดาษ</text:p></style:footer></style:master-page>
        </office:master-styles></office:document-styles>"#;
        let mut out = Output::new(usize::MAX);
        body(
            xml.as_bytes(),
            "styles.xml",
            Scope::HeadersAndFooters,
            &mut out,
        )
        .unwrap();
        assert_eq!(out.finish().text, "หัวกระดาษ หน้า\nท้ายกระดาษ");
    }
}
