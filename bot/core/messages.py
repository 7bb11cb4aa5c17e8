"""Neutral types at the seam between adapters and the core. No platform knowledge here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from briefings.actors import Actor

ChatKind = Literal["private", "group", "channel"]
Tone = Literal["info", "error", "refusal"]


@dataclass(frozen=True)
class ChatRef:
    platform: str
    chat_id: str
    kind: ChatKind = "private"
    thread_id: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (a Telegram document, a Slack file share)."""

    filename: str
    content_type: str | None
    size: int | None  # as the platform reports it, before any download
    # Downloads the file; refuses (raises AttachmentTooLarge) past `limit` bytes.
    download: Callable[[int], Awaitable[bytes]] = field(compare=False)


class AttachmentTooLarge(Exception):
    """A download stopped at its limit."""


class AttachmentUnavailable(Exception):
    """The platform did not hand the file over (gone, no permission, network)."""


@dataclass(frozen=True)
class Incoming:
    chat: ChatRef
    user_id: str
    user_name: str
    text: str
    # Asks the platform whether the sender administers this group or channel; only called for
    # commands that change the chat's settings, so adapters can make it a (cached) API call.
    ask_is_chat_admin: Callable[[], Awaitable[bool]] | None = field(default=None, compare=False)
    # How people type a command on this platform, for help: "/" on Telegram and the console,
    # "/brief " on Slack, whose composer only accepts slash commands the app declared.
    command_prefix: str = "/"
    # Characters of point text one message of a long answer (a digest) may carry on this
    # platform, so it rarely needs splitting further; None packs it into one message.
    message_budget: int | None = None
    # The text of the message this one replies to, where the platform has replies.
    replied_text: str | None = None
    attachment: Attachment | None = None

    @property
    def actor(self) -> Actor:
        """Who this user is in the audit trail: the platform and user id, which /undo matches
        on, and their current name (clipped to fit), which is only shown."""
        return Actor.user(self.chat.platform, self.user_id, self.user_name)


@dataclass(frozen=True)
class SourceRef:
    outlet: str
    headline: str
    published: dt.date | None = None


@dataclass(frozen=True)
class Item:
    """One bullet: a key point, a search hit, a topic in a list."""

    text: str
    cites: tuple[int, ...] = ()  # 1-based indexes into Reply.sources
    tag: str | None = None  # a short label before the text, such as the topic of a search hit
    ref: str | None = None  # an id users can act on, such as "#12"


@dataclass(frozen=True)
class Section:
    heading: str | None
    items: tuple[Item, ...]
    note: str | None = None


@dataclass(frozen=True)
class Button:
    label: str
    command: str  # the text the core receives when the button is pressed, e.g. "/treaty"


@dataclass(frozen=True)
class Reply:
    """A small document. Renderers turn it into plain text, Telegram HTML or Slack blocks."""

    title: str | None = None
    body: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    footer: str | None = None
    buttons: tuple[Button, ...] = ()
    tone: Tone = "info"

    @classmethod
    def text(cls, *paragraphs: str, tone: Tone = "info", title: str | None = None) -> Reply:
        return cls(title=title, body=tuple(paragraphs), tone=tone)
