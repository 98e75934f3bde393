//! Extraction throughput per file: `cargo run --release -p khlang-extract --example
//! throughput -- [--print] FILE…`. Prints the median of 9 runs; `--print` shows the text.

use std::time::Instant;

use khlang_extract::{Format, Limits, extract};

fn format_of(path: &str) -> Option<Format> {
    Some(
        match path.rsplit('.').next()?.to_ascii_lowercase().as_str() {
            "pdf" => Format::Pdf,
            "docx" => Format::Docx,
            "pptx" => Format::Pptx,
            "xlsx" => Format::Xlsx,
            "odt" | "ods" | "odp" => Format::OpenDocument,
            _ => return None,
        },
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let print = args.iter().any(|a| a == "--print");
    let limits = Limits::default();
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        let Some(format) = format_of(path) else {
            eprintln!("{path}: unknown extension");
            continue;
        };
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let mut times = Vec::new();
        let mut result = None;
        for _ in 0..9 {
            let start = Instant::now();
            result = Some(extract(format, &bytes, &limits));
            times.push(start.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        let summary = match result.as_ref() {
            Some(Ok(x)) => format!(
                "{} chars{}",
                x.text.chars().count(),
                if x.truncated { " (truncated)" } else { "" }
            ),
            Some(Err(e)) => format!("error: {e}"),
            None => String::new(),
        };
        println!(
            "{path}\t{} bytes\t{:.3} ms\t{:.1} MB/s\t{summary}",
            bytes.len(),
            median * 1e3,
            bytes.len() as f64 / median / 1e6
        );
        if print && let Some(Ok(x)) = result {
            println!("{}\n----", x.text);
        }
    }
}
