//! Thai segmentation measured against PyThaiNLP's newmm on the five seed documents.
//!
//! The reference is `tests/data/newmm/*.jsonl`, written by `tools/thai/newmm_fixture.py`: one
//! JSON array of newmm tokens per non-empty seed line (the tokens concatenate to the line, so the
//! seed text itself comes from the fixture). Two scores, each boundary precision/recall/F1:
//! * all boundaries: every cut between two tokens of a line, as the engines output them
//!   (khlang's newmm follows nlpo3's port, which differs from PyThaiNLP's on purpose around
//!   punctuation: PyThaiNLP keeps `(MIS)` or `Process/` together, nlpo3 cuts `(|mis|)`);
//! * Thai boundaries: only cuts between two Thai characters, which is where segmentation is hard.
//!
//! `cargo test -p khlang-core --release --test segment_quality -- --ignored --nocapture` prints
//! the full measurement (engine and khlang pipeline, throughput, build cost); the plain tests are
//! regression guards on the Thai-boundary F1 of the engine and of the pipeline.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

use khlang_core::text::newmm::Newmm;
use khlang_core::text::normalize;
use khlang_core::text::segment::{Segmenter, embedded_words};

struct Seed {
    name: String,
    /// newmm's tokens for each line.
    lines: Vec<Vec<String>>,
}

fn seeds() -> Vec<Seed> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/newmm");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/data/newmm exists")
        .map(|e| e.expect("readable dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 5, "five seed fixtures in {}", dir.display());
    paths
        .into_iter()
        .map(|p| Seed {
            name: p.file_stem().unwrap().to_string_lossy().into_owned(),
            lines: std::fs::read_to_string(&p)
                .expect("fixture readable")
                .lines()
                .map(|l| serde_json::from_str(l).expect("a JSON array of tokens"))
                .collect(),
        })
        .collect()
}

fn is_thai(c: char) -> bool {
    matches!(c, '\u{0E01}'..='\u{0E4F}')
}

#[derive(Default, Clone, Copy)]
struct Score {
    matched: usize,
    proposed: usize,
    reference: usize,
}

impl Score {
    fn add(&mut self, reference: &BTreeSet<usize>, proposed: &BTreeSet<usize>) {
        self.matched += reference.intersection(proposed).count();
        self.proposed += proposed.len();
        self.reference += reference.len();
    }
    fn precision(self) -> f64 {
        self.matched as f64 / self.proposed.max(1) as f64
    }
    fn recall(self) -> f64 {
        self.matched as f64 / self.reference.max(1) as f64
    }
    fn f1(self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn show(self) -> String {
        format!(
            "P {:.4} R {:.4} F1 {:.4}",
            self.precision(),
            self.recall(),
            self.f1()
        )
    }
}

/// Inner cut positions (in chars) of a token sequence covering `chars`; with `thai_only`, only
/// cuts with a Thai character on both sides.
fn cuts<S: AsRef<str>>(tokens: &[S], chars: &[char], thai_only: bool) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    let mut pos = 0;
    for t in tokens {
        pos += t.as_ref().chars().count();
        if pos > 0
            && pos < chars.len()
            && (!thai_only || (is_thai(chars[pos - 1]) && is_thai(chars[pos])))
        {
            out.insert(pos);
        }
    }
    out
}

/// Cut positions (in chars) at the edges of the pipeline's word tokens, Thai-internal only.
fn token_cuts(segmenter: &Segmenter, line: &str) -> Option<(BTreeSet<usize>, Vec<char>)> {
    let normalized = normalize(line);
    let chars: Vec<char> = normalized.chars().collect();
    if chars.len() != line.chars().count() {
        return None;
    }
    let char_at: Vec<usize> = {
        let mut v = vec![0; normalized.len() + 1];
        for (ci, (bi, _)) in normalized.char_indices().enumerate() {
            v[bi] = ci;
        }
        v[normalized.len()] = chars.len();
        v
    };
    let mut out = BTreeSet::new();
    for t in segmenter.tokens_normalized(&normalized) {
        if t.is_alias {
            continue;
        }
        for b in [char_at[t.start], char_at[t.end]] {
            if b > 0 && b < chars.len() && is_thai(chars[b - 1]) && is_thai(chars[b]) {
                out.insert(b);
            }
        }
    }
    Some((out, chars))
}

fn pipeline_score(segmenter: &Segmenter, seed: &Seed) -> (Score, usize) {
    let mut score = Score::default();
    let mut skipped = 0;
    for reference in &seed.lines {
        let line: String = reference.concat();
        match token_cuts(segmenter, &line) {
            Some((proposed, chars)) => {
                let expected = cuts(reference, &chars, true);
                if std::env::var_os("KHLANG_SEGMENT_DIFF").is_some() && expected != proposed {
                    let ours: Vec<String> = segmenter
                        .tokens(&line)
                        .into_iter()
                        .map(|t| t.text)
                        .collect();
                    println!(
                        "newmm:  {}\nkhlang: {}",
                        reference.join("|"),
                        ours.join("|")
                    );
                }
                score.add(&expected, &proposed);
            }
            None => skipped += 1,
        }
    }
    (score, skipped)
}

/// The engine's words for `line`.
fn engine_words<'a>(engine: &Newmm, line: &'a str) -> Vec<&'a str> {
    engine
        .segment(line)
        .into_iter()
        .map(|(s, e)| &line[s..e])
        .collect()
}

/// The engine alone (raw seed lines, the word list as shipped) against newmm: (all, Thai).
fn engine_score(engine: &Newmm, seed: &Seed) -> (Score, Score) {
    let (mut all, mut thai) = (Score::default(), Score::default());
    for reference in &seed.lines {
        let line: String = reference.concat();
        let chars: Vec<char> = line.chars().collect();
        let out = engine_words(engine, &line);
        assert_eq!(out.concat(), line, "newmm must cover its input");
        all.add(&cuts(reference, &chars, false), &cuts(&out, &chars, false));
        thai.add(&cuts(reference, &chars, true), &cuts(&out, &chars, true));
    }
    (all, thai)
}

#[test]
fn engine_agrees_with_newmm_on_thai_word_boundaries() {
    let engine = Newmm::new(embedded_words());
    let mut total = Score::default();
    for seed in seeds() {
        let (_, thai) = engine_score(&engine, &seed);
        total.matched += thai.matched;
        total.proposed += thai.proposed;
        total.reference += thai.reference;
    }
    assert!(total.f1() > 0.999, "all seeds: {}", total.show());
}

fn shared() -> &'static Segmenter {
    static SEG: std::sync::OnceLock<Segmenter> = std::sync::OnceLock::new();
    SEG.get_or_init(Segmenter::new)
}

#[test]
fn pipeline_agrees_with_newmm_on_thai_word_boundaries() {
    let mut total = Score::default();
    for seed in seeds() {
        let (score, skipped) = pipeline_score(shared(), &seed);
        assert_eq!(
            skipped, 0,
            "{}: normalisation changed a line's length",
            seed.name
        );
        assert!(score.f1() > 0.99, "{}: {}", seed.name, score.show());
        total.matched += score.matched;
        total.proposed += score.proposed;
        total.reference += score.reference;
    }
    assert!(total.f1() > 0.995, "all seeds: {}", total.show());
}

fn median_seconds(mut f: impl FnMut()) -> f64 {
    let mut runs: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[2]
}

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
#[ignore = "measurement: run with --release -- --ignored --nocapture"]
fn measure_segmentation() {
    let seeds = seeds();
    println!(
        "profile: {}",
        if cfg!(debug_assertions) {
            "debug (throughput not meaningful)"
        } else {
            "release"
        }
    );

    // The engine alone: khlang's newmm + words_th.txt, raw seed lines.
    let words = embedded_words();
    let rss0 = rss_kib();
    let t = Instant::now();
    let engine = Newmm::new(words);
    let engine_build = t.elapsed();
    let rss1 = rss_kib();
    let t = Instant::now();
    let segmenter = Segmenter::new();
    let pipeline_build = t.elapsed();
    let rss2 = rss_kib();

    println!("\n== boundary agreement with PyThaiNLP newmm (per line)");
    let (mut all, mut thai, mut pipe) = (Score::default(), Score::default(), Score::default());
    for seed in &seeds {
        let (a, t) = engine_score(&engine, seed);
        let (p, skipped) = pipeline_score(&segmenter, seed);
        println!(
            "{:<24} newmm all: {} | newmm Thai: {} | khlang Thai words: {} (skipped {skipped})",
            seed.name,
            a.show(),
            t.show(),
            p.show()
        );
        for (acc, s) in [(&mut all, a), (&mut thai, t), (&mut pipe, p)] {
            acc.matched += s.matched;
            acc.proposed += s.proposed;
            acc.reference += s.reference;
        }
    }
    println!(
        "{:<24} newmm all: {} | newmm Thai: {} | khlang Thai words: {}",
        "ALL",
        all.show(),
        thai.show(),
        pipe.show()
    );

    println!("\n== whole documents in one call (khlang segments line by line)");
    for seed in &seeds {
        let mut text = String::new();
        let mut reference: Vec<String> = Vec::new();
        for line in &seed.lines {
            text.push_str(&line.concat());
            text.push('\n');
            reference.extend(line.iter().cloned());
            reference.push("\n".into());
        }
        let chars: Vec<char> = text.chars().collect();
        let out = engine_words(&engine, &text);
        let mut s = Score::default();
        s.add(&cuts(&reference, &chars, true), &cuts(&out, &chars, true));
        println!(
            "{:<24} {} chars: covers input {}, Thai F1 {:.4}",
            seed.name,
            chars.len(),
            out.concat() == text,
            s.f1()
        );
    }

    println!("\n== throughput over all seed lines (median of 5)");
    let lines: Vec<String> = seeds
        .iter()
        .flat_map(|s| s.lines.iter().map(|l| l.concat()))
        .collect();
    let bytes: usize = lines.iter().map(String::len).sum();
    let mb = bytes as f64 / 1e6;
    let engine_s = median_seconds(|| {
        for l in &lines {
            std::hint::black_box(engine.segment(l));
        }
    });
    let normalize_s = median_seconds(|| {
        for l in &lines {
            std::hint::black_box(normalize(l));
        }
    });
    let mut n_tokens = 0;
    let pipeline_s = median_seconds(|| {
        n_tokens = 0;
        for l in &lines {
            n_tokens += std::hint::black_box(segmenter.tokens(l)).len();
        }
    });
    let whole: String = lines.join("\n");
    let whole_s = median_seconds(|| {
        std::hint::black_box(segmenter.tokens(&whole));
    });
    println!("input: {} lines, {bytes} bytes", lines.len());
    println!(
        "newmm alone, per line:            {:6.2} MB/s",
        mb / engine_s
    );
    println!(
        "normalize alone:                  {:6.2} MB/s",
        mb / normalize_s
    );
    println!(
        "Segmenter::tokens, per line:      {:6.2} MB/s ({n_tokens} tokens)",
        mb / pipeline_s
    );
    println!(
        "Segmenter::tokens, one document:  {:6.2} MB/s",
        mb / whole_s
    );

    println!("\n== cost");
    let compressed = include_bytes!("../src/text/dict/words_th.txt.zlib").len();
    let inflated: usize = embedded_words().iter().map(|w| w.len() + 1).sum();
    println!("embedded word list: {compressed} bytes compressed, {inflated} bytes inflated");
    println!(
        "dictionary: {} words, {} KiB on the heap",
        engine.word_count(),
        engine.heap_bytes() / 1024
    );
    println!("build: newmm dictionary {engine_build:?}, Segmenter::new {pipeline_build:?}");
    if let (Some(a), Some(b), Some(c)) = (rss0, rss1, rss2) {
        println!(
            "resident memory: +{} KiB after the first dictionary (with one-off allocations), +{} KiB for one Segmenter",
            b.saturating_sub(a),
            c.saturating_sub(b)
        );
    }
}
