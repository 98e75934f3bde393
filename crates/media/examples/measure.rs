//! Figures for docs/bench.md: size of the copies against the original photo, the time to make
//! them (median of several runs) and the peak resident memory of the process.
//!
//! `cargo run --release -p khlang-media --example measure -- [photo.jpg] [runs]`
//! Without a photo, a photo-like 4000 × 3000 JPEG (quality 92, fractal texture and sensor
//! grain, GPS EXIF) is made first; `--write=photo.jpg` only writes that photo (so the peak
//! memory of a run on it counts the copying alone).

use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, Rgb, RgbImage};
use khlang_media::{Limits, copies, fixtures, inspect};
use std::time::Instant;

/// Peak and current resident set size (kB) from /proc (Linux).
fn rss() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Smooth value noise at one scale (bilinear between lattice points).
fn lattice(x: u32, y: u32, seed: u32) -> f32 {
    let mut h = x.wrapping_mul(374_761_393)
        ^ y.wrapping_mul(668_265_263)
        ^ seed.wrapping_mul(2_246_822_519);
    h = (h ^ (h >> 13)).wrapping_mul(1_274_126_177);
    (h >> 8) as f32 / (1u32 << 24) as f32
}

fn noise(x: f32, y: f32, seed: u32) -> f32 {
    let (xi, yi) = (x as u32, y as u32);
    let (fx, fy) = (x - xi as f32, y - yi as f32);
    let a = lattice(xi, yi, seed);
    let b = lattice(xi + 1, yi, seed);
    let c = lattice(xi, yi + 1, seed);
    let d = lattice(xi + 1, yi + 1, seed);
    let top = a + (b - a) * fx;
    let bottom = c + (d - c) * fx;
    top + (bottom - top) * fy
}

fn photo_like(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let mut v = [0f32; 3];
        for (c, out) in v.iter_mut().enumerate() {
            let mut amp = 0.5;
            let mut scale = 1.0 / 600.0;
            for octave in 0..6 {
                *out += amp * noise(fx * scale, fy * scale, c as u32 * 17 + octave);
                amp *= 0.5;
                scale *= 2.3;
            }
        }
        let grain = (lattice(x, y, 99) - 0.5) * 18.0;
        let sky = 1.0 - fy / h as f32;
        Rgb([
            (v[0] * 180.0 + sky * 40.0 + grain).clamp(0.0, 255.0) as u8,
            (v[1] * 200.0 + 20.0 + grain).clamp(0.0, 255.0) as u8,
            (v[2] * 150.0 + sky * 90.0 + grain).clamp(0.0, 255.0) as u8,
        ])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 92)
        .encode(img.as_raw(), w, h, ExtendedColorType::Rgb8)
        .expect("encode");
    fixtures::splice_exif(&out, &fixtures::exif(1, true))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(path) = args.first().and_then(|a| a.strip_prefix("--write=")) {
        std::fs::write(path, photo_like(4000, 3000)).expect("write photo");
        return;
    }
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(7);
    let photo = match args.first().filter(|p| *p != "-") {
        Some(path) => std::fs::read(path).expect("read photo"),
        None => photo_like(4000, 3000),
    };
    let before = rss();
    let mut times = Vec::new();
    let mut last = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        last = copies(&photo, &[480, 1600], &Limits::default()).expect("copies");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "original: {} bytes, EXIF: {}",
        photo.len(),
        inspect::has_exif(&photo)
    );
    for (name, c) in ["thumb", "display"].iter().zip(&last) {
        println!(
            "{name}: {}×{} {} bytes ({:.1}% of the original), EXIF: {}",
            c.width,
            c.height,
            c.jpeg.len(),
            c.jpeg.len() as f64 * 100.0 / photo.len() as f64,
            inspect::has_exif(&c.jpeg)
        );
    }
    println!(
        "derive both, {runs} runs: median {:.0} ms, min {:.0} ms, max {:.0} ms",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
    let bomb = fixtures::png_bomb(100_000, 100_000);
    let t = Instant::now();
    let refused = copies(&bomb, &[480, 1600], &Limits::default());
    println!(
        "bomb ({} bytes claiming 100000×100000): {:?} in {:.2} ms",
        bomb.len(),
        refused.err(),
        t.elapsed().as_secs_f64() * 1000.0
    );
    let after = rss();
    println!(
        "RSS: before {} MB (peak so far {} MB); peak over the runs {} MB",
        before.1 / 1024,
        before.0 / 1024,
        after.0 / 1024
    );
}
