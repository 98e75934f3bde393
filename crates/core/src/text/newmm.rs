//! newmm, PyThaiNLP's Thai word segmentation (Korakot Chaovavanich): dictionary maximal matching
//! constrained by Thai Character Clusters, with a limit on the size of the graph of candidate
//! cuts. Ported from the `nlpo3` crate's version (Thanathip Suntorntip), which was the reference:
//! for a given dictionary it cuts text exactly as nlpo3's newmm with `safe = false` does (checked
//! token for token on the seeds and on generated stress text before nlpo3 was dropped; see
//! `tests/segment_quality.rs`). Algorithm and rules: Copyright 2024 PyThaiNLP Project,
//! Apache-2.0.
//!
//! What it changes is the cost. nlpo3 keeps the dictionary in a trie with a hash map per node,
//! about 50 MiB for PyThaiNLP's 62,000 words; here the trie is two flat arrays (8 bytes per
//! node, under 2 MiB), built from the sorted word list in a few tens of milliseconds.
//!
//! How a text is cut (positions count chars):
//! 1. the cluster ends ([`tcc`](super::tcc)) are the only places a word may end;
//! 2. from the smallest open position, every dictionary word that starts there and ends at a
//!    cluster end adds an edge to the graph and its end to the open positions;
//! 3. when a single open position remains, everything before it is settled: the path with the
//!    fewest words is output (breadth-first; of equally short paths, the one found first);
//! 4. when none remains, the text there is not in the dictionary: a Latin word, a number, a run
//!    of spaces or a line break is one token; Thai runs to the next cluster end where a
//!    dictionary word (other than one or two bare consonants) or a non-Thai token starts.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::tcc::cluster_ends;

/// Edges added since the last settled position beyond which each position contributes only its
/// shortest word: bounds the graph on highly ambiguous text.
const MAX_GRAPH_SIZE: usize = 50;

/// The root of the trie [`Newmm::trie_children`] walks: the empty prefix.
pub const TRIE_ROOT: u32 = 0;

/// The newmm segmenter over a word list. `Send + Sync`; [`segment`](Newmm::segment) takes `&self`.
#[derive(Clone)]
pub struct Newmm {
    words: WordTrie,
}

impl std::fmt::Debug for Newmm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Newmm")
            .field("words", &self.words.count)
            .field("trie_nodes", &self.words.nodes.len())
            .finish()
    }
}

impl Newmm {
    /// A segmenter knowing `words`, taken as they are apart from surrounding whitespace
    /// (nlpo3's definition, which also counts zero-width spaces and direction marks; nlpo3 itself
    /// stored a word with leading whitespace wrongly, here it is simply trimmed).
    pub fn new<I, S>(words: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut list = WordList::default();
        for w in words {
            list.push(w.as_ref());
        }
        Newmm {
            words: WordTrie::build(list),
        }
    }

    /// Adds `words` to the dictionary; the trie is rebuilt, so add many words in one call.
    pub fn add_words<I, S>(&mut self, words: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut list = self.words.word_list();
        let before = list.len();
        for w in words {
            list.push(w.as_ref());
        }
        if list.len() > before {
            self.words = WordTrie::build(list);
        }
    }

    /// Number of distinct words in the dictionary.
    pub fn word_count(&self) -> usize {
        self.words.count
    }

    /// Bytes the dictionary holds on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.words.nodes.capacity() * size_of::<u32>()
            + self.words.first_child.capacity() * size_of::<u32>()
    }

    /// Whether `word` is in the dictionary, exactly as it is spelt there.
    pub fn contains(&self, word: &str) -> bool {
        let mut node = 0;
        for c in word.chars() {
            match self.words.child(node, c) {
                Some(child) => node = child,
                None => return false,
            }
        }
        node != 0 && self.words.nodes[node] & WORD_END != 0
    }

    /// The dictionary's trie, walked node by node from [`TRIE_ROOT`]: the children of `node` as
    /// (char, child, whether the path to the child spells a word), in char order. Lets a search
    /// for words near a misspelling prune whole subtrees without a second copy of the list.
    pub fn trie_children(&self, node: u32) -> impl Iterator<Item = (char, u32, bool)> + '_ {
        let node = node as usize;
        (self.words.first_child[node]..self.words.first_child[node + 1]).map(|child| {
            let n = self.words.nodes[child as usize];
            let c = char::from_u32(n & LABEL).expect("a char label");
            (c, child, n & WORD_END != 0)
        })
    }

    /// Cuts `text` into words: byte spans that cover it exactly, in order. Spaces, punctuation
    /// and other characters are tokens too, as newmm outputs them.
    pub fn segment(&self, text: &str) -> Vec<(usize, usize)> {
        let chars: Vec<char> = text.chars().collect();
        let mut offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        offsets.push(text.len());
        let mut start = 0;
        self.word_ends(&chars)
            .into_iter()
            .map(|end| {
                let span = (offsets[start], offsets[end]);
                start = end;
                span
            })
            .collect()
    }

    /// The end position (in chars) of each word of `text`, in order; the last is `text.len()`.
    fn word_ends(&self, text: &[char]) -> Vec<usize> {
        let len = text.len();
        let mut ends = Vec::with_capacity(len / 3);
        if len == 0 {
            return ends;
        }
        let cluster_end = cluster_ends(text);
        let mut graph = Graph::new(len);
        let mut graph_size = 0;
        let mut open = BinaryHeap::new();
        let mut seen = vec![false; len + 1];
        open.push(Reverse(0));
        seen[0] = true;
        // Everything before `settled` is output.
        let mut settled = 0;
        while let Some(&Reverse(begin)) = open.peek() {
            if begin >= len {
                break;
            }
            open.pop();
            for word_len in self.words.prefixes(&text[begin..]) {
                let end = begin + word_len;
                if cluster_end[end] {
                    graph.add_edge(begin, end);
                    graph_size += 1;
                    if !seen[end] {
                        seen[end] = true;
                        open.push(Reverse(end));
                    }
                    if graph_size > MAX_GRAPH_SIZE {
                        break;
                    }
                }
            }
            match open.len() {
                1 => {
                    let Reverse(goal) = *open.peek().expect("one open position");
                    match graph.fewest_words(settled, goal) {
                        Some(path) => ends.extend(path),
                        // Unreachable (every open position was reached from `settled`); if it
                        // ever happened, one token to the goal still covers the text.
                        None => ends.push(goal),
                    }
                    graph_size = 0;
                    settled = goal;
                }
                0 => {
                    let end = self.unknown_word_end(text, begin, &cluster_end);
                    graph.add_edge(begin, end);
                    graph_size += 1;
                    ends.push(end);
                    open.push(Reverse(end));
                    seen[end] = true;
                    settled = end;
                }
                _ => {}
            }
        }
        ends
    }

    /// Where a token that is not in the dictionary and starts at `begin` ends.
    fn unknown_word_end(&self, text: &[char], begin: usize, cluster_end: &[bool]) -> usize {
        if let Some(len) = non_thai_len(&text[begin..]) {
            return begin + len;
        }
        (begin + 1..text.len())
            .find(|&pos| {
                cluster_end[pos]
                    && (self.words.prefixes(&text[pos..]).any(|word_len| {
                        cluster_end[pos + word_len] && !is_bare_consonants(&text[pos..][..word_len])
                    }) || non_thai_len(&text[pos..]).is_some())
            })
            .unwrap_or(text.len())
    }
}

/// The length of the non-Thai token at the start of `text`, as nlpo3 matches it: Latin letters
/// and hyphens; digits with `,` or `.` between digit groups (Arabic or Thai, not mixed); spaces
/// and tabs; a line break.
fn non_thai_len(text: &[char]) -> Option<usize> {
    let run = |from: usize, accepts: fn(char) -> bool| {
        text[from..].iter().take_while(|&&c| accepts(c)).count()
    };
    let number = |digit: fn(char) -> bool| {
        let mut len = run(0, digit);
        while matches!(text.get(len), Some(',' | '.')) {
            let group = run(len + 1, digit);
            if group == 0 {
                break;
            }
            len += 1 + group;
        }
        len
    };
    match *text.first()? {
        '-' | 'a'..='z' | 'A'..='Z' => Some(run(0, |c| c == '-' || c.is_ascii_alphabetic())),
        '0'..='9' => Some(number(|c| c.is_ascii_digit())),
        '๐'..='๙' => Some(number(|c| matches!(c, '๐'..='๙'))),
        ' ' | '\t' => Some(run(0, |c| matches!(c, ' ' | '\t'))),
        '\n' => Some(1),
        '\r' if text.get(1) == Some(&'\n') => Some(2),
        _ => None,
    }
}

/// One or two Thai consonants and nothing else (กก, ข): too short to stop an unknown word at.
fn is_bare_consonants(word: &[char]) -> bool {
    word.len() <= 2 && word.iter().all(|c| matches!(c, 'ก'..='ฮ'))
}

/// Candidate cuts: an edge from each position to the end of each word that starts there, in the
/// order they were found (the order breaks ties between equally short paths).
struct Graph {
    /// Per position, its first edge in `edges` (`NONE` if it has none) and its last.
    first: Vec<(u32, u32)>,
    /// (end position, next edge from the same position or `NONE`).
    edges: Vec<(u32, u32)>,
}

const NONE: u32 = u32::MAX;

impl Graph {
    fn new(len: usize) -> Self {
        Graph {
            first: vec![(NONE, NONE); len + 1],
            edges: Vec::with_capacity(len),
        }
    }

    fn add_edge(&mut self, from: usize, to: usize) {
        let id = self.edges.len() as u32;
        self.edges.push((to as u32, NONE));
        match self.first[from] {
            (NONE, _) => self.first[from] = (id, id),
            (head, last) => {
                self.edges[last as usize].1 = id;
                self.first[from] = (head, id);
            }
        }
    }

    fn neighbours(&self, from: usize) -> impl Iterator<Item = usize> + '_ {
        let mut edge = self.first[from].0;
        std::iter::from_fn(move || {
            if edge == NONE {
                return None;
            }
            let (to, next) = self.edges[edge as usize];
            edge = next;
            Some(to as usize)
        })
    }

    /// The positions after `start` on the path to `goal` with the fewest edges, the first such
    /// path in breadth-first order; `None` if `goal` cannot be reached. nlpo3 enqueues whole
    /// paths without marking visited positions; the first path it completes is this one.
    fn fewest_words(&self, start: usize, goal: usize) -> Option<Vec<usize>> {
        // (position, index of the entry it was reached from)
        // The queue is also the visited set: it is small (positions between start and goal).
        let mut queue: Vec<(usize, usize)> = vec![(start, usize::MAX)];
        let mut head = 0;
        while head < queue.len() {
            let (vertex, _) = queue[head];
            for next in self.neighbours(vertex) {
                if next == goal {
                    let mut path = vec![goal];
                    let mut at = head;
                    while at != 0 {
                        path.push(queue[at].0);
                        at = queue[at].1;
                    }
                    path.reverse();
                    return Some(path);
                }
                if !queue.iter().any(|&(v, _)| v == next) {
                    queue.push((next, head));
                }
            }
            head += 1;
        }
        None
    }
}

/// Words being collected for a trie: all in one string, each word a span of it.
#[derive(Default)]
struct WordList {
    text: String,
    spans: Vec<(u32, u32)>,
}

impl WordList {
    fn len(&self) -> usize {
        self.spans.len()
    }

    /// Adds `word` without the whitespace around it; nothing if that leaves it empty.
    fn push(&mut self, word: &str) {
        let word = word.trim_matches(is_nlpo3_whitespace);
        if word.is_empty() {
            return;
        }
        let start = self.text.len() as u32;
        self.text.push_str(word);
        self.spans.push((start, self.text.len() as u32));
    }

    fn word(&self, i: usize) -> &str {
        let (s, e) = self.spans[i];
        &self.text[s as usize..e as usize]
    }

    /// The number of distinct non-empty prefixes of the words (the trie's nodes but the root),
    /// for a sorted list: each word adds the chars it does not share with the word before it.
    fn distinct_prefixes(&self) -> usize {
        (0..self.len())
            .map(|i| {
                let word = self.word(i);
                let mut shared = i.checked_sub(1).map_or(0, |prev| {
                    let before = self.word(prev);
                    before
                        .bytes()
                        .zip(word.bytes())
                        .take_while(|(a, b)| a == b)
                        .count()
                });
                while !word.is_char_boundary(shared) {
                    shared -= 1;
                }
                word[shared..].chars().count()
            })
            .sum()
    }
}

/// Whitespace as nlpo3 trims dictionary words: Unicode's, plus the zero-width and direction
/// characters.
fn is_nlpo3_whitespace(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}'
        )
}

/// Flag on a node: the chars on the path to it spell a word.
const WORD_END: u32 = 1 << 31;
/// The char on the edge into a node (21 bits cover every `char`).
const LABEL: u32 = 0x1F_FFFF;

/// The dictionary as a trie in two flat arrays, nodes in breadth-first order so that the
/// children of a node are consecutive and sorted by char.
#[derive(Clone)]
struct WordTrie {
    /// Per node: its char (`LABEL` bits) and `WORD_END`. Node 0 is the root.
    nodes: Vec<u32>,
    /// The children of node `i` are nodes `first_child[i]..first_child[i + 1]`.
    first_child: Vec<u32>,
    /// Distinct words.
    count: usize,
}

impl WordTrie {
    fn build(mut list: WordList) -> Self {
        // Byte order of UTF-8 is char order, so the words of a subtree are consecutive.
        let mut spans = std::mem::take(&mut list.spans);
        let text = &list.text;
        let word = |&(s, e): &(u32, u32)| &text[s as usize..e as usize];
        spans.sort_unstable_by(|a, b| word(a).cmp(word(b)));
        spans.dedup_by(|a, b| word(a) == word(b));
        list.spans = spans;

        // Sized exactly, so the arrays are allocated once.
        let node_count = list.distinct_prefixes() + 1;
        let mut nodes = Vec::with_capacity(node_count);
        nodes.push(0u32);
        let mut first_child = Vec::with_capacity(node_count + 1);
        // Nodes to expand, in index order: (first word, past the last word, length in bytes
        // of the node's path). Its words all start with the path; one equal to it sorts first.
        let mut pending: std::collections::VecDeque<(u32, u32, u32)> =
            std::collections::VecDeque::from([(0, list.len() as u32, 0)]);
        while let Some((lo, hi, depth)) = pending.pop_front() {
            let (lo, hi, depth) = (lo as usize, hi as usize, depth as usize);
            first_child.push(nodes.len() as u32);
            let mut i = lo;
            if i < hi && list.word(i).len() == depth {
                i += 1;
            }
            while i < hi {
                let c = list.word(i)[depth..]
                    .chars()
                    .next()
                    .expect("longer than the path");
                let child_depth = depth + c.len_utf8();
                let label = &list.word(i).as_bytes()[depth..child_depth];
                let mut j = i + 1;
                while j < hi && list.word(j).as_bytes()[depth..].starts_with(label) {
                    j += 1;
                }
                let end = if list.word(i).len() == child_depth {
                    WORD_END
                } else {
                    0
                };
                nodes.push(c as u32 | end);
                pending.push_back((i as u32, j as u32, child_depth as u32));
                i = j;
            }
        }
        first_child.push(nodes.len() as u32);
        debug_assert_eq!(nodes.len(), node_count);
        WordTrie {
            nodes,
            first_child,
            count: list.len(),
        }
    }

    fn child(&self, node: usize, c: char) -> Option<usize> {
        let from = self.first_child[node] as usize;
        let children = &self.nodes[from..self.first_child[node + 1] as usize];
        children
            .binary_search_by_key(&(c as u32), |n| n & LABEL)
            .ok()
            .map(|i| from + i)
    }

    /// Lengths (in chars) of the words that start `text`, shortest first.
    fn prefixes<'a>(&'a self, text: &'a [char]) -> impl Iterator<Item = usize> + 'a {
        let mut node = 0;
        let mut depth = 0;
        std::iter::from_fn(move || {
            while depth < text.len() {
                node = self.child(node, text[depth])?;
                depth += 1;
                if self.nodes[node] & WORD_END != 0 {
                    return Some(depth);
                }
            }
            None
        })
    }

    /// Every word, for rebuilding with more.
    fn word_list(&self) -> WordList {
        let mut list = WordList::default();
        let mut path = String::new();
        // (node, length in bytes of its parent's path)
        let mut stack = vec![(0usize, 0usize)];
        while let Some((node, parent_len)) = stack.pop() {
            path.truncate(parent_len);
            if node != 0 {
                path.push(char::from_u32(self.nodes[node] & LABEL).expect("a char label"));
                if self.nodes[node] & WORD_END != 0 {
                    list.push(&path);
                }
            }
            for child in (self.first_child[node]..self.first_child[node + 1]).rev() {
                stack.push((child as usize, path.len()));
            }
        }
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words<'a>(newmm: &Newmm, text: &'a str) -> Vec<&'a str> {
        newmm
            .segment(text)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn cuts_by_dictionary_and_clusters() {
        let newmm = Newmm::new(["การ", "จัดการ", "ความรู้", "ความ", "รู้", "จัด"]);
        assert_eq!(words(&newmm, "การจัดการความรู้"), ["การ", "จัดการ", "ความรู้"]);
        assert!(newmm.segment("").is_empty());
    }

    #[test]
    fn unknown_text_runs_to_the_next_known_word() {
        let newmm = Newmm::new(["ความรู้"]);
        assert_eq!(
            words(&newmm, "สวัสดีความรู้ KM 1,000.50 บาท\r\n"),
            [
                "สวัสดี",
                "ความรู้",
                " ",
                "KM",
                " ",
                "1,000.50",
                " ",
                "บาท",
                "\r\n"
            ]
        );
        assert_eq!(words(&newmm, "(ab)"), ["(", "ab", ")"]);
    }

    #[test]
    fn added_words_are_found_and_kept() {
        let mut newmm = Newmm::new(["ขอนแก่น", " ศูนย์\u{200B}"]);
        assert_eq!(newmm.word_count(), 2);
        newmm.add_words(["ขอนแก่นโมเดล", "ขอนแก่น"]);
        assert_eq!(newmm.word_count(), 3);
        assert_eq!(words(&newmm, "ศูนย์ขอนแก่นโมเดล"), ["ศูนย์", "ขอนแก่นโมเดล"]);
        let mut listed: Vec<String> = {
            let list = newmm.words.word_list();
            (0..list.len()).map(|i| list.word(i).to_string()).collect()
        };
        listed.sort();
        assert_eq!(listed, ["ขอนแก่น", "ขอนแก่นโมเดล", "ศูนย์"]);
    }

    #[test]
    fn the_trie_can_be_looked_up_and_walked() {
        let newmm = Newmm::new(["การ", "กา", "ขา"]);
        assert!(newmm.contains("กา") && newmm.contains("การ"));
        assert!(!newmm.contains("ก") && !newmm.contains("") && !newmm.contains("การา"));
        let mut words = Vec::new();
        let mut stack = vec![(TRIE_ROOT, String::new())];
        while let Some((node, path)) = stack.pop() {
            for (c, child, is_word) in newmm.trie_children(node) {
                let p = format!("{path}{c}");
                if is_word {
                    words.push(p.clone());
                }
                stack.push((child, p));
            }
        }
        words.sort();
        assert_eq!(words, ["กา", "การ", "ขา"]);
    }

    #[test]
    fn fewest_words_takes_the_first_shortest_path() {
        let mut g = Graph::new(6);
        for (a, b) in [(0, 2), (0, 1), (1, 3), (2, 3), (3, 6), (2, 6)] {
            g.add_edge(a, b);
        }
        assert_eq!(g.fewest_words(0, 6), Some(vec![2, 6]));
        assert_eq!(g.fewest_words(0, 3), Some(vec![2, 3]));
        assert_eq!(g.fewest_words(1, 2), None);
    }
}
