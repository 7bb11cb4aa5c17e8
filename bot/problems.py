"""Configuration and startup errors as one sentence each, naming the setting.

Two kinds, two exit statuses: `ConfigError` (status 2) is a setting that is wrong and will stay
wrong until someone edits it, so a service manager should not restart the bot; `StartupError`
(status 1) is something around the bot (a database not up yet, a port taken) that may pass.
"""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from bot.config import EnvSettings

CONFIG_EXIT = 2
STARTUP_EXIT = 1


class ConfigError(Exception):
    """A setting is wrong; the message names it and says what is wrong."""


class StartupError(Exception):
    """The bot could not start for a reason outside its settings; the message says which."""


def _env_name(title: str, field: str) -> str:
    """The environment variable behind a settings field: prefix + NAME."""
    for cls in _settings_classes(EnvSettings):
        if cls.__name__ == title:
            return f"{cls.model_config.get('env_prefix', '')}{field}".upper()
    return field.upper()


def _settings_classes(base: type[EnvSettings]) -> list[type[EnvSettings]]:
    found = [base]
    for sub in base.__subclasses__():
        found.extend(_settings_classes(sub))
    return found


def explain_validation(error: ValidationError) -> str:
    """ "DEFAULT_TIMEZONE='Mars/Base': unknown time zone ..." for each wrong setting."""
    sentences = []
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else ""
        name = _env_name(error.title, field)
        message = problem["msg"].removeprefix("Value error, ")
        given = problem.get("input")
        if isinstance(given, str) and name in message:
            sentences.append(message)  # the validator named the setting itself
        elif isinstance(given, str):
            sentences.append(f"{name}={given!r} is not valid: {message}")
        else:
            sentences.append(f"{name} is not valid: {message}")
    return "; ".join(sentences) + "."


def database_failure(where: str, exc: BaseException) -> StartupError:
    """A database that could not be opened: which one (password hidden) and the driver's
    reason, without SQLAlchemy's background link or the statement."""
    cause: BaseException = exc
    orig = getattr(exc, "orig", None) if isinstance(exc, SQLAlchemyError) else None
    if isinstance(orig, BaseException):
        cause = orig
    reason = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    if isinstance(cause, ConnectionRefusedError):
        reason = "connection refused"
    return StartupError(f"DATABASE_URL: cannot open {where}: {reason[:200]}")


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
