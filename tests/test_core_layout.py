"""What the platform-packages layout promises: one place resolves names, commands carry their
own metadata, platforms declare their own settings, and the core and the domain import nothing
from any adapter."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.adapters.slack.settings import SlackSettings
from bot.adapters.telegram.settings import TelegramSettings
from bot.core import texts
from bot.core.commands import Command
from bot.core.core import TOPIC_COMMAND, Core, default_registry
from bot.core.messages import Reply
from bot.core.roles import Roles
from bot.render.plain import render
from briefings.store import BriefingStore
from tests.conftest import CONSOLE_ADMINS, GUEST, MessageFactory

ROOT = Path(__file__).resolve().parents[1]


async def test_resolve_decides_command_or_topic_for_everyone(core: Core) -> None:
    search = await core.resolve("search")
    assert search is not None
    assert search.name == "search"
    assert await core.resolve("find") is search  # an alias
    assert await core.resolve("TREATY") is TOPIC_COMMAND  # a topic, in any case
    assert await core.resolve("pact") is TOPIC_COMMAND  # a topic's alias
    assert await core.resolve("nonsense") is None


async def test_commands_carry_their_metadata(core: Core) -> None:
    read_only = {c.name for c in core.registry.commands() if c.read_only}
    assert {"start", "help", "topics", "digest", "sources", "search"} <= read_only
    assert TOPIC_COMMAND.read_only
    for name in ("subscribe", "add", "edit", "grant", "whoami", "post"):
        command = core.registry.get(name)
        assert command is not None, name
        assert not command.read_only, name
    admin = {c.name for c in core.registry.commands() if c.admin}
    assert {"add", "edit", "remove", "undo", "grant", "revoke", "post"} <= admin


async def test_hidden_commands_stay_out_of_help_but_still_run(
    store: BriefingStore, message: MessageFactory
) -> None:
    async def secret(_: object) -> list[Reply]:
        return [Reply.text("ran")]

    registry = default_registry([Command("pressme", "Sent by a button", secret, hidden=True)])
    core = Core(store, Roles(store.admins, CONSOLE_ADMINS), registry=registry)
    assert "pressme" not in {c.name for c in registry.listed()}
    help_text = render((await core.handle(message("/help")))[0])
    assert "pressme" not in help_text
    assert render((await core.handle(message("/pressme")))[0]) == "ran"


async def test_whoami_names_the_user_id_and_role(core: Core, message: MessageFactory) -> None:
    admin = render((await core.handle(message("/whoami")))[0])
    assert "operator" in admin
    assert texts.WHOAMI_ADMIN in admin
    guest = render((await core.handle(message("/whoami", GUEST)))[0])
    assert "guest" in guest
    assert texts.WHOAMI_NOT_ADMIN in guest


async def test_the_add_usage_example_works_when_copied(core: Core, message: MessageFactory) -> None:
    example = texts.ADD_USAGE.split("Example: ", 1)[1]
    out = render((await core.handle(message(example)))[0])
    assert out.startswith("Added point #"), out


async def test_add_reports_an_unknown_topic_before_the_text_length(
    core: Core, message: MessageFactory
) -> None:
    out = render((await core.handle(message("/add nosuchtopic x")))[0])
    assert out == texts.UNKNOWN_TOPIC.format(name="nosuchtopic")


@pytest.mark.parametrize(
    "suffix", ["[sources: iria, asianet-0618]", "sources: iria, asianet-0618", "[Source: iria]"]
)
async def test_add_parses_sources_with_or_without_brackets(
    core: Core, store: BriefingStore, message: MessageFactory, suffix: str
) -> None:
    out = render(
        (await core.handle(message(f"/add treaty Both sides call the pact defensive. {suffix}")))[0]
    )
    assert out.startswith("Added point #"), out
    point_id = int(out.split("#", 1)[1].split(" ", 1)[0])
    point = (await store.topics.catalog()).point(point_id)
    assert point is not None
    assert point.text == "Both sides call the pact defensive."
    assert "iria" in {s.key for s in point.sources}


def test_platform_settings_validate_admin_ids() -> None:
    assert TelegramSettings(_env_file=None, admin_ids="42, -1001").admins == {"42", "-1001"}
    with pytest.raises(ValidationError, match="TELEGRAM_ADMIN_IDS"):
        TelegramSettings(_env_file=None, admin_ids="@alice")
    assert SlackSettings(_env_file=None, admin_ids="U012ABC;W0XYZ").admins == {"U012ABC", "W0XYZ"}
    with pytest.raises(ValidationError, match="SLACK_ADMIN_IDS"):
        SlackSettings(_env_file=None, admin_ids="alice")


def test_platform_settings_keep_their_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:abc")
    monkeypatch.setenv("SLACK_API_BASE_URL", "http://127.0.0.1:9/api/")
    assert TelegramSettings(_env_file=None).configured
    assert SlackSettings(_env_file=None).api_base_url == "http://127.0.0.1:9/api/"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("package", ["bot/core", "briefings", "bot/render"])
def test_core_and_domain_import_no_adapter_and_no_sdk(package: str) -> None:
    forbidden = ("bot.adapters", "telegram", "slack_bolt", "slack_sdk", "bot.app")
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = [m for m in _imports(path) if m.startswith(forbidden)]
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


@pytest.mark.parametrize("package", ["bot/core", "briefings"])
def test_core_and_domain_hold_no_platform_text(package: str) -> None:
    for path in sorted((ROOT / package).rglob("*.py")):
        if "ingest" in path.parts:
            continue  # web pages' "share on Telegram" buttons are page noise it must know
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Docstrings may name a platform as an example; strings the code uses may not.
        docstrings = {
            id(node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        }
        for node in ast.walk(tree):
            if id(node) in docstrings:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                lowered = node.value.casefold()
                if node.value in {"telegram", "slack"}:
                    continue  # a platform name as a data key is fine
                where = f"{path.relative_to(ROOT)}: {node.value[:60]!r}"
                assert "slack" not in lowered, where
                assert "telegram" not in lowered, where
