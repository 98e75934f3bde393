//! Prints the baselines' scores on the embedded collection: the numbers khlang's search has
//! to beat. `cargo run --release -p khlang-searcheval --example baselines`
use std::sync::Arc;

use khlang_core::text::Segmenter;
use khlang_searcheval::{
    Bm25Trigrams, Bm25Words, Collection, Ranker, Substring, WordAnalysis, evaluate,
};

fn main() {
    let collection = Collection::embedded();
    let judged: usize = collection.queries.iter().map(|q| q.judgments.len()).sum();
    println!(
        "collection: {} passages, {} queries, {} judgments\n",
        collection.passages.len(),
        collection.queries.len(),
        judged
    );
    let segmenter = Arc::new(Segmenter::new());
    let mut rankers: Vec<Box<dyn Ranker>> = vec![
        Box::new(Substring::new(&collection)),
        Box::new(Bm25Words::new(
            &collection,
            Arc::clone(&segmenter),
            WordAnalysis::Raw,
        )),
        Box::new(Bm25Words::new(
            &collection,
            segmenter,
            WordAnalysis::Normalized,
        )),
        Box::new(Bm25Trigrams::new(&collection)),
    ];
    for r in &mut rankers {
        println!("{}", evaluate(&collection, r.as_mut()));
    }
}
