"""Keeping the bot token out of the logs.

Bot API URLs contain the token. httpx logs every request URL at INFO, python-telegram-bot logs
its base URL at DEBUG when a Bot is built, and its InvalidToken message quotes the token. The
HTTP loggers are kept at WARNING (as the CLI does), and every python-telegram-bot and HTTP
logger gets a filter that blanks the token out of messages and tracebacks, so not even DEBUG
shows it.
"""

from __future__ import annotations

import logging

REDACTED = "<bot-token>"
FAMILIES = ("telegram", "httpx", "httpcore")
# Loggers that may not exist yet when the adapter is built; created now so they get the filter.
KNOWN = ("telegram", "telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Updater",
         "telegram.ext.Application", "telegram.ext", "httpx", "httpcore")  # fmt: skip


class RedactToken(logging.Filter):
    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, REDACTED), None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            text = logging.Formatter().formatException(record.exc_info)
            if self.token in text:
                # Formatters use exc_text when it is set instead of formatting exc_info again.
                record.exc_text = text.replace(self.token, REDACTED)
        return True


def protect_token(token: str) -> None:
    """Idempotent: one filter per token and logger."""
    if not token:
        return
    quiet_http_logs()
    names = {name for name in logging.root.manager.loggerDict if name.split(".")[0] in FAMILIES}
    for name in names | set(KNOWN):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactToken) and f.token == token for f in logger.filters):
            logger.addFilter(RedactToken(token))


def quiet_http_logs() -> None:
    """httpx's request lines are noise at best and carry the token; keep them at WARNING."""
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.WARNING:
            logger.setLevel(logging.WARNING)
