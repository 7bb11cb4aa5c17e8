"""A cost in the HTTP stack under python-telegram-bot, worked around.

httpcore (under httpx) runs `import sniffio` each time it sets up a lock or semaphore, several
times per request. Newer anyio no longer installs sniffio, and Python does not remember a
failed import: each attempt searches every directory on sys.path again. On the benchmark that
was a quarter of the bot's CPU time per update. Recording the module as absent (the documented
meaning of a None entry in sys.modules) makes the same import fail at once; httpcore then
assumes asyncio, exactly as it does after the slow failure. With sniffio installed this does
nothing.
"""

from __future__ import annotations

import importlib.util
import sys


def remember_missing_sniffio() -> None:
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]
