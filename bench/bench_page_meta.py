"""What a page says about itself, read from the page: its headline, outlet and date, against
what a reader of the page gives (`tests/fixtures/pages/expected.json`). These become the
source's headline, name and date in /sources and in the source's key. Headlines and outlets
are compared without regard to case; dates exactly. No target in the issues: the figures are
reported, the misses listed. Run `python -m bench.bench_page_meta`."""

from __future__ import annotations

import json
from pathlib import Path

from bench.common import Figures
from briefings.ingest import ArticleInput
from briefings.ingest.pipeline import read_page

PAGES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "pages"
RESULTS = Path(__file__).resolve().parent / "results_page_meta.json"
FIELDS = ("title", "outlet", "date")


def read_meta(path: Path) -> dict[str, str | None]:
    meta = read_page(ArticleInput(body=path.read_bytes(), filename=path.name)).meta
    return {
        "title": meta.title,
        "outlet": meta.outlet,
        "date": meta.published.isoformat() if meta.published else None,
    }


def main(database_url: str | None = None) -> Figures:
    """No database: `database_url` is only there for bench.run_all's sake."""
    expected = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))
    right = dict.fromkeys(FIELDS, 0)
    misses: list[str] = []
    for name, wanted in sorted(expected.items()):
        got = read_meta(PAGES / name)
        for field in FIELDS:
            if (got[field] or "").casefold() == (wanted[field] or "").casefold():
                right[field] += 1
            else:
                misses.append(f"{name} {field}: {got[field]!r}, a reader says {wanted[field]!r}")
    pages = len(expected)
    print(", ".join(f"{field}s right: {right[field]}/{pages}" for field in FIELDS))
    for miss in misses:
        print(f"  {miss}")
    figures: Figures = {f"{field}_pct": round(100 * right[field] / pages, 1) for field in FIELDS}
    RESULTS.write_text(json.dumps({"pages": pages, **figures, "misses": misses}, indent=2) + "\n")
    return figures


if __name__ == "__main__":
    main()
