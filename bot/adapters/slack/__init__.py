"""Everything about Slack, on slack-bolt: settings, inbound payloads, listeners, Block Kit
rendering, posting with retries and pacing, event de-duplication, the app manifest and the
Slack-only texts. Deleting this folder removes the platform.

The adapter is re-exported lazily, so importing the package (for its settings or manifest)
does not load slack-bolt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.adapters.slack.adapter import SlackAdapter

__all__ = ["SlackAdapter"]


def __getattr__(name: str) -> Any:
    if name == "SlackAdapter":
        from bot.adapters.slack.adapter import SlackAdapter

        return SlackAdapter
    raise AttributeError(name)
