"""A local Telegram Bot API server for tests and benchmarks.

It speaks the methods the bot uses (getMe, getUpdates with long polling and offsets,
setWebhook, deleteWebhook, sendMessage, editMessageText, answerCallbackQuery, setMyCommands),
records every request, enforces Telegram's flood limits (429 with retry_after), validates
messages the way Telegram does (HTML parse mode with its tags, 4,096 UTF-16 units after parsing,
callback data of 1-64 bytes), and plays scripted failures and delays. The real
python-telegram-bot talks to it through `base_url`.

Run it on its own with `python -m tests.telegram.fake_bot_api [--no-limits]`: it prints its
port, takes updates on POST /_control/updates and reports on GET /_control/stats and
/_control/sent. `apart()` starts it so, for benchmarks and for tests whose bots run in other
processes (the replicas): its clock is then not the test process's event loop, which a long
run can stall and make stamp several arrivals at once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import itertools
import json
import math
import re
import sys
import time
from collections import deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

TOKEN = "123456:TEST-token-never-in-logs"
BOT_ID = 123456
BOT_USERNAME = "OurBot"
MESSAGE_CHARS = 4096
CALLBACK_DATA_BYTES = 64

# ----- Telegram's HTML parse mode --------------------------------------------------------------

ALLOWED_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "a",
     "span", "tg-spoiler", "tg-emoji", "blockquote"}
)  # fmt: skip
_TOKEN = re.compile(
    r"<(?P<close>/?)(?P<tag>[a-zA-Z][a-zA-Z0-9-]*)(?P<attrs>(?:\s+[a-zA-Z-]+"
    r"(?:\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s<>\"']+))?)*)\s*>"
    r"|&(?P<entity>#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);"
    r"|(?P<bare>[<>&])"
)
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityError(ValueError):
    pass


@dataclass(frozen=True)
class Parsed:
    text: str  # what users see, before Telegram trims it
    entities: int

    @property
    def length(self) -> int:
        """UTF-16 code units of the trimmed text, as Telegram counts them."""
        return len(self.text.strip().encode("utf-16-le")) // 2


def parse_html(source: str) -> Parsed:
    """Strict version of Telegram's HTML parse mode: every <, > and & outside a tag or entity
    is an error, tags must be known and properly nested."""
    out: list[str] = []
    stack: list[str] = []
    entities = 0
    position = 0
    for match in _TOKEN.finditer(source):
        out.append(source[position : match.start()])
        position = match.end()
        offset = len(source[: match.start()].encode())
        if match["bare"]:
            raise EntityError(f"Unexpected {match['bare']!r} at byte offset {offset}")
        if match["entity"]:
            out.append(_entity(match["entity"], offset))
            continue
        tag = match["tag"].lower()
        if tag not in ALLOWED_TAGS:
            raise EntityError(f'Unsupported start tag "{tag}" at byte offset {offset}')
        if not match["close"]:
            stack.append(tag)
            continue
        if not stack or stack[-1] != tag:
            raise EntityError(f'Unmatched end tag at byte offset {offset}, expected "</{tag}>"')
        stack.pop()
        entities += 1
    out.append(source[position:])
    if stack:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return Parsed("".join(out), entities)


def _entity(name: str, offset: int) -> str:
    if name.startswith("#x"):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    if name in NAMED_ENTITIES:
        return NAMED_ENTITIES[name]
    raise EntityError(f'Unsupported HTML entity "&{name};" at byte offset {offset}')


# ----- updates, as Telegram sends them ---------------------------------------------------------

_ids = itertools.count(1)
_MENTION = re.compile(r"@\w+")
_COMMAND = re.compile(r"^/\w+(?:@\w+)?")


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def entities_of(text: str) -> list[dict[str, Any]]:
    """bot_command and mention entities, with UTF-16 offsets, as Telegram adds them."""
    found = []
    command = _COMMAND.match(text)
    if command:
        found.append({"type": "bot_command", "offset": 0, "length": utf16(command[0])})
    for mention in _MENTION.finditer(text):
        if command and mention.start() < command.end():
            continue
        offset = utf16(text[: mention.start()])
        found.append({"type": "mention", "offset": offset, "length": utf16(mention[0])})
    return found


def user(user_id: int, name: str = "Ann") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": name}


def chat(chat_id: int, kind: str = "private", title: str = "Chat") -> dict[str, Any]:
    if kind == "private":
        return {"id": chat_id, "type": "private", "first_name": "Ann"}
    return {"id": chat_id, "type": kind, "title": title}


def message(
    chat_id: int,
    text: str,
    *,
    kind: str = "private",
    user_id: int | None = None,
    thread_id: int | None = None,
) -> dict[str, Any]:
    """A `message` update; in a group or supergroup pass kind, and the sender's user_id."""
    body: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": chat(chat_id, kind),
        "from": user(user_id if user_id is not None else abs(chat_id)),
        "text": text,
    }
    if entities := entities_of(text):
        body["entities"] = entities
    if thread_id is not None:
        body["message_thread_id"] = thread_id
        body["is_topic_message"] = True
    return {"message": body}


def document(
    chat_id: int, caption: str, file_id: str, name: str, mime: str, size: int
) -> dict[str, Any]:
    """A `message` update carrying a file, its caption holding the command."""
    update = message(chat_id, caption)
    body = update["message"]
    del body["text"]
    body.pop("entities", None)
    body["caption"] = caption
    if entities := entities_of(caption):
        body["caption_entities"] = entities
    body["document"] = {
        "file_id": file_id,
        "file_unique_id": f"u{file_id}",
        "file_name": name,
        "mime_type": mime,
        "file_size": size,
    }
    return update


def reply_to(update: dict[str, Any], text: str) -> dict[str, Any]:
    """The same message, as a reply to an earlier message holding `text`."""
    body = update["message"]
    body["reply_to_message"] = {
        "message_id": next(_ids),
        "date": body["date"],
        "chat": body["chat"],
        "from": user(999, "Reporter"),
        "text": text,
    }
    return update


def channel_post(chat_id: int, text: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": chat(chat_id, "channel", "News channel"),
        "sender_chat": chat(chat_id, "channel", "News channel"),
        "text": text,
    }
    if entities := entities_of(text):
        body["entities"] = entities
    return {"channel_post": body}


def callback_query(
    chat_id: int, data: str, *, kind: str = "private", user_id: int | None = None
) -> dict[str, Any]:
    return {
        "callback_query": {
            "id": str(next(_ids)),
            "from": user(user_id if user_id is not None else abs(chat_id)),
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": next(_ids),
                "date": int(time.time()),
                "chat": chat(chat_id, kind),
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Our Bot"},
                "text": "an earlier answer",
            },
        }
    }


def my_chat_member(chat_id: int, status: str, *, kind: str = "supergroup") -> dict[str, Any]:
    bot = {"id": BOT_ID, "is_bot": True, "first_name": "Our Bot", "username": BOT_USERNAME}
    return {
        "my_chat_member": {
            "chat": chat(chat_id, kind),
            "from": user(7),
            "date": int(time.time()),
            "old_chat_member": {"status": "member", "user": bot},
            "new_chat_member": {"status": status, "user": bot}
            | ({"until_date": 0} if status == "kicked" else {}),
        }
    }


# ----- the server --------------------------------------------------------------------------------


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    status: int = 0
    result: Any = None
    description: str = ""

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def text(self) -> str:
        """A message's text as users see it."""
        assert self.params.get("parse_mode") == "HTML", "the bot always sends HTML"
        return parse_html(self.params["text"]).text

    @property
    def buttons(self) -> list[str]:
        """The callback data of a message's inline keyboard."""
        keyboard = (self.params.get("reply_markup") or {}).get("inline_keyboard", [])
        return [button["callback_data"] for row in keyboard for button in row]


@dataclass
class Script:
    """A scripted answer to the next `times` calls of a method (optionally for one chat)."""

    method: str
    times: int
    chat_id: int | None = None
    delay: float = 0.0
    status: int = 0  # 0: answer normally after the delay
    description: str = ""
    parameters: dict[str, Any] | None = None


_arrived: contextvars.ContextVar[float] = contextvars.ContextVar("arrived")


@dataclass(frozen=True)
class FloodLimits:
    overall: int = 30
    overall_period: float = 1.0
    group: int = 20
    group_period: float = 60.0
    private: int = 1
    private_period: float = 1.0
    # Requests leave the bot paced but arrive with jitter; forgive this much of a period.
    tolerance: float = 0.05


JSON_FIELDS = {"reply_markup", "allowed_updates", "commands", "scope", "link_preview_options"}
INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "message_thread_id"}
FLOAT_FIELDS = {"timeout"}


def _params(raw: Iterable[tuple[str, str]]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in raw:
        if key in JSON_FIELDS:
            params[key] = json.loads(value)
        elif key in INT_FIELDS and re.fullmatch(r"-?\d+", value):
            params[key] = int(value)
        elif key in FLOAT_FIELDS:
            params[key] = float(value)
        else:
            params[key] = value
    return params


class FakeBotApi:
    def __init__(
        self,
        *,
        token: str = TOKEN,
        username: str = BOT_USERNAME,
        limits: FloodLimits | None = FloodLimits(),
        port: int = 0,
    ) -> None:
        self.token = token
        self.username = username
        self.limits = limits
        self.calls: list[Call] = []
        self.scripts: list[Script] = []
        self.commands: list[dict[str, str]] | None = None
        self.webhook: dict[str, Any] | None = None
        self.flood_hits = 0
        self.chat_admins: set[tuple[int, int]] = set()  # (chat id, user id) for getChatMember
        self.files: dict[str, bytes] = {}  # file_id -> content, served by getFile and /file/
        self._port = port
        self._pending: deque[dict[str, Any]] = deque()  # in update_id order
        self.sent_count = self.failed_count = 0  # sendMessage outcomes, kept cheap for stats
        self._next_update_id = 1
        # Replaced on every push: long polls waiting on the old one wake up.
        self._news = asyncio.Event()
        self._closing = False
        self._message_ids = itertools.count(1000)
        self._chats: dict[int, dict[str, Any]] = {}
        self._overall: deque[float] = deque()
        self._per_chat: dict[int, deque[float]] = {}
        self._sent_event = asyncio.Event()
        self._runner: web.AppRunner | None = None

    # ----- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> FakeBotApi:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        app.router.add_post("/_control/updates", self._control_updates)
        app.router.add_get("/_control/stats", self._control_stats)
        app.router.add_get("/_control/sent", self._control_sent)
        app.router.add_post("/_control/reset", self._control_reset)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        return self

    async def stop(self) -> None:
        self._closing = True
        self._wake()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        assert self._runner is not None
        for address in self._runner.addresses:
            return int(address[1])
        raise RuntimeError("not started")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # ----- scripting -----------------------------------------------------------------------------

    def push(self, *updates: dict[str, Any]) -> list[int]:
        """Queues updates for getUpdates; returns their update ids."""
        ids = []
        for update in updates:
            update = {"update_id": self._next_update_id, **update}
            self._next_update_id += 1
            self._remember_chats(update)
            self._pending.append(update)
            ids.append(update["update_id"])
        self._wake()
        return ids

    def fail(
        self,
        method: str,
        status: int,
        description: str,
        *,
        parameters: dict[str, Any] | None = None,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        self.scripts.append(Script(method, times, chat_id, 0.0, status, description, parameters))

    def delay(
        self, method: str, seconds: float, *, chat_id: int | None = None, times: int = 1
    ) -> None:
        self.scripts.append(Script(method, times, chat_id, seconds))

    async def deliver_webhook(self, update: dict[str, Any], *, secret: str | None = None) -> int:
        """POSTs an update to the registered webhook the way Telegram does; returns the status."""
        assert self.webhook is not None, "no webhook set"
        update = {"update_id": self._next_update_id, **update}
        self._next_update_id += 1
        self._remember_chats(update)
        token = self.webhook.get("secret_token") if secret is None else secret
        headers = {"X-Telegram-Bot-Api-Secret-Token": token} if token else {}
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.webhook["url"], json=update, headers=headers) as response,
        ):
            return response.status

    # ----- inspection ----------------------------------------------------------------------------

    def requests(self, method: str, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and (chat_id is None or c.chat_id == chat_id)
        ]

    def sent(self, chat_id: int | None = None) -> list[Call]:
        """Messages Telegram accepted."""
        return [c for c in self.requests("sendMessage", chat_id) if c.ok]

    async def wait_sent(
        self, count: int = 1, chat_id: int | None = None, within: float = 5.0
    ) -> list[Call]:
        deadline = time.monotonic() + within
        while len(self.sent(chat_id)) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"expected {count} messages to {chat_id}, got {len(self.sent(chat_id))}: "
                    f"{[(c.method, c.chat_id, c.status, c.description) for c in self.calls]}"
                )
            self._sent_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._sent_event.wait(), min(remaining, 0.1))
        return self.sent(chat_id)

    async def wait_calls(self, method: str, count: int = 1, within: float = 5.0) -> list[Call]:
        deadline = time.monotonic() + within
        while len(self.requests(method)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} {method} calls, got {self.calls}")
            await asyncio.sleep(0.01)
        return self.requests(method)

    # ----- HTTP ----------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        # Telegram counts a message when it arrives, not when its body has been parsed.
        _arrived.set(time.monotonic())
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        raw = list(request.query.items())
        if request.can_read_body:
            if request.content_type == "application/json":
                raw.extend((k, v if isinstance(v, str) else json.dumps(v))
                           for k, v in (await request.json()).items())  # fmt: skip
            else:
                raw.extend((k, str(v)) for k, v in (await request.post()).items())
        method = request.match_info["method"]
        call = Call(method, _params(raw), time.monotonic())
        self.calls.append(call)
        status, body = await self._answer(call)
        call.status = status
        call.result = body.get("result")
        call.description = body.get("description", "")
        if method == "sendMessage":
            if status == 200:
                self.sent_count += 1
                self._sent_event.set()
            else:
                self.failed_count += 1
        return web.json_response(body, status=status)

    async def _answer(self, call: Call) -> tuple[int, dict[str, Any]]:
        script = self._script_for(call)
        if script is not None:
            if script.delay:
                await asyncio.sleep(script.delay)
            if script.status:
                return _fail(script.status, script.description, script.parameters)
        handler = getattr(self, f"_m_{call.method}", None)
        if handler is None:
            return _fail(404, "Not Found: method not found")
        result = await handler(call.params)
        if isinstance(result, tuple):
            return result
        return 200, {"ok": True, "result": result}

    def _script_for(self, call: Call) -> Script | None:
        for script in self.scripts:
            if script.method == call.method and script.chat_id in (None, call.chat_id):
                script.times -= 1
                if script.times <= 0:
                    self.scripts.remove(script)
                return script
        return None

    # ----- methods -------------------------------------------------------------------------------

    async def _m_getChatMember(self, params: dict[str, Any]) -> Any:
        user_id = int(params["user_id"])
        status = "administrator" if (params["chat_id"], user_id) in self.chat_admins else "member"
        member: dict[str, Any] = {"status": status, "user": user(user_id)}
        if status == "administrator":
            member.update(
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=True,
                can_restrict_members=True,
                can_promote_members=False,
                can_change_info=True,
                can_invite_users=True,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
            )
        return member

    async def _m_getFile(self, params: dict[str, Any]) -> Any:
        file_id = str(params["file_id"])
        if file_id not in self.files:
            return _fail(400, "Bad Request: invalid file_id")
        size = len(self.files[file_id])
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": size,
            "file_path": f"documents/{file_id}",
        }

    async def _file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if file_id not in self.files:
            return web.Response(status=404)
        self.calls.append(Call("download", {"file_id": file_id}, time.monotonic(), 200))
        return web.Response(body=self.files[file_id])

    async def _m_getMe(self, params: dict[str, Any]) -> Any:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Our Bot",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook is not None:
            return _fail(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        allowed = params.get("allowed_updates") or None
        while self._pending and self._pending[0]["update_id"] < offset:
            self._pending.popleft()  # confirmed by the offset

        def ready() -> list[dict[str, Any]]:
            found = []
            for update in self._pending:
                if allowed is None or any(key in allowed for key in update if key != "update_id"):
                    found.append(update)
                    if len(found) == limit:
                        break
            return found

        deadline = time.monotonic() + timeout
        while not ready() and not self._closing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._news.wait(), remaining)
        return ready()

    async def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            return _fail(400, "Bad Request: secret token contains unallowed characters")
        if not params.get("url"):
            return await self._m_deleteWebhook(params)
        self.webhook = params
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        if str(params.get("drop_pending_updates", "")).lower() == "true":
            self._pending.clear()
        return True

    async def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands") or []
        if len(commands) > 100:
            return _fail(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                return _fail(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                return _fail(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands = commands
        return True

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        if not params.get("callback_query_id"):
            return _fail(400, "Bad Request: query is too old and response timeout expired")
        return True

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        problem = self._check_message(params)
        if problem is not None:
            return problem
        chat_id, text = params["chat_id"], params["text"]
        kind = "private" if chat_id > 0 else "supergroup"
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chats.get(chat_id) or chat(chat_id, kind),
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Our Bot"},
            "text": parse_html(text).text if params.get("parse_mode") == "HTML" else text,
        }

    async def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        if "message_id" not in params:
            return _fail(400, "Bad Request: message identifier is not specified")
        return await self._m_sendMessage(params)

    def _check_message(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            return _fail(400, "Bad Request: chat not found")
        text = params.get("text", "")
        if params.get("parse_mode") == "HTML":
            try:
                parsed = parse_html(text)
            except EntityError as exc:
                return _fail(400, f"Bad Request: can't parse entities: {exc}")
        else:
            parsed = Parsed(text, 0)
        if parsed.length == 0:
            return _fail(400, "Bad Request: message text is empty")
        if parsed.length > MESSAGE_CHARS:
            return _fail(400, "Bad Request: message is too long")
        for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if not button.get("text") or (
                    data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_BYTES
                ):
                    return _fail(400, "Bad Request: BUTTON_DATA_INVALID")
        return self._flood(chat_id)

    def _flood(self, chat_id: int) -> tuple[int, dict[str, Any]] | None:
        """Telegram's limits on posting, with sliding windows over accepted messages."""
        if self.limits is None:
            return None
        now, lim = _arrived.get(time.monotonic()), self.limits
        group = chat_id < 0
        per_chat = self._per_chat.setdefault(chat_id, deque())
        chat_limit = (lim.group, lim.group_period) if group else (lim.private, lim.private_period)
        checks = [(self._overall, lim.overall, lim.overall_period), (per_chat, *chat_limit)]
        for times, limit, period in checks:
            window = period * (1 - lim.tolerance)
            while times and times[0] <= now - window:
                times.popleft()
            if len(times) >= limit:
                self.flood_hits += 1
                retry = max(1, math.ceil(times[0] + window - now))
                return _fail(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        for times, _, _ in checks:
            times.append(now)
        return None

    def _remember_chats(self, update: dict[str, Any]) -> None:
        for value in update.values():
            if isinstance(value, dict):
                for holder in (value, value.get("message") or {}):
                    found = holder.get("chat")
                    if isinstance(found, dict):
                        self._chats[found["id"]] = found

    def _wake(self) -> None:
        self._news.set()
        self._news = asyncio.Event()

    # ----- control (for a server in another process) ---------------------------------------------

    async def _control_updates(self, request: web.Request) -> web.Response:
        self.push(*(await request.json())["updates"])
        return web.json_response({"ok": True})

    async def _control_stats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "sent": self.sent_count,
                "failed": self.failed_count,
                "flood_hits": self.flood_hits,
                "pending": len(self._pending),
            }
        )

    async def _control_sent(self, request: web.Request) -> web.Response:
        chat_id = request.query.get("chat_id")
        calls = self.sent(int(chat_id) if chat_id else None)
        return web.json_response({"sent": [{"params": c.params, "at": c.at} for c in calls]})

    async def _control_reset(self, request: web.Request) -> web.Response:
        self.calls.clear()
        self.flood_hits = self.sent_count = self.failed_count = 0
        return web.json_response({"ok": True})


def _fail(
    status: int, description: str, parameters: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return status, body


def _error(status: int, description: str) -> web.Response:
    return web.json_response(_fail(status, description)[1], status=status)


class FakeBotApiApart:
    """A FakeBotApi running in a process of its own, read through its control routes. Its
    arrival times are `time.monotonic()` there, which on one machine is this process's clock
    too."""

    def __init__(self, url: str, session: aiohttp.ClientSession) -> None:
        self.url = url  # the server's root; the Bot API is under /bot<token>/
        self._session = session

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    async def sent(self, chat_id: int | None = None) -> list[Call]:
        """Messages Telegram accepted, as the server recorded them."""
        query = {"chat_id": str(chat_id)} if chat_id is not None else {}
        async with self._session.get(f"{self.url}/_control/sent", params=query) as response:
            found = (await response.json())["sent"]
        return [Call("sendMessage", c["params"], c["at"], status=200) for c in found]

    async def flood_hits(self) -> int:
        async with self._session.get(f"{self.url}/_control/stats") as response:
            return int((await response.json())["flood_hits"])

    async def wait_sent(
        self, count: int = 1, chat_id: int | None = None, within: float = 5.0
    ) -> list[Call]:
        deadline = time.monotonic() + within
        while len(found := await self.sent(chat_id)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} messages to {chat_id}, got {len(found)}")
            await asyncio.sleep(0.1)
        return found


@contextlib.asynccontextmanager
async def apart(limits: bool = True) -> AsyncIterator[FakeBotApiApart]:
    """The fake Bot API in a process of its own (Telegram's limits, strict, unless `limits` is
    false), stopped on the way out."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.telegram.fake_bot_api",
        *([] if limits else ["--no-limits"]),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        port = int((await asyncio.wait_for(process.stdout.readline(), 30)).decode())
        async with aiohttp.ClientSession() as session:
            yield FakeBotApiApart(f"http://127.0.0.1:{port}", session)
    finally:
        process.terminate()
        await process.wait()


async def _serve(port: int, limits: bool) -> None:
    server = FakeBotApi(limits=FloodLimits() if limits else None, port=port)
    await server.start()
    print(server.port, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--no-limits", action="store_true", help="do not enforce flood limits")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port, not args.no_limits))


if __name__ == "__main__":
    main()
