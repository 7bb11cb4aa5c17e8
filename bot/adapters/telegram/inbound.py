"""Telegram updates -> the core's Incoming: which messages are meant for this bot, who sent
them, and from which chat and forum topic."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import CallbackQuery, Chat, ChatMemberUpdated, Message, MessageEntity
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.adapters.telegram.limits import MESSAGE_BUDGET
from bot.core.messages import (
    Attachment,
    AttachmentTooLarge,
    AttachmentUnavailable,
    ChatKind,
    ChatRef,
    Incoming,
)

log = logging.getLogger(__name__)

PLATFORM = "telegram"
KINDS: dict[str, ChatKind] = {
    ChatType.PRIVATE: "private",
    ChatType.GROUP: "group",
    ChatType.SUPERGROUP: "group",
    ChatType.CHANNEL: "channel",
}
# "/treaty@OurBot extra" -> name "treaty", bot "OurBot".
_COMMAND = re.compile(r"^/(?P<name>[^\s@]*)(?:@(?P<bot>\w+))?")
GONE_STATUSES = frozenset({ChatMemberStatus.BANNED, ChatMemberStatus.LEFT})
ADMIN_STATUSES = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})


@dataclass(frozen=True)
class Me:
    """Who the bot is, as learnt from getMe: what users address it by."""

    id: int
    username: str

    def named(self, username: str) -> bool:
        return username.casefold() == self.username.casefold()


@dataclass(frozen=True)
class Addressed:
    """A message meant for the bot. `explicit` when it names the bot (or is a private chat):
    in a group, an unaddressed command may belong to another bot."""

    incoming: Incoming
    explicit: bool
    command: str | None  # the command's name, when the text is a slash command


def chat_ref(chat: Chat, message: Message | None = None) -> ChatRef:
    # message_thread_id is also set on replies in ordinary groups; only forum topics need it.
    thread = message.message_thread_id if message is not None and message.is_topic_message else None
    return ChatRef(
        platform=PLATFORM,
        chat_id=str(chat.id),
        kind=KINDS.get(chat.type, "group"),
        thread_id=str(thread) if thread else None,
    )


def author(message: Message) -> tuple[str, str] | None:
    """(user id, display name) of whoever posted. A chat posting as itself (a channel post, an
    anonymous group admin) is named by its own id. None for other bots."""
    if message.sender_chat is not None:
        chat = message.sender_chat
        return str(chat.id), chat.title or chat.username or str(chat.id)
    user = message.from_user
    if user is None:
        chat = message.chat
        return str(chat.id), chat.title or str(chat.id)
    if user.is_bot:
        return None
    return str(user.id), user.full_name


async def _yes() -> bool:
    return True


def chat_admin_check(message: Message) -> Callable[[], Awaitable[bool]] | None:
    """How the core learns whether the sender administers this group or channel, asked only
    for commands that change the chat's settings (one getChatMember call then)."""
    chat = message.chat
    if chat.type == ChatType.PRIVATE:
        return None
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return _yes  # a channel post, or a group admin posting anonymously as the group
    user = message.from_user
    if user is None:
        return None
    bot = message.get_bot()

    async def check() -> bool:
        try:
            member = await bot.get_chat_member(chat.id, user.id)
        except TelegramError:
            log.warning("could not ask Telegram who administers chat %s", chat.id)
            return False
        return member.status in ADMIN_STATUSES

    return check


def mentions(message: Message, me: Me) -> bool:
    if message.text:
        found = message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])
    else:  # a file's caption
        found = message.parse_caption_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])
    for entity, text in found.items():
        if entity.type == MessageEntity.TEXT_MENTION:
            if entity.user is not None and entity.user.id == me.id:
                return True
        elif me.named(text.removeprefix("@")):
            return True
    return False


def without_mention(text: str, me: Me) -> str:
    pattern = re.compile(rf"@{re.escape(me.username)}\b", re.IGNORECASE)
    return " ".join(pattern.sub(" ", text).split())


def addressed(message: Message, me: Me) -> Addressed | None:
    """The message as the core should see it, or None when it is not meant for this bot:
    /cmd@OtherBot anywhere, and plain text in groups and channels unless it mentions us."""
    text = message.text or message.caption  # a file's command is its caption
    who = author(message)
    if not text or who is None:
        return None
    if message.forward_origin is not None or message.is_automatic_forward:
        # A forwarded "/treaty" (or a channel post copied into its discussion group, which
        # the channel copy already answered) is something said elsewhere, not a command.
        return None
    chat = chat_ref(message.chat, message)
    command = _COMMAND.match(text)
    name = command["name"].casefold() if command else None
    if command and command["bot"]:
        if not me.named(command["bot"]):
            return None
        explicit = True
    elif chat.kind == "private":
        explicit = True
    elif command:
        explicit = False
    elif mentions(message, me):
        text, explicit = without_mention(text, me), True
    else:
        return None
    replied = message.reply_to_message
    incoming = Incoming(
        chat,
        who[0],
        who[1],
        text,
        ask_is_chat_admin=chat_admin_check(message),
        message_budget=MESSAGE_BUDGET,
        replied_text=(replied.text or replied.caption) if replied is not None else None,
        attachment=attached_document(message),
    )
    return Addressed(incoming, explicit, name)


def attached_document(message: Message) -> Attachment | None:
    """A document sent with the message, downloaded only if a command asks for it."""
    document = message.document
    if document is None:
        return None
    bot = message.get_bot()

    async def download(limit: int) -> bytes:
        if document.file_size is not None and document.file_size > limit:
            raise AttachmentTooLarge()
        try:
            file = await bot.get_file(document.file_id)
            if file.file_size is not None and file.file_size > limit:
                raise AttachmentTooLarge()
            data = await file.download_as_bytearray()
        except TelegramError as exc:
            raise AttachmentUnavailable(exc.message) from exc
        if len(data) > limit:
            raise AttachmentTooLarge()
        return bytes(data)

    return Attachment(
        document.file_name or "document", document.mime_type, document.file_size, download
    )


def pressed(query: CallbackQuery) -> Incoming | None:
    """A pressed inline button, as the command it carries typed by whoever pressed it.

    Buttons under channel posts are ignored: any subscriber can press them, and only the
    channel's admins may make the bot post there."""
    message = query.message
    if message is None or not query.data:
        return None
    chat = chat_ref(message.chat, message if isinstance(message, Message) else None)
    if chat.kind == "channel":
        return None
    user = query.from_user
    return Incoming(chat, str(user.id), user.full_name, query.data, message_budget=MESSAGE_BUDGET)


def membership(change: ChatMemberUpdated) -> tuple[str, bool]:
    """(chat id, reachable) after the bot was added to, removed from or blocked in a chat."""
    status = change.new_chat_member.status
    return str(change.chat.id), status not in GONE_STATUSES
