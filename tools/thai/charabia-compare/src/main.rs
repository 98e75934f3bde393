//! charabia (Meilisearch's tokenizer, features = ["thai"], segmenter only: its normaliser is
//! never called) against PyThaiNLP newmm on the seed lines, with the same boundary scores as
//! crates/core/tests/segment_quality.rs.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

use charabia::Segment;

fn is_thai(c: char) -> bool {
    matches!(c, '\u{0E01}'..='\u{0E4F}')
}

fn cuts<S: AsRef<str>>(tokens: &[S], chars: &[char], thai_only: bool) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    let mut pos = 0;
    for t in tokens {
        pos += t.as_ref().chars().count();
        if pos > 0 && pos < chars.len() && (!thai_only || (is_thai(chars[pos - 1]) && is_thai(chars[pos]))) {
            out.insert(pos);
        }
    }
    out
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../crates/core/tests/data/newmm");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    paths.sort();
    let mut lines: Vec<String> = Vec::new();
    for thai_only in [false, true] {
        let (mut matched, mut proposed, mut reference) = (0, 0, 0);
        for p in &paths {
            for l in std::fs::read_to_string(p).unwrap().lines() {
                let toks: Vec<String> = serde_json::from_str(l).unwrap();
                let text: String = toks.concat();
                let chars: Vec<char> = text.chars().collect();
                let out: Vec<&str> = text.as_str().segment_str().collect();
                assert_eq!(out.concat(), text);
                let (r, h) = (cuts(&toks, &chars, thai_only), cuts(&out, &chars, thai_only));
                matched += r.intersection(&h).count();
                proposed += h.len();
                reference += r.len();
                if !thai_only {
                    lines.push(text);
                }
            }
        }
        let (p, r) = (matched as f64 / proposed as f64, matched as f64 / reference as f64);
        let scope = if thai_only { "Thai boundaries" } else { "all boundaries " };
        println!("charabia {scope}: P {p:.4} R {r:.4} F1 {:.4}", 2.0 * p * r / (p + r));
    }
    let bytes: usize = lines.iter().map(String::len).sum();
    let mut runs: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            for l in &lines {
                std::hint::black_box(l.as_str().segment_str().count());
            }
            t.elapsed().as_secs_f64()
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    println!("charabia throughput: {:.2} MB/s (median of 5, per line)", bytes as f64 / 1e6 / runs[2]);
}
