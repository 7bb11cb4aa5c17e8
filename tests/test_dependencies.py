"""Every installed distribution the bot loads at run time is one its package declares.

A fresh `pip install briefbot` failed on the first HTML article: trafilatura's jusText imports
`lxml.html.clean`, which lxml 5.2 moved into its own distribution, lxml_html_clean. jusText
still asks for it through lxml's `html_clean` extra, and lxml 6 no longer has that extra, so a
install by the pip that Python 3.11's venv brings (23.2, which matches extras by their exact
spelling) resolves to nothing, while this development environment still had the module from an
older resolution and every other test passed. This test runs the bot's code paths in a
fresh interpreter (every adapter imported, an HTML and a plain-text article ingested), maps
each module they loaded to its distribution, and checks that the distribution is reachable
from briefbot's own requirements. A module that only works here by luck fails it."""

from __future__ import annotations

import importlib.metadata as metadata
import json
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# Loaded when installed, and harmless when not: httpx imports its command-line extra's modules
# inside `try: ... except ImportError`.
OPTIONAL = {"pygments", "rich", "click"}

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "tests" / "fixtures" / "articles"

# What a running bot imports: the CLI, the three adapters, the web server, the scheduler, and
# the ingestion pipeline on both kinds of page (trafilatura and its helpers load lazily).
PROBE = """
import json, sys
already = set(sys.modules)
import bot.cli, bot.app, bot.web, bot.scheduler, bot.article_fetch
import bot.adapters.telegram, bot.adapters.slack, bot.adapters.console
from briefings.ingest import ArticleInput, propose
from bench.ingest_eval import store_without
topics = store_without(None).topics
for path, kind in ((sys.argv[1], "text/html"), (sys.argv[2], "text/plain")):
    with open(path, "rb") as page:
        propose(ArticleInput(page.read(), content_type=kind), topics)
loaded = {name.partition(".")[0] for name in set(sys.modules) - already}
print(json.dumps(sorted(loaded)))
"""


def applies(requirement: Requirement, extra: str) -> bool:
    """Whether `requirement` holds for this interpreter when `extra` is asked for ("" for
    none). An extra must be spelled as the distribution spells it, as older pip requires:
    `lxml[html_clean]` does not reach lxml's `extra == "html-clean"` there."""
    marker = requirement.marker
    if marker is None:
        return True
    if "extra" in str(marker) and f'extra == "{extra}"' not in str(marker):
        return False
    return bool(marker.evaluate({"extra": extra}))


def declared_closure(root: str) -> set[str]:
    """`root` and every distribution its requirements reach, with the extras they ask for and
    the markers evaluated for this interpreter."""
    seen: set[tuple[str, str]] = set()
    found: set[str] = set()
    todo: list[tuple[str, frozenset[str]]] = [(root, frozenset())]
    while todo:
        name, extras = todo.pop()
        key = canonicalize_name(name)
        for extra in {"", *extras}:
            if (key, extra) in seen:
                continue
            seen.add((key, extra))
            try:
                requirements = metadata.requires(name) or []
            except metadata.PackageNotFoundError:
                continue  # a requirement for another platform, not installed here
            found.add(key)
            for line in requirements:
                requirement = Requirement(line)
                if applies(requirement, extra):
                    todo.append((requirement.name, frozenset(requirement.extras)))
    return found


def loaded_distributions() -> dict[str, set[str]]:
    """Each top-level module the probe loaded that belongs to an installed distribution."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE,
            str(ARTICLES / "closing" / "604_factcheck_five_claims.html"),
            str(ARTICLES / "000_18937ce85d6c7442.txt"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    owners = metadata.packages_distributions()
    return {
        module: {canonicalize_name(d) for d in owners[module]}
        for module in json.loads(done.stdout.strip().splitlines()[-1])
        if module in owners
    }


def test_closure_follows_requirements_and_extras() -> None:
    closure = declared_closure("briefbot")
    assert {"python-telegram-bot", "slack-bolt", "trafilatura", "sqlalchemy"} <= closure
    assert "aiolimiter" in closure  # through python-telegram-bot[rate-limiter]
    assert "pytest" not in closure  # the dev extra is not asked for


def test_an_extra_is_matched_by_its_exact_spelling() -> None:
    wanted = Requirement('lxml_html_clean; extra == "html-clean"')
    assert applies(wanted, "html-clean")
    assert not applies(wanted, "html_clean")
    assert not applies(wanted, "")
    assert applies(Requirement('tomli; python_version < "4"'), "")


def test_every_loaded_module_comes_from_a_declared_distribution() -> None:
    closure = declared_closure("briefbot") | {"briefbot"}
    undeclared = {
        module: sorted(owners)
        for module, owners in loaded_distributions().items()
        if not owners & closure and module not in OPTIONAL
    }
    assert not undeclared, f"loaded, but briefbot does not depend on them: {undeclared}"
