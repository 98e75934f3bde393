//! khlang's Thai search test collection and the yardstick for its ranker.
//!
//! The collection (`data/collection.toml`) holds passages cut at natural boundaries from the
//! five seed documents (text verbatim, HTML list tags of the PDF conversion turned into line
//! breaks), and queries of the kinds Thai civil servants and อสม. type, each judged 1–3 against
//! every passage by reading it, before khlang's ranker existed, so the judgments do not favour
//! it. [`evaluate`] scores any [`Ranker`] with nDCG@10, Recall@10 and MRR, overall and per
//! query kind; [`baselines`] holds what khlang must beat (substring matching as WordPress does
//! it, BM25 over words, BM25 over character 3-grams).
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-eval cargo run --release -p khlang-searcheval --example baselines
//! ```

pub mod baselines;
pub mod collection;
pub mod metrics;

pub use baselines::{Bm25Trigrams, Bm25Words, Substring, WordAnalysis};
pub use collection::{Collection, CollectionError, Grade, Kind, Passage, Query};
pub use metrics::{
    K, MRR_MIN_GRADE, QueryScore, Ranker, Report, Summary, evaluate, ndcg_at, recall_at,
    reciprocal_rank,
};
