//! Thai Character Clusters (TCC, Theeramunkong et al. 2000): the smallest runs of Thai that can
//! never be cut, such as a consonant with its vowels, tone mark and silent letters. newmm only
//! cuts words at cluster edges.
//!
//! The rules are PyThaiNLP's (Korakot Chaovavanich, after Jakkrit TeCho's TCC and Wittawat
//! Jitkrittum's grammar; Copyright 2024 PyThaiNLP Project, Apache-2.0) exactly as the `nlpo3`
//! crate (Thanathip Suntorntip) compiles them, because khlang's segmentation must stay identical
//! to nlpo3's: the same rules in the same order, the first that matches wins (a regex
//! alternation), and a character no rule matches is a cluster of its own.
//! nlpo3 drops the last character of a match that begins like เccีย or เcิย/เcีย/เcุย/เcูย
//! followed by a letter (its rendering of PyThaiNLP's look-ahead); so does this module.

/// One cluster rule over a cursor; `None` when the rule does not match.
type Rule = fn(&mut Cursor<'_>) -> Option<()>;

/// The first character a rule accepts, checked before calling it (most rules fail there).
#[derive(Clone, Copy)]
enum Lead {
    Consonant,
    Char(char),
    /// เ แ โ ใ ไ
    LeadingVowel,
}

impl Lead {
    fn accepts(self, c: char) -> bool {
        match self {
            Lead::Consonant => is_consonant(c),
            Lead::Char(l) => c == l,
            Lead::LeadingVowel => is_leading_vowel(c),
        }
    }
}

/// nlpo3's rules in nlpo3's order (numbered as in its source). In its notation c is a consonant,
/// t an optional tone mark and k an optional silent ending: one or two consonants, optionally
/// ิ ุ ู, and ์ (the "karan").
const RULES: [(Lead, Rule); 29] = [
    // 1 เc็ck
    (Lead::Char('เ'), |m| {
        m.char('เ')?;
        m.consonant()?;
        m.char('\u{0E47}')?;
        m.consonant()?;
        m.karan();
        Some(())
    }),
    // 2 เcctาะk
    (Lead::Char('เ'), |m| {
        m.char('เ')?;
        m.consonant()?;
        m.consonant()?;
        m.tone();
        m.char('า')?;
        m.char('ะ')?;
        m.karan();
        Some(())
    }),
    // 3 เccีtยะk
    (Lead::Char('เ'), |m| {
        m.char('เ')?;
        m.consonant()?;
        m.consonant()?;
        m.char('\u{0E35}')?;
        m.tone();
        m.char('ย')?;
        m.char('ะ')?;
        m.karan();
        Some(())
    }),
    // 4 เcc็ck
    (Lead::Char('เ'), |m| {
        m.char('เ')?;
        m.consonant()?;
        m.consonant()?;
        m.char('\u{0E47}')?;
        m.consonant()?;
        m.karan();
        Some(())
    }),
    // 5 เcิc์ck
    (Lead::Char('เ'), |m| {
        m.char('เ')?;
        m.consonant()?;
        m.char('\u{0E34}')?;
        m.consonant()?;
        m.char('\u{0E4C}')?;
        m.consonant()?;
        m.karan();
        Some(())
    }),
    // 6 เcิtck
    (Lead::Char('เ'), |m| {
        m.char('เ')?;
        m.consonant()?;
        m.char('\u{0E34}')?;
        m.tone();
        m.consonant()?;
        m.karan();
        Some(())
    }),
    // 7 เcีtยะ?k
    (Lead::Char('เ'), |m| {
        m.char('เ')?;
        m.consonant()?;
        m.char('\u{0E35}')?;
        m.tone();
        m.char('ย')?;
        m.optional('ะ');
        m.karan();
        Some(())
    }),
    // 8 เcืtอะ?k
    (Lead::Char('เ'), |m| {
        m.char('เ')?;
        m.consonant()?;
        m.char('\u{0E37}')?;
        m.tone();
        m.char('อ')?;
        m.optional('ะ');
        m.karan();
        Some(())
    }),
    // 9 เctา?ะ?k
    (Lead::Char('เ'), |m| {
        m.char('เ')?;
        m.consonant()?;
        m.tone();
        m.optional('า');
        m.optional('ะ');
        m.karan();
        Some(())
    }),
    // 10 cัtวะk
    (Lead::Consonant, |m| {
        m.consonant()?;
        m.char('\u{0E31}')?;
        m.tone();
        m.char('ว')?;
        m.char('ะ')?;
        m.karan();
        Some(())
    }),
    // 11 c[ัื]tc[ุิะ]?k
    (Lead::Consonant, |m| {
        m.consonant()?;
        m.take(|c| matches!(c, '\u{0E31}' | '\u{0E37}'))?;
        m.tone();
        m.consonant()?;
        let _ = m.take(|c| matches!(c, '\u{0E38}' | '\u{0E34}' | 'ะ'));
        m.karan();
        Some(())
    }),
    // 12 c[ิุู]์k
    (Lead::Consonant, |m| {
        m.consonant()?;
        m.take(|c| matches!(c, '\u{0E34}' | '\u{0E38}' | '\u{0E39}'))?;
        m.char('\u{0E4C}')?;
        m.karan();
        Some(())
    }),
    // 13 c[ะ-ู]tk
    (Lead::Consonant, |m| {
        m.consonant()?;
        m.take(|c| matches!(c, 'ะ'..='\u{0E39}'))?;
        m.tone();
        m.karan();
        Some(())
    }),
    // 14 cรรc์ ็ (a space and ็ at the end, as nlpo3 spells it)
    (Lead::Consonant, |m| {
        m.consonant()?;
        m.char('ร')?;
        m.char('ร')?;
        m.consonant()?;
        m.char('\u{0E4C}')?;
        m.char(' ')?;
        m.char('\u{0E47}')?;
        Some(())
    }),
    // 15 c็
    (Lead::Consonant, |m| {
        m.consonant()?;
        m.char('\u{0E47}')?;
        Some(())
    }),
    // 16 ct[ะาำ]?k
    (Lead::Consonant, |m| {
        m.consonant()?;
        m.tone();
        let _ = m.take(|c| matches!(c, 'ะ' | 'า' | 'ำ'));
        m.karan();
        Some(())
    }),
    // 17 ck
    (Lead::Consonant, |m| {
        m.consonant()?;
        m.karan();
        Some(())
    }),
    // 18 แc็c
    (Lead::Char('แ'), |m| {
        m.char('แ')?;
        m.consonant()?;
        m.char('\u{0E47}')?;
        m.consonant()?;
        Some(())
    }),
    // 19 แcc์
    (Lead::Char('แ'), |m| {
        m.char('แ')?;
        m.consonant()?;
        m.consonant()?;
        m.char('\u{0E4C}')?;
        Some(())
    }),
    // 20 แctะ
    (Lead::Char('แ'), |m| {
        m.char('แ')?;
        m.consonant()?;
        m.tone();
        m.char('ะ')?;
        Some(())
    }),
    // 21 แcc็c
    (Lead::Char('แ'), |m| {
        m.char('แ')?;
        m.consonant()?;
        m.consonant()?;
        m.char('\u{0E47}')?;
        m.consonant()?;
        Some(())
    }),
    // 22 แccc์
    (Lead::Char('แ'), |m| {
        m.char('แ')?;
        m.consonant()?;
        m.consonant()?;
        m.consonant()?;
        m.char('\u{0E4C}')?;
        Some(())
    }),
    // 23 โctะ
    (Lead::Char('โ'), |m| {
        m.char('โ')?;
        m.consonant()?;
        m.tone();
        m.char('ะ')?;
        Some(())
    }),
    // 24 [เ-ไ]ct
    (Lead::LeadingVowel, |m| {
        m.take(is_leading_vowel)?;
        m.consonant()?;
        m.tone();
        Some(())
    }),
    // ก็
    (Lead::Char('ก'), |m| {
        m.char('ก')?;
        m.char('\u{0E47}')?;
        Some(())
    }),
    // อึ
    (Lead::Char('อ'), |m| {
        m.char('อ')?;
        m.char('\u{0E36}')?;
        Some(())
    }),
    // หึ
    (Lead::Char('ห'), |m| {
        m.char('ห')?;
        m.char('\u{0E36}')?;
        Some(())
    }),
    // look-ahead 1: เccีtย[เ-ไก-ฮ]k
    (Lead::Char('เ'), |m| {
        m.char('เ')?;
        m.consonant()?;
        m.consonant()?;
        m.char('\u{0E35}')?;
        m.tone();
        m.char('ย')?;
        m.take(|c| is_leading_vowel(c) || is_consonant(c))?;
        m.karan();
        Some(())
    }),
    // look-ahead 2: เc[ิีุู]tย[เ-ไก-ฮ]k
    (Lead::Char('เ'), |m| {
        m.char('เ')?;
        m.consonant()?;
        m.take(|c| matches!(c, '\u{0E34}' | '\u{0E35}' | '\u{0E38}' | '\u{0E39}'))?;
        m.tone();
        m.char('ย')?;
        m.take(|c| is_leading_vowel(c) || is_consonant(c))?;
        m.karan();
        Some(())
    }),
];

/// Whether each position of `text` (in chars, `0..=text.len()`) ends a cluster: the positions
/// newmm may cut at. Position 0 never does; `text.len()` does when `text` is not empty.
pub(crate) fn cluster_ends(text: &[char]) -> Vec<bool> {
    let mut ends = vec![false; text.len() + 1];
    let mut at = 0;
    while at < text.len() {
        at += cluster_len(&text[at..]);
        ends[at] = true;
    }
    ends
}

/// Length in chars of the cluster that starts `text` (not empty): at least 1.
fn cluster_len(text: &[char]) -> usize {
    let first = text[0];
    let matched = RULES.iter().find_map(|&(lead, rule)| {
        if !lead.accepts(first) {
            return None;
        }
        let mut m = Cursor { text, at: 0 };
        rule(&mut m).map(|()| m.at)
    });
    match matched {
        Some(len) if ends_with_look_ahead(&text[..len]) => len - 1,
        Some(len) => len,
        None => 1,
    }
}

/// nlpo3's look-ahead test on a match: it starts with เccีtย or เc[ิีุู]tย and one more
/// leading vowel or consonant.
fn ends_with_look_ahead(matched: &[char]) -> bool {
    let look_ahead_1: Rule = |m| {
        m.char('เ')?;
        m.consonant()?;
        m.consonant()?;
        m.char('\u{0E35}')?;
        m.tone();
        m.char('ย')?;
        m.take(|c| is_leading_vowel(c) || is_consonant(c))
    };
    let look_ahead_2: Rule = |m| {
        m.char('เ')?;
        m.consonant()?;
        m.take(|c| matches!(c, '\u{0E34}' | '\u{0E35}' | '\u{0E38}' | '\u{0E39}'))?;
        m.tone();
        m.char('ย')?;
        m.take(|c| is_leading_vowel(c) || is_consonant(c))
    };
    matched.first() == Some(&'เ')
        && [look_ahead_1, look_ahead_2].iter().any(|rule| {
            rule(&mut Cursor {
                text: matched,
                at: 0,
            })
            .is_some()
        })
}

/// ก–ฮ
fn is_consonant(c: char) -> bool {
    matches!(c, 'ก'..='ฮ')
}

/// เ แ โ ใ ไ, written before the consonant they follow in speech.
fn is_leading_vowel(c: char) -> bool {
    matches!(c, 'เ'..='ไ')
}

/// A position in the text a rule is matching; every step is greedy and never backtracks, which
/// gives the regex's result here because no optional part can take what the next part needs.
struct Cursor<'a> {
    text: &'a [char],
    at: usize,
}

impl Cursor<'_> {
    fn take(&mut self, accepts: impl Fn(char) -> bool) -> Option<()> {
        let c = *self.text.get(self.at)?;
        accepts(c).then(|| self.at += 1)
    }

    fn char(&mut self, wanted: char) -> Option<()> {
        self.take(|c| c == wanted)
    }

    fn optional(&mut self, wanted: char) {
        let _ = self.char(wanted);
    }

    fn consonant(&mut self) -> Option<()> {
        self.take(is_consonant)
    }

    /// An optional tone mark ่ ้ ๊ ๋.
    fn tone(&mut self) {
        let _ = self.take(|c| matches!(c, '\u{0E48}'..='\u{0E4B}'));
    }

    /// An optional silent ending: one or two consonants, optionally ิ ุ ู, then ์.
    fn karan(&mut self) {
        let start = self.at;
        let matched = (|| {
            self.consonant()?;
            let _ = self.consonant();
            let _ = self.take(|c| matches!(c, '\u{0E34}' | '\u{0E38}' | '\u{0E39}'));
            self.char('\u{0E4C}')
        })();
        if matched.is_none() {
            self.at = start;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clusters(text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        let ends = cluster_ends(&chars);
        let mut out = Vec::new();
        let mut start = 0;
        for (i, &end) in ends.iter().enumerate().skip(1) {
            if end {
                out.push(chars[start..i].iter().collect());
                start = i;
            }
        }
        out
    }

    #[test]
    fn clusters_follow_nlpo3() {
        // nlpo3's own tests: พิ|สูจน์|ได้|ค่ะ and เรือ|น้|อ|ย|ล|อ|ย|อ|ยู่.
        assert_eq!(clusters("พิสูจน์ได้ค่ะ"), ["พิ", "สูจน์", "ได้", "ค่ะ"]);
        assert_eq!(
            clusters("เรือน้อยลอยอยู่"),
            ["เรือ", "น้", "อ", "ย", "ล", "อ", "ย", "อ", "ยู่"]
        );
        assert_eq!(clusters("ab 1"), ["a", "b", " ", "1"]);
        assert!(clusters("").is_empty());
        // A lone mark is a cluster of its own.
        assert_eq!(clusters("\u{0E48}ก"), ["\u{0E48}", "ก"]);
    }

    #[test]
    fn look_ahead_drops_the_last_character() {
        // Rule 6 matches เกิยก์ (karan ก์); the look-ahead test then gives ์ back.
        assert_eq!(clusters("เกิยก์"), ["เกิยก", "\u{0E4C}"]);
    }
}
