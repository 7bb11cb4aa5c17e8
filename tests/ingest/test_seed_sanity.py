"""Loose sanity checks on the labelled seeds; the real figures are bench/bench_ingest.py's."""

from __future__ import annotations

from bench.ingest_eval import SEEDS, Tally, load_articles, score_article, seed_pairs, store_without
from briefings.ingest import propose


def test_seed_labels_cover_every_curated_pair() -> None:
    for article in load_articles(SEEDS):
        assert article.source
        labelled = {key for label in article.labels for key in label.points}
        assert seed_pairs(article.source) <= labelled, article.name


def test_leave_one_out_figures_are_sane() -> None:
    total = Tally()
    for article in load_articles(SEEDS):
        assert article.source
        store = store_without(article.source)
        result = propose(article.read(), store.topics)
        total.add(score_article(article, result, store, seed_pairs(article.source)))
    assert total.proposals >= 80
    assert (total.noise + total.unmatched) / total.proposals <= 0.10
    assert total.kept / total.story >= 0.85
    assert total.topic_first / total.topic_total >= 0.6
    assert total.folds_right / total.folds >= 0.7
    assert total.longest <= 300
