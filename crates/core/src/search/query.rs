//! What a person typed into the search box, turned into something the index can answer.
//!
//! The syntax is the one people know from web search: words, `"a quoted phrase"`, `-word` to
//! leave out, `word*` for a prefix. Anything else — unpaired quotes, `NEAR`, `:`, `'`, control
//! characters, a pasted page of text — is read as plain words, never as database syntax: the
//! store quotes every word it receives.

use super::analyze::{query_grams, word_forms};
use crate::text::{Segmenter, grapheme_len, normalize};

/// Graphemes of a query kept; the rest is ignored (and the page says so).
pub const MAX_QUERY_GRAPHEMES: usize = 200;
/// Words a query may use; more are dropped (each costs an index lookup).
pub const MAX_QUERY_WORDS: usize = 24;

/// One thing a hit must (or must not) contain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Clause {
    Word(String),
    /// The word or any word starting with it.
    Prefix(String),
    /// These words next to each other, in order.
    Phrase(Vec<String>),
}

impl Clause {
    /// The words a snippet should mark for this clause.
    pub fn words(&self) -> Vec<&str> {
        match self {
            Clause::Word(w) | Clause::Prefix(w) => vec![w.as_str()],
            Clause::Phrase(ws) => ws.iter().map(String::as_str).collect(),
        }
    }
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// The text as understood, for the search box and "results for …".
    pub text: String,
    /// Each must match (words that carry meaning, phrases, the prefix).
    pub required: Vec<Clause>,
    /// Thai function words (การ, ของ, ใน …): they count in the ranked fallback but a hit need
    /// not contain them — compounds such as แผนการ|จัดการ|ความรู้ have no การ of their own.
    pub optional: Vec<Clause>,
    pub excluded: Vec<Clause>,
    /// Character n-grams of the positive words, for misspellings and other segmentations.
    pub grams: Vec<String>,
    /// True when the query was longer than [`MAX_QUERY_GRAPHEMES`] or [`MAX_QUERY_WORDS`].
    pub truncated: bool,
}

impl Query {
    /// Nothing to look for (empty, or only punctuation and spaces).
    pub fn is_empty(&self) -> bool {
        self.required.is_empty() && self.optional.is_empty()
    }

    /// Every clause that may match, required or optional (for the ranked fallback).
    pub fn any(&self) -> Vec<Clause> {
        let mut all = self.required.clone();
        all.extend(self.optional.iter().cloned());
        all
    }

    /// Words to mark in snippets.
    pub fn marked_words(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in self.required.iter().chain(&self.optional) {
            for w in c.words() {
                if !out.iter().any(|o| o == w) {
                    out.push(w.to_string());
                }
            }
        }
        out
    }

    pub fn parse(raw: &str, segmenter: &Segmenter) -> Query {
        // Normalised before the syntax is read: a zero-width space pasted after `word*` or
        // inside `"…"` must not hide the `*` or the quote.
        let cleaned: String = normalize(raw)
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let cut = cut_graphemes(&cleaned, MAX_QUERY_GRAPHEMES);
        let mut q = Query {
            truncated: cut.len() < cleaned.len(),
            ..Query::default()
        };
        let mut positive_words: Vec<String> = Vec::new();
        let mut count = 0usize;
        for chunk in chunks(cut) {
            let tokens = segmenter.tokens(chunk.text);
            let mut forms = word_forms(&tokens);
            if forms.is_empty() {
                continue;
            }
            // Unspaced Thai is one chunk of many words: the budget counts words, not chunks.
            let room = MAX_QUERY_WORDS - count;
            if room == 0 {
                q.truncated = true;
                break;
            }
            if forms.len() > room {
                forms.truncate(room);
                q.truncated = true;
            }
            count += forms.len();
            if chunk.excluded {
                q.excluded.push(if forms.len() == 1 {
                    Clause::Word(forms[0].clone())
                } else {
                    Clause::Phrase(forms)
                });
                continue;
            }
            positive_words.extend(forms.iter().cloned());
            if chunk.quoted && forms.len() > 1 {
                q.required.push(Clause::Phrase(forms));
                continue;
            }
            // A word still being typed is cut into fragments (นวัตก → น|วัต|ก): its prefix is
            // the run of short pieces at the end, joined again.
            let mut words_end = forms.len();
            if chunk.prefix {
                let mut start = forms.len() - 1;
                while start > 0
                    && forms[start - 1].chars().count() <= 3
                    && forms[start].chars().count() <= 3
                {
                    start -= 1;
                }
                q.required.push(Clause::Prefix(forms[start..].concat()));
                words_end = start;
            }
            for form in forms.into_iter().take(words_end) {
                let stop = segmenter.is_stop_word(&form);
                let clause = Clause::Word(form);
                let list = if stop {
                    &mut q.optional
                } else {
                    &mut q.required
                };
                if !list.contains(&clause) {
                    list.push(clause);
                }
            }
        }
        // A query of nothing but function words still has to find something.
        if q.required.is_empty() {
            q.required = std::mem::take(&mut q.optional);
        }
        q.grams = query_grams(&positive_words);
        q.text = normalize(&crate::text::tidy(cut));
        q
    }
}

fn cut_graphemes(s: &str, max: usize) -> &str {
    if grapheme_len(s) <= max {
        return s;
    }
    use unicode_segmentation::UnicodeSegmentation;
    match s.grapheme_indices(true).nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

struct Chunk<'a> {
    text: &'a str,
    quoted: bool,
    excluded: bool,
    prefix: bool,
}

/// Splits on spaces outside quotes. A quote left open runs to the end; `-` only excludes at
/// the start of a chunk that has something after it; `*` only means prefix at the very end.
fn chunks(s: &str) -> Vec<Chunk<'_>> {
    let mut out = Vec::new();
    let mut rest = s;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let excluded = rest.starts_with('-') && rest.len() > 1;
        let body = if excluded { &rest[1..] } else { rest };
        if let Some(inner) = body.strip_prefix(['"', '“', '”']) {
            let end = inner.find(['"', '“', '”']).unwrap_or(inner.len());
            out.push(Chunk {
                text: &inner[..end],
                quoted: true,
                excluded,
                prefix: false,
            });
            rest = inner
                .get(end..)
                .map_or("", |r| r.strip_prefix(['"', '“', '”']).unwrap_or(r));
            continue;
        }
        let end = body
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '“' | '”'))
            .unwrap_or(body.len());
        let word = &body[..end];
        let prefix = word.ends_with('*') && word.trim_end_matches('*').chars().count() >= 2;
        out.push(Chunk {
            text: word.trim_end_matches('*'),
            quoted: false,
            excluded,
            prefix,
        });
        rest = &body[end..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    static SEG: LazyLock<Segmenter> = LazyLock::new(Segmenter::new);

    fn words(cs: &[Clause]) -> Vec<String> {
        cs.iter()
            .map(|c| match c {
                Clause::Word(w) => w.clone(),
                Clause::Prefix(w) => format!("{w}*"),
                Clause::Phrase(ws) => format!("\"{}\"", ws.join(" ")),
            })
            .collect()
    }

    #[test]
    fn unspaced_thai_becomes_required_words_and_optional_function_words() {
        let q = Query::parse("การจัดการความรู้", &SEG);
        assert_eq!(words(&q.required), ["จัดการ", "ความรู้"]);
        assert_eq!(words(&q.optional), ["การ"]);
        assert!(!q.grams.is_empty());
    }

    #[test]
    fn phrases_exclusions_and_prefixes() {
        let q = Query::parse("\"ภาคประชาชน\" -โควิด นวัตก*", &SEG);
        assert!(words(&q.required).contains(&"นวัตก*".to_string()), "{q:?}");
        assert!(words(&q.required)[0].starts_with('"'), "{q:?}");
        assert_eq!(words(&q.excluded), ["โควิด"]);
    }

    #[test]
    fn thai_digits_abbreviations_and_decomposed_sara_am() {
        let q = Query::parse("อสม. ปี ๒๕๖๗ น\u{0E49}\u{0E4D}\u{0E32}", &SEG);
        let w = words(&q.any());
        assert!(w.contains(&"อสม".to_string()), "{w:?}");
        assert!(w.contains(&"2567".to_string()), "{w:?}");
        assert!(w.contains(&"น้ำ".to_string()), "{w:?}");
    }

    #[test]
    fn hostile_input_is_plain_words_or_nothing() {
        for raw in [
            "",
            "   ",
            "!!!???",
            "\"",
            "-",
            "*",
            "\u{0}\u{7}",
            "'\"\"'",
            "-\"",
            "\"-",
        ] {
            let q = Query::parse(raw, &SEG);
            assert!(q.is_empty(), "{raw:?} → {q:?}");
        }
        let q = Query::parse("a NEAR(b c) OR d:e \"unclosed", &SEG);
        assert!(!q.is_empty());
        assert!(
            q.any().iter().all(|c| c
                .words()
                .iter()
                .all(|w| w.chars().all(char::is_alphanumeric))),
            "{q:?}"
        );
        let long = "ความรู้".repeat(2_000);
        let q = Query::parse(&long, &SEG);
        assert!(q.truncated);
        assert!(q.text.chars().count() < 2_000);
    }

    #[test]
    fn a_query_of_function_words_still_requires_them() {
        let q = Query::parse("และ", &SEG);
        assert_eq!(words(&q.required), ["และ"]);
    }
}
