"""Article ingestion against hand-labelled articles: noise, recall, topics, folds, coverage, speed.

Targets (issue: ingestion pipeline), per set of articles: proposals drawn from noise <= 5%;
story sentences kept >= 95%; topic first choice >= 75%, within the two shown >= 85%; folds
precision >= 85%, recall >= 65%, right point among the three candidates >= 90%; (point,
article) pairs reproduced >= 75%; no proposal over 300 characters; a second ingest adds no
point; a 1,500-word raw article in p95 <= 100 ms once warm. The seeds are scored leave-one-
article-out; the other articles, which no curated point cites, against the full store. The
sets are reported apart: the seeds; the "untuned" articles 101-103, written blind, first
measured blind (kept as `untuned_first_measurement`) and looked at since, so now a development
set; and sets each written and labelled by another session that did not see the pipeline's
code, while the pipeline was being changed, and measured once after those changes: held out
201-205, blind 301-305, fresh 401-405, final 501-505, closing 601-605 and last 701-705. Each
one's first measurement is kept as `<set>_first_measurement`; the pipeline was then changed in
view of what it found.
Run
`python -m bench.bench_ingest [--seeds-only]`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from bench.common import Figures, percentile
from bench.ingest_eval import (
    BLIND,
    CLOSING,
    FINAL,
    FRESH,
    HELDOUT,
    LAST,
    SEEDS,
    UNTUNED,
    Tally,
    load_articles,
    score_article,
    seed_pairs,
)
from bench.ingest_eval import store_without as store_for
from briefings.ingest import ArticleInput, PendingDoc, propose

RESULTS = Path(__file__).resolve().parent / "results_ingest.json"
TIMING_WORDS = 1500
TIMING_ROUNDS = 60
PENDING_IDS = 1_000_000


def evaluate(folder: Path, leave_one_out: bool) -> tuple[Tally, int]:
    total, second_ingest_new = Tally(), 0
    for article in load_articles(folder):
        store = store_for(article.source if leave_one_out else None)
        result = propose(article.read(), store.topics)
        pairs = (
            seed_pairs(article.source)
            if leave_one_out and article.source
            else {k for label in article.labels for k in label.points}
        )
        total.add(score_article(article, result, store, pairs))
        pending = [
            PendingDoc(
                PENDING_IDS + i, p.text, p.topic or (p.new_topic.slug if p.new_topic else "")
            )
            for i, p in enumerate(result.proposals)
        ]
        again = propose(article.read(), store.topics, pending)
        assert again.fingerprint == result.fingerprint
        second_ingest_new += sum(
            1 for p in again.proposals if p.corroborates is None and p.repeats_pending is None
        )
    return total, second_ingest_new


def timing() -> dict[str, float]:
    lines: list[str] = []
    for seed in sorted(SEEDS.glob("*.txt")):
        lines.extend(seed.read_text(encoding="utf-8").splitlines())
    words, cut = 0, 0
    while words < TIMING_WORDS and cut < len(lines):
        words += len(lines[cut].split())
        cut += 1
    article = ArticleInput("\n".join(lines[:cut]))
    topics = store_for(None).topics
    propose(article, topics)  # warm: imports, the topic index
    samples = []
    for _ in range(TIMING_ROUNDS):
        start = time.perf_counter()
        propose(article, topics)
        samples.append(time.perf_counter() - start)
    return {
        "words": words,
        "p50_ms": round(percentile(samples, 50) * 1000, 1),
        "p95_ms": round(percentile(samples, 95) * 1000, 1),
    }


def ratio(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def figures(tally: Tally, second_new: int) -> dict[str, float | int]:
    return {
        "proposals": tally.proposals,
        "noise_share": ratio(tally.noise + tally.unmatched, tally.proposals),
        "story_kept": ratio(tally.kept, tally.story),
        "story_sentences": tally.story,
        "story_too_long": tally.too_long,
        "topic_first": ratio(tally.topic_first, tally.topic_total),
        "topic_two": ratio(tally.topic_two, tally.topic_total),
        "fold_precision": ratio(tally.folds_right, tally.folds),
        "fold_recall": ratio(tally.recalled, tally.foldable),
        "fold_in_candidates": ratio(tally.in_candidates, tally.foldable),
        "folds": tally.folds,
        "extra_fold_precision": ratio(tally.extra_folds_right, tally.extra_folds),
        "extra_folds": tally.extra_folds,
        "coverage": ratio(tally.pairs_reproduced, tally.pairs),
        "pairs": tally.pairs,
        "needs_context_share": ratio(tally.needs_context, tally.proposals),
        "longest_proposal": tally.longest,
        "second_ingest_new_points": second_new,
    }


ROWS = [
    ("proposals", "proposals", ""),
    ("noise_share", "noise/unrelated proposals", "<= 5%"),
    ("story_kept", "story sentences kept", ">= 95%"),
    ("topic_first", "topic, first choice", ">= 75%"),
    ("topic_two", "topic, within two shown", ">= 85%"),
    ("fold_precision", "fold precision", ">= 85%"),
    ("fold_recall", "fold recall", ">= 65%"),
    ("extra_folds", "further points corroborated", ""),
    ("extra_fold_precision", "  their precision", ""),
    ("fold_in_candidates", "right point in 3 candidates", ">= 90%"),
    ("coverage", "(point, article) coverage", ">= 75%"),
    ("needs_context_share", "flagged needs-context", ""),
    ("longest_proposal", "longest proposal (chars)", "<= 300"),
    ("second_ingest_new_points", "second ingest: new points", "0"),
]


def show(columns: dict[str, dict[str, float | int]]) -> None:
    names = list(columns)
    print(f"{'':32} {'target':>8} " + " ".join(f"{n:>10}" for n in names))
    for key, title, target in ROWS:
        cells = []
        for name in names:
            value = columns[name][key]
            is_share = isinstance(value, float)
            cells.append(f"{value:>10.1%}" if is_share else f"{value:>10}")
        print(f"{title:32} {target:>8} " + " ".join(cells))


def main(database_url: str | None = None) -> Figures:
    """Ingestion works on an in-memory picture of the store: no database, `database_url`
    is only there for bench.run_all's sake."""
    seeds_only = "--seeds-only" in sys.argv
    columns: dict[str, dict[str, float | int]] = {}
    details: dict[str, list[str]] = {}
    seeds, second = evaluate(SEEDS, leave_one_out=True)
    columns["seeds"] = figures(seeds, second)
    details["seeds_lost"], details["seeds_noisy"] = seeds.lost, seeds.noisy
    if not seeds_only:
        sets = (
            ("untuned", UNTUNED),
            ("held_out", HELDOUT),
            ("blind", BLIND),
            ("fresh", FRESH),
            ("final", FINAL),
            ("closing", CLOSING),
            ("last", LAST),
        )
        for name, folder in sets:
            tally, second = evaluate(folder, leave_one_out=False)
            columns[name] = figures(tally, second)
            details[f"{name}_lost"], details[f"{name}_noisy"] = tally.lost, tally.noisy
    show(columns)
    for name, texts in details.items():
        for text in texts:
            print(f"  {name}: {text[:110]}")
    speed = timing()
    print(
        f"1,500-word raw article ({speed['words']} words), warm: p50 {speed['p50_ms']} ms, "
        f"p95 {speed['p95_ms']} ms (target p95 <= 100 ms)"
    )
    if not seeds_only:
        # The first measurement of each blind set, taken before anything was changed in view
        # of it, is kept as it was: later runs are no longer blind to those articles.
        kept = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        first = {k: v for k, v in kept.items() if k.endswith("_first_measurement")}
        for name in ("held_out", "blind", "fresh", "final", "closing", "last"):
            first.setdefault(f"{name}_first_measurement", columns[name])
        RESULTS.write_text(json.dumps({**columns, "timing": speed, **first}, indent=2) + "\n")
    seeds_figures = columns["seeds"]
    return {
        "p95_ms": speed["p95_ms"],
        "noise_pct": 100 * seeds_figures["noise_share"],
        "story_kept_pct": 100 * seeds_figures["story_kept"],
        "topic_first_pct": 100 * seeds_figures["topic_first"],
    }


if __name__ == "__main__":
    main()
