//! The few lines under each result that show why it matched: a window of the text around the
//! densest run of query words, cut on word boundaries (never inside a Thai word or cluster),
//! with the matched words marked.

use super::analyze::index_form;
use crate::text::{Segmenter, normalize};

/// About two lines on a phone.
pub const SNIPPET_CHARS: usize = 160;
/// Text looked at per field; a snippet from deep inside a 300-page PDF is rarely the best one.
const MAX_SCAN_BYTES: usize = 200_000;

/// A piece of a snippet; `marked` pieces are the query's words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Piece {
    pub text: String,
    pub marked: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Snippet {
    pub pieces: Vec<Piece>,
    /// How many query words it shows (to pick the best field).
    #[serde(skip)]
    pub hits: usize,
}

impl Snippet {
    /// HTML with `<mark>` around matched words; everything else escaped.
    pub fn to_html(&self) -> String {
        let mut out = String::new();
        for p in &self.pieces {
            if p.marked {
                out.push_str("<mark>");
                escape_into(&p.text, &mut out);
                out.push_str("</mark>");
            } else {
                escape_into(&p.text, &mut out);
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.pieces.iter().all(|p| p.text.trim().is_empty())
    }
}

/// Appends `s` HTML-escaped (the web layer's hand-built markup uses this too).
pub fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// The best window of `text` for `words` (index forms; `prefixes` match any word they start).
pub fn snippet(
    segmenter: &Segmenter,
    text: &str,
    words: &[String],
    prefixes: &[String],
) -> Snippet {
    let mut cut = text.len().min(MAX_SCAN_BYTES);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    // Snippets show the normalised text (Arabic digits, repaired sara am …) because the
    // offsets of the segmenter refer to it; line breaks become spaces.
    let whole = normalize(&text[..cut]).replace(['\n', '\r', '\t'], " ");
    let (lead, normalized) = focus(&whole, words, prefixes);
    let tokens = segmenter.tokens_normalized(normalized);
    let matches = |f: &str| {
        words.iter().any(|w| w.as_str() == f) || prefixes.iter().any(|p| f.starts_with(p.as_str()))
    };
    // A compound is marked whole when one of its parts was asked for.
    let is_match = |t: &str| {
        let f = index_form(t);
        !f.is_empty() && (matches(&f) || super::analyze::parts(&f).iter().any(|p| matches(p)))
    };
    let matched: Vec<bool> = tokens
        .iter()
        .map(|t| !t.is_alias && is_match(&t.text))
        .collect();
    // Best start: the token that begins the window holding the most distinct matched words.
    let mut best = (0usize, 0usize);
    for (i, m) in matched.iter().enumerate() {
        if !*m {
            continue;
        }
        let start = tokens[i].start;
        let mut seen: Vec<&str> = Vec::new();
        for (t, m) in tokens[i..].iter().zip(&matched[i..]) {
            if char_len(&normalized[start..t.end]) > SNIPPET_CHARS {
                break;
            }
            if *m && !seen.contains(&t.text.as_str()) {
                seen.push(&t.text);
            }
        }
        if seen.len() > best.1 {
            best = (i, seen.len());
        }
    }
    let (first, hits) = best;
    // Step back a few words so the first match is not the very first thing shown.
    let mut begin = if tokens.is_empty() {
        0
    } else {
        tokens[first].start
    };
    for t in tokens[..first].iter().rev().take(6) {
        if char_len(&normalized[t.start..begin]) > SNIPPET_CHARS / 4 {
            break;
        }
        begin = t.start;
    }
    if hits == 0 || tokens.first().is_none_or(|t| t.start >= begin) {
        begin = 0;
    }
    let mut end = begin;
    let mut pieces = Vec::new();
    let push = |text: &str, marked: bool, pieces: &mut Vec<Piece>| {
        if text.is_empty() {
            return;
        }
        match pieces.last_mut() {
            Some(last) if last.marked == marked && !marked => last.text.push_str(text),
            _ => pieces.push(Piece {
                text: text.to_string(),
                marked,
            }),
        }
    };
    if begin > 0 || lead {
        push("…", false, &mut pieces);
    }
    for (t, m) in tokens.iter().zip(&matched) {
        if t.start < begin || t.is_alias {
            continue;
        }
        if char_len(&normalized[begin..t.end]) > SNIPPET_CHARS {
            break;
        }
        push(&normalized[end.max(begin)..t.start], false, &mut pieces);
        push(&normalized[t.start..t.end], *m, &mut pieces);
        end = t.end;
    }
    if tokens.is_empty() {
        let shown: String = normalized.chars().take(SNIPPET_CHARS).collect();
        end = shown.len();
        push(&shown, false, &mut pieces);
    }
    if end < normalized.trim_end().len() {
        push("…", false, &mut pieces);
    }
    Snippet { pieces, hits }
}

/// Bytes of a long text that are segmented for its snippet: about a thousand Thai letters
/// around the first place a query word appears. Segmenting all of a long body or file for
/// every hit was a fifth of a search's time.
const FOCUS_BYTES: usize = 3_000;
/// Of those, how many come before the first appearance.
const FOCUS_BEFORE: usize = 600;

/// The part of `text` worth segmenting, and whether text was left out before it.
fn focus<'a>(text: &'a str, words: &[String], prefixes: &[String]) -> (bool, &'a str) {
    if text.len() <= FOCUS_BYTES {
        return (false, text);
    }
    let first = words
        .iter()
        .chain(prefixes)
        .filter(|w| !w.is_empty())
        .filter_map(|w| text.find(w.as_str()))
        .min()
        .unwrap_or(0);
    let mut start = first.saturating_sub(FOCUS_BEFORE);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    // Begin after a space when there is one close by, so the first word is whole.
    if let Some(space) = text[..start].rfind(' ')
        && start - space < 200
    {
        start = space + 1;
    }
    let mut end = (start + FOCUS_BYTES).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (start > 0, &text[start..end])
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    static SEG: LazyLock<Segmenter> = LazyLock::new(Segmenter::new);

    #[test]
    fn marks_thai_words_inside_unspaced_text_and_escapes_the_rest() {
        let text = "<b>บทนำ</b> ".to_string()
            + &"ข้อความทั่วไป".repeat(30)
            + "อาสาสมัครสาธารณสุขประจำหมู่บ้านร่วมพัฒนานวัตกรรมในชุมชน"
            + &"ข้อความทั่วไป".repeat(30);
        let s = snippet(&SEG, &text, &["นวัตกรรม".into()], &[]);
        let html = s.to_html();
        assert!(html.contains("<mark>นวัตกรรม</mark>"), "{html}");
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert_eq!(s.hits, 1);
        let s = snippet(&SEG, &text, &["บทนำ".into()], &[]);
        assert!(
            s.to_html().starts_with("&lt;b&gt;<mark>บทนำ</mark>"),
            "{}",
            s.to_html()
        );
    }

    #[test]
    fn long_texts_are_cut_around_the_first_match() {
        // No spaces near the cut, so it has to find a character boundary on its own.
        let text = "ข้อความทั่วไป".repeat(2_000) + "นวัตกรรมของชุมชน " + &"ท้ายเรื่อง".repeat(500);
        let s = snippet(&SEG, &text, &["นวัตกรรม".into()], &[]);
        let html = s.to_html();
        assert_eq!(s.hits, 1);
        assert!(html.contains("<mark>นวัตกรรม</mark>"), "{html}");
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        let none = snippet(&SEG, &text, &["ไม่มี".into()], &[]);
        assert!(none.to_html().starts_with("ข้อความทั่วไป"));
    }

    #[test]
    fn no_match_shows_the_start_and_prefixes_mark_whole_words() {
        let s = snippet(&SEG, "การจัดการความรู้ภาคประชาชน", &["ไม่มี".into()], &[]);
        assert_eq!(s.hits, 0);
        assert!(s.to_html().starts_with("การจัดการ"));
        let s = snippet(&SEG, "การจัดการความรู้ภาคประชาชน", &[], &["ประชา".into()]);
        assert!(
            s.to_html().contains("<mark>ประชาชน</mark>"),
            "{}",
            s.to_html()
        );
        assert!(snippet(&SEG, "", &["ก".into()], &[]).is_empty());
    }
}
