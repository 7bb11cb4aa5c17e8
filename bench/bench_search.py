"""`/search` over 100,000 generated key points: SQLite FTS5, or PostgreSQL's tsvector when given.

Target (issue 2): p95 at most 20 ms over a query mix that includes a word found in 10% of the
points (ranked search over a common word is the slow case). Each figure is the store's whole
search: the ranked FTS query plus turning ids into points with their sources.
"""

from __future__ import annotations

import asyncio
import random
import time

from bench.common import Figures, backend, fresh_database, percentile, summary_ms
from briefings.db import create_engine, migrate
from briefings.loader import BriefingData, PointData, SourceData, TopicData
from briefings.store import BriefingStore

POINTS = 100_000
TOPICS = 20
ROUNDS = 40
COMMON = "sanctions"  # in 10% of points
MEDIUM = "pipeline"  # in 1%
RARE = "zeppelin"  # in 0.01%
FILLER = [f"w{i}" for i in range(5000)]


def generate(rng: random.Random) -> BriefingData:
    sources = tuple(
        SourceData(f"s{i}", f"Outlet {i}", f"Headline {i}", None, None) for i in range(50)
    )
    per_topic: list[list[PointData]] = [[] for _ in range(TOPICS)]
    for n in range(POINTS):
        words = rng.sample(FILLER, 18)
        if n % 10 == 0:
            words[3] = COMMON
        if n % 100 == 1:
            words[7] = MEDIUM
        if n % 10_000 == 2:
            words[11] = RARE
        text = "Officials said " + " ".join(words) + "."
        cites = tuple(rng.sample([s.key for s in sources], rng.randint(1, 3)))
        per_topic[n % TOPICS].append(PointData(f"p{n}", text, rng.randint(1, 5), cites))
    topics = tuple(
        TopicData(f"topic{i}", f"Topic {i}", "", (), tuple(points))
        for i, points in enumerate(per_topic)
    )
    return BriefingData("bench", "Bench", sources, topics)


QUERIES = {
    "common word (10%)": COMMON,
    "medium word (1%)": MEDIUM,
    "rare word (0.01%)": RARE,
    "two words, common+medium": f"{COMMON} {MEDIUM}",
    "no hit": "xylophone",
    "stemmed plural": "pipelines",
}


async def main(database_url: str | None = None) -> Figures:
    rng = random.Random(7)
    url = await fresh_database(database_url, "search.db")
    engine = create_engine(url)
    await migrate(engine)
    store = BriefingStore(engine, cache_ttl=3600)
    t0 = time.perf_counter()
    await store.load_briefings(generate(rng))
    catalog = await store.topics.catalog()
    loaded = time.perf_counter() - t0
    print(f"{backend(url)}: loaded {catalog.point_count:,} points in {loaded:.1f} s")
    for query in QUERIES.values():  # warm the page cache
        await store.topics.search(query)
    everything: list[float] = []
    for label, query in QUERIES.items():
        samples = []
        for _ in range(ROUNDS):
            t1 = time.perf_counter()
            result = await store.topics.search(query)
            samples.append(time.perf_counter() - t1)
        everything.extend(samples)
        print(f"  {label:<26} {len(result.hits):>2} hits; {summary_ms(samples)}")
    print(
        f"/search over {POINTS:,} points, query mix: p95 {percentile(everything, 95) * 1000:.2f} ms"
        f" ({summary_ms(everything)})"
    )
    await store.close()
    return {"p95_ms": percentile(everything, 95) * 1000}


if __name__ == "__main__":
    asyncio.run(main())
