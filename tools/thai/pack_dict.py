#!/usr/bin/env python3
"""Packs PyThaiNLP's Thai word list for embedding in khlang-core.

Takes words_th.txt (CC0-1.0) from the installed `pythainlp` package, keeps the file exactly as
shipped, and writes it zlib-compressed (level 9) to crates/core/src/text/dict/words_th.txt.zlib,
which `segment.rs` embeds with include_bytes! and inflates once per Segmenter. The SHA-256 and
size printed here go into crates/core/src/text/dict/README.md.

Usage:
    python3 -m venv /tmp/venv-thai && /tmp/venv-thai/bin/pip install pythainlp
    /tmp/venv-thai/bin/python tools/thai/pack_dict.py
To check: python3 -c 'import zlib,sys;sys.stdout.buffer.write(zlib.decompress(open(sys.argv[1],"rb").read()))' FILE
"""

import hashlib
import pathlib
import zlib

import pythainlp

ROOT = pathlib.Path(__file__).resolve().parents[2]
SRC = pathlib.Path(pythainlp.__file__).parent / "corpus" / "words_th.txt"
OUT = ROOT / "crates" / "core" / "src" / "text" / "dict" / "words_th.txt.zlib"


def main() -> None:
    raw = SRC.read_bytes()
    packed = zlib.compress(raw, 9)
    OUT.write_bytes(packed)
    words = [w for w in raw.decode("utf-8").splitlines() if w.strip()]
    print(f"pythainlp {pythainlp.__version__}: {SRC.name} {len(raw)} bytes, {len(words)} words")
    print(f"sha256 {hashlib.sha256(raw).hexdigest()}")
    print(f"-> {OUT.relative_to(ROOT)} {len(packed)} bytes")


if __name__ == "__main__":
    main()
