#!/usr/bin/env python3
"""Reference Thai word segmentation for khlang's segmenter measurement.

Runs PyThaiNLP's newmm (the dictionary maximal-matching segmenter that nlpo3 ports to Rust)
over every non-empty line of the seed texts and writes one JSON array of tokens per line to
crates/core/tests/data/newmm/<seed>.jsonl. The tokens of a line concatenate back to the line,
so the Rust measurement (`cargo test -p khlang-core --test segment_quality -- --ignored
--nocapture`) needs neither Python nor the seeds at test time.

newmm is called directly (pythainlp.tokenize.newmm.segment, safe_mode=False, default
dictionary = words_th.txt) rather than through word_tokenize(), whose post-processing
(joining broken numbers, etc.) is not part of the segmenter being compared.

Usage:
    python3 -m venv /tmp/venv-thai && /tmp/venv-thai/bin/pip install pythainlp
    /tmp/venv-thai/bin/python tools/thai/newmm_fixture.py [SEEDS_DIR]
SEEDS_DIR defaults to ../shared/seeds beside the repository.
"""

import json
import pathlib
import sys

import pythainlp
from pythainlp.tokenize import newmm

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEEDS = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "seeds"
OUT = ROOT / "crates" / "core" / "tests" / "data" / "newmm"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    seeds = sorted(SEEDS.glob("*.txt"))
    if not seeds:
        sys.exit(f"no seeds in {SEEDS}")
    for seed in seeds:
        text = seed.read_text(encoding="utf-8").replace("\r\n", "\n")
        out = OUT / (seed.stem + ".jsonl")
        n = 0
        with out.open("w", encoding="utf-8") as f:
            for line in text.split("\n"):
                if not line.strip():
                    continue
                tokens = newmm.segment(line, safe_mode=False)
                assert "".join(tokens) == line, f"newmm lost text in {seed.name}"
                f.write(json.dumps(tokens, ensure_ascii=False) + "\n")
                n += 1
        print(f"{seed.name}: {n} lines -> {out.relative_to(ROOT)}")
    (OUT / "VERSION").write_text(f"pythainlp {pythainlp.__version__} newmm safe_mode=False\n")


if __name__ == "__main__":
    main()
