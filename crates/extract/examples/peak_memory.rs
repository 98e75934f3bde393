//! Peak memory of one extraction per hostile PDF (made in code, see `tests/hostile`):
//! `cargo run --release -p khlang-extract --example peak_memory`. Linux only: reads VmRSS and
//! VmHWM from /proc/self/status. Each fixture is written by one child process and measured
//! by another, so that making it (a 1 GB bomb is compressed on the fly) does not count.

#[path = "../tests/hostile/mod.rs"]
mod hostile;

use khlang_extract::{Format, Limits, extract};
use std::process::Command;
use std::time::Instant;

fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("make") => {
            let (name, path) = (&args[1], &args[2]);
            std::fs::write(path, hostile::by_name(name)).unwrap();
        }
        Some("measure") => {
            let bytes = std::fs::read(&args[1]).unwrap();
            let idle = status_kb("VmRSS:");
            let t = Instant::now();
            let got = extract(Format::Pdf, &bytes, &Limits::default());
            let ms = t.elapsed().as_millis();
            let peak = status_kb("VmHWM:");
            let outcome = match got {
                Ok(x) => format!(
                    "{} chars{}",
                    x.text.chars().count(),
                    if x.truncated { " (truncated)" } else { "" }
                ),
                Err(e) => format!("refused: {e}"),
            };
            println!(
                "{} KB in\t{:.1} MB above idle\t{ms} ms\t{outcome}",
                bytes.len() / 1024,
                peak.saturating_sub(idle) as f64 / 1024.0
            );
        }
        _ => {
            let me = std::env::current_exe().unwrap();
            let dir = std::env::temp_dir();
            for name in hostile::NAMES {
                let path = dir.join(format!("khlang-hostile-{name}.pdf"));
                let ok = Command::new(&me)
                    .args(["make", name])
                    .arg(&path)
                    .status()
                    .unwrap();
                assert!(ok.success());
                let out = Command::new(&me)
                    .arg("measure")
                    .arg(&path)
                    .output()
                    .unwrap();
                print!("{name}\t{}", String::from_utf8_lossy(&out.stdout));
                if !out.status.success() {
                    println!("{name}\tfailed: {}", String::from_utf8_lossy(&out.stderr));
                }
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}
