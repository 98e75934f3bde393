//! The text being built: capped while it grows, cleaned once at the end.

use crate::{Extracted, thai};

/// Collects text up to a character cap. Pushing past the cap is silently dropped and marks
/// the result truncated, so extractors only need to check [`Output::is_full`] to stop work
/// early, never to stay correct.
pub(crate) struct Output {
    text: String,
    room: usize,
    truncated: bool,
}

impl Output {
    pub fn new(max_chars: usize) -> Self {
        Self {
            text: String::new(),
            room: max_chars,
            truncated: false,
        }
    }

    pub fn is_full(&self) -> bool {
        self.truncated
    }

    /// Characters that still fit.
    pub fn room(&self) -> usize {
        self.room
    }

    pub fn push_str(&mut self, s: &str) {
        if self.truncated || s.is_empty() {
            return;
        }
        // Fast path: ASCII and most Thai fit without counting twice.
        if s.len() <= self.room {
            self.room -= s.chars().count();
            self.text.push_str(s);
            return;
        }
        match s.char_indices().nth(self.room) {
            Some((cut, _)) => {
                self.text.push_str(&s[..cut]);
                self.room = 0;
                self.truncated = true;
            }
            None => {
                self.room -= s.chars().count();
                self.text.push_str(s);
            }
        }
    }

    pub fn push(&mut self, c: char) {
        let mut buf = [0u8; 4];
        self.push_str(c.encode_utf8(&mut buf));
    }

    /// Ends the current line unless the text is empty or already at a line start.
    pub fn newline(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.push('\n');
        }
    }

    /// Starts a new block (page, slide, sheet) with a blank line before it.
    pub fn blank_line(&mut self) {
        if self.text.is_empty() {
            return;
        }
        self.newline();
        if !self.text.ends_with("\n\n") {
            self.push('\n');
        }
    }

    pub fn finish(self) -> Extracted {
        Extracted {
            text: tidy(&thai::repair(&self.text)),
            truncated: self.truncated,
        }
    }
}

/// Drops control characters (PDF maps often yield U+0000), turns CR/CRLF into LF, trims
/// spaces at line ends and keeps at most one blank line in a row. Never adds characters.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut newlines = 0usize;
    let mut pending_space = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let c = match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    continue;
                }
                '\n'
            }
            '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{3000}' => ' ',
            c => c,
        };
        match c {
            '\n' => {
                pending_space.clear();
                newlines += 1;
            }
            ' ' | '\t' => pending_space.push(c),
            c if c.is_control() || c == '\u{FEFF}' => {}
            c => {
                if !out.is_empty() {
                    for _ in 0..newlines.min(2) {
                        out.push('\n');
                    }
                    out.push_str(&pending_space);
                }
                pending_space.clear();
                newlines = 0;
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_at_a_char_boundary_and_marks_truncated() {
        let mut out = Output::new(5);
        out.push_str("กขค");
        assert!(!out.is_full());
        out.push_str("งจฉช");
        assert!(out.is_full());
        out.push_str("more");
        let got = out.finish();
        assert_eq!(got.text, "กขคงจ");
        assert!(got.truncated);
    }

    #[test]
    fn exactly_full_is_not_truncated() {
        let mut out = Output::new(3);
        out.push_str("abc");
        let got = out.finish();
        assert_eq!(got.text, "abc");
        assert!(!got.truncated);
    }

    #[test]
    fn tidies_whitespace_and_controls() {
        assert_eq!(
            tidy("\n\n  a \u{0}b  \r\n\r\n\r\n\n c\t\n\u{FEFF}d  "),
            "a b\n\n c\nd"
        );
        assert_eq!(tidy("x\ty"), "x\ty");
        assert_eq!(tidy(""), "");
    }
}
