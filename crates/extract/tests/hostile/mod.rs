//! Hostile PDFs made in code (nothing big is committed): each is small on disk and built to
//! cost a careless reader a lot of memory or work. Used by `tests/extract.rs` and by the
//! `peak_memory` example, which measures what each costs.

#![allow(dead_code)]

use lopdf::{Document, Object, Stream, dictionary};
use miniz_oxide::deflate::core::{CompressorOxide, create_comp_flags_from_zip_params};
use miniz_oxide::deflate::stream::deflate;
use miniz_oxide::{MZFlush, MZStatus};

/// zlib-compresses `total` bytes of `unit` repeated, chunk by chunk, so that making a 1 GB
/// bomb never holds 1 GB.
pub fn zlib_repeat(unit: &[u8], total: usize) -> Vec<u8> {
    let mut c = CompressorOxide::new(create_comp_flags_from_zip_params(9, 15, 0));
    let chunk: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
    let mut out = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut left = total;
    loop {
        let take = left.min(chunk.len());
        let flush = if take == left {
            MZFlush::Finish
        } else {
            MZFlush::None
        };
        let mut input = &chunk[..take];
        loop {
            let r = deflate(&mut c, input, &mut buf, flush);
            out.extend_from_slice(&buf[..r.bytes_written]);
            input = &input[r.bytes_consumed..];
            match r.status {
                Ok(MZStatus::StreamEnd) => return out,
                Ok(_) if input.is_empty() && flush == MZFlush::None => break,
                Ok(_) => {}
                Err(e) => panic!("deflate: {e:?}"),
            }
        }
        left -= take;
    }
}

/// A document whose page objects come from `page`, given the page tree's id.
fn document(pages: impl FnOnce(&mut Document, (u32, u16)) -> Vec<Object>) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let kids = pages(&mut doc, pages_id);
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn font(doc: &mut Document) -> (u32, u16) {
    doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    })
}

fn page(
    doc: &mut Document,
    parent: (u32, u16),
    contents: (u32, u16),
    font: (u32, u16),
) -> (u32, u16) {
    doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => parent, "Contents" => contents,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
    })
}

fn flate(data: Vec<u8>) -> Stream {
    let mut s = Stream::new(dictionary! { "Filter" => "FlateDecode" }, data);
    s.allows_compression = false;
    s
}

/// One page whose content stream inflates to `inflated` bytes of spaces (about 1000:1).
pub fn content_bomb(inflated: usize) -> Vec<u8> {
    document(|doc, pages| {
        let f = font(doc);
        let contents = doc.add_object(flate(zlib_repeat(b" ", inflated)));
        vec![page(doc, pages, contents, f).into()]
    })
}

/// One page listed `n` times in the page tree's /Kids (the file stays ~7 bytes per entry).
pub fn repeated_kids(n: usize) -> Vec<u8> {
    document(|doc, pages| {
        let f = font(doc);
        let contents = doc.add_object(Stream::new(
            dictionary! {},
            b"BT /F1 12 Tf 72 700 Td (Repeated page) Tj ET".to_vec(),
        ));
        let p = page(doc, pages, contents, f);
        vec![Object::Reference(p); n]
    })
}

/// `n` distinct small pages sharing one content stream.
pub fn many_pages(n: usize) -> Vec<u8> {
    document(|doc, pages| {
        let f = font(doc);
        let contents = doc.add_object(Stream::new(
            dictionary! {},
            b"BT /F1 12 Tf 72 700 Td (Page) Tj ET".to_vec(),
        ));
        (0..n)
            .map(|_| page(doc, pages, contents, f).into())
            .collect()
    })
}

/// One page drawing `n` one-letter strings: millions of operations from a small file.
pub fn many_operations(n: usize) -> Vec<u8> {
    document(|doc, pages| {
        let f = font(doc);
        let unit = b"(a) Tj ";
        let mut ops = b"BT /F1 12 Tf 72 700 Td ".to_vec();
        ops.extend(unit.iter().copied().cycle().take(unit.len() * n));
        ops.extend(b"ET");
        let contents = doc.add_object(flate(zlib_repeat(&ops, ops.len())));
        vec![page(doc, pages, contents, f).into()]
    })
}

/// `n` tiny objects nobody refers to, beside one ordinary page.
pub fn many_objects(n: usize) -> Vec<u8> {
    document(|doc, pages| {
        for i in 0..n {
            doc.add_object(Object::Integer(i as i64));
        }
        let f = font(doc);
        let contents = doc.add_object(Stream::new(
            dictionary! {},
            b"BT /F1 12 Tf 72 700 Td (Page) Tj ET".to_vec(),
        ));
        vec![page(doc, pages, contents, f).into()]
    })
}

/// One object: an array of `n` zeros, two bytes each on disk.
pub fn huge_array(n: usize) -> Vec<u8> {
    document(|doc, pages| {
        doc.add_object(Object::Array(vec![Object::Integer(0); n]));
        let f = font(doc);
        let contents = doc.add_object(Stream::new(dictionary! {}, b"BT (Page) Tj ET".to_vec()));
        vec![page(doc, pages, contents, f).into()]
    })
}

/// `streams` compressed object streams of `per` small dictionaries each: the members cost
/// nothing on disk and much once parsed.
pub fn object_streams(streams: usize, per: usize) -> Vec<u8> {
    document(|doc, pages| {
        let mut next = 1_000_000u32;
        for _ in 0..streams {
            let mut head = String::new();
            let mut body = String::new();
            for _ in 0..per {
                head.push_str(&format!("{next} {} ", body.len()));
                body.push_str("<< /A [1 2 3 4 5 6 7 8] /B (member) >> ");
                next += 1;
            }
            let first = head.len();
            let data = format!("{head}{body}").into_bytes();
            let mut s = flate(zlib_repeat(&data, data.len()));
            s.dict.set("Type", "ObjStm");
            s.dict.set("N", per as i64);
            s.dict.set("First", first as i64);
            doc.add_object(s);
        }
        let f = font(doc);
        let contents = doc.add_object(Stream::new(dictionary! {}, b"BT (Page) Tj ET".to_vec()));
        vec![page(doc, pages, contents, f).into()]
    })
}

/// The sizes that hurt before the limits, by name.
pub const NAMES: [&str; 6] = [
    "content_bomb_1gb",
    "repeated_kids_100k",
    "many_pages_100k",
    "many_operations_5m",
    "many_objects_1m",
    "huge_array_1m",
];

pub fn by_name(name: &str) -> Vec<u8> {
    match name {
        "content_bomb_1gb" => content_bomb(1 << 30),
        "repeated_kids_100k" => repeated_kids(100_000),
        "many_pages_100k" => many_pages(100_000),
        "many_operations_5m" => many_operations(5_000_000),
        "many_objects_1m" => many_objects(1_000_000),
        "huge_array_1m" => huge_array(1_000_000),
        "object_streams_200x5000" => object_streams(200, 5000),
        other => panic!("no fixture {other}"),
    }
}
