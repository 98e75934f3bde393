//! Charts as inline SVG made on the server: readable without JavaScript, printable, no
//! external assets. Every chart goes on a page with its numbers in a table beneath (the
//! page's job: the chart is `aria-labelledby` its title and description, the table is the
//! accessible and exportable form of the same numbers).
//!
//! Styling is by SVG presentation attributes, not `style=""`, so the site's Content Security
//! Policy (`style-src 'self'`) lets them through.

use crate::view::escape;
use khlang_core::report::{Cell, ReportTable};

/// One bar: its label, its value and the text written after it ("9 · 7.6%").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: u64,
    pub note: String,
}

/// The bars of a share table ([`ReportTable::shares`]): one per row, noted "count · share%".
pub fn share_bars(table: &ReportTable) -> Vec<Bar> {
    table
        .rows
        .iter()
        .filter_map(|row| match row.as_slice() {
            [Cell::Text(label), Cell::Count(n), Cell::Percent(p), ..] => Some(Bar {
                label: label.clone(),
                value: *n,
                note: format!("{} · {p}%", crate::view::number(*n)),
            }),
            _ => None,
        })
        .collect()
}

// Geometry in the viewBox's units. 400 wide reads 1:1 on a 390 px phone; CSS caps the width
// on wide screens.
const WIDTH: u32 = 400;
const LABEL_SIZE: u32 = 14;
const ROW: u32 = 46;
const BAR: u32 = 16;
const NOTE_ROOM: u32 = 92;

/// A horizontal bar chart: each label on its own line above its bar (long Thai labels fit
/// a phone), the bar scaled to the largest value, the note after the bar. `id` must be unique
/// on the page (it names the title and description elements).
pub fn bar_chart(id: &str, title: &str, description: &str, bars: &[Bar]) -> String {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let height = ROW * bars.len() as u32 + 8;
    let span = WIDTH - NOTE_ROOM;
    let id = escape(id);
    let mut svg = format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"Sarabun, sans-serif\">\
<title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(description)
    );
    for (i, bar) in bars.iter().enumerate() {
        let top = ROW * i as u32;
        let length = if bar.value == 0 {
            0
        } else {
            ((u128::from(bar.value) * u128::from(span) / u128::from(max)) as u32).max(2)
        };
        svg.push_str(&format!(
            "<g><text x=\"0\" y=\"{}\" font-size=\"{LABEL_SIZE}\" fill=\"#1b1b1b\">{}</text>\
<rect x=\"0\" y=\"{}\" width=\"{length}\" height=\"{BAR}\" rx=\"2\" fill=\"#0b5c76\"></rect>\
<text x=\"{}\" y=\"{}\" font-size=\"{LABEL_SIZE}\" fill=\"#1b1b1b\">{}</text></g>",
            top + 17,
            escape(&bar.label),
            top + 23,
            length + 6,
            top + 36,
            escape(&bar.note),
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// One bar of a percentage chart ([`progress_chart`]): None when there is nothing to count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressBar {
    pub label: String,
    pub percent: Option<u8>,
    /// Written after the track: the numbers the percentage was made from ("4 / 9").
    pub note: String,
}

const PROGRESS_ROW: u32 = 40;

/// Percentages as bars on a 0–100 track, one per row: the label on its own line, the track
/// with its filled part, then "44% · note". `rule` says how the percentage is made (a
/// tooltip on every bar, besides the chart's description). A row without a percentage shows
/// an empty track and "–".
pub fn progress_chart(
    id: &str,
    title: &str,
    description: &str,
    rule: &str,
    bars: &[ProgressBar],
) -> String {
    let height = PROGRESS_ROW * bars.len() as u32 + 8;
    let span = WIDTH - NOTE_ROOM;
    let id = escape(id);
    let mut svg = format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"Sarabun, sans-serif\">\
<title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{} {}</desc>",
        escape(title),
        escape(description),
        escape(rule)
    );
    for (i, bar) in bars.iter().enumerate() {
        let top = PROGRESS_ROW * i as u32;
        let filled = bar
            .percent
            .map(|p| u32::from(p.min(100)) * span / 100)
            .unwrap_or(0);
        let shown = match bar.percent {
            Some(p) => format!("{p}% · {}", bar.note),
            None => format!("– · {}", bar.note),
        };
        let fill = if bar.percent == Some(100) {
            "#2e7d32"
        } else {
            "#0b5c76"
        };
        svg.push_str(&format!(
            "<g><title>{}</title><text x=\"0\" y=\"{}\" font-size=\"{LABEL_SIZE}\" fill=\"#1b1b1b\">{}</text>\
<rect x=\"0\" y=\"{}\" width=\"{span}\" height=\"{BAR}\" rx=\"2\" fill=\"#e3e8ea\"></rect>\
<rect x=\"0\" y=\"{}\" width=\"{filled}\" height=\"{BAR}\" rx=\"2\" fill=\"{fill}\"></rect>\
<text x=\"{}\" y=\"{}\" font-size=\"{LABEL_SIZE}\" fill=\"#1b1b1b\">{}</text></g>",
            escape(rule),
            top + 15,
            escape(&bar.label),
            top + 20,
            top + 20,
            span + 6,
            top + 33,
            escape(&shown),
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_text_is_escaped() {
        let t = ReportTable::shares(
            "t",
            "สาขา",
            vec![
                ("ทันตสุขภาพ".into(), 13),
                ("<script>".into(), 0),
                ("ศสมช".into(), 4),
            ],
        );
        let bars = share_bars(&t);
        assert_eq!(bars.len(), 3);
        assert_eq!(bars[0].note, "13 · 76.5%");
        let svg = bar_chart("c1", "นวัตกรรมตามสาขา", "จำนวน & ร้อยละ", &bars);
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("<title id=\"c1-title\">นวัตกรรมตามสาขา</title>"));
        assert!(svg.contains("จำนวน &amp; ร้อยละ"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(!svg.contains("<script>"));
        assert!(!svg.contains("style="), "the CSP refuses inline styles");
        assert!(
            svg.contains("width=\"308\""),
            "the largest bar spans the room"
        );
        assert!(svg.contains("width=\"0\""), "zero has no bar");
        assert!(bar_chart("e", "t", "d", &[]).ends_with("</svg>"));
    }

    #[test]
    fn progress_bars_fill_their_share_of_the_track() {
        let svg = progress_chart(
            "p",
            "แผน",
            "ร้อยละ",
            "กติกา <ร้อยละ>",
            &[
                ProgressBar {
                    label: "ก".into(),
                    percent: Some(50),
                    note: "2 / 4".into(),
                },
                ProgressBar {
                    label: "ข".into(),
                    percent: None,
                    note: "ยังไม่มีแผน".into(),
                },
            ],
        );
        assert!(svg.contains("width=\"154\""), "half of the 308 track");
        assert!(svg.contains("50% · 2 / 4"));
        assert!(svg.contains("– · ยังไม่มีแผน"));
        assert!(svg.contains("กติกา &lt;ร้อยละ&gt;"));
        assert!(!svg.contains("style="));
    }
}
