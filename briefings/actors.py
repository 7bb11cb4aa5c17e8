"""Who changed something. The audit trail and /undo know people by a stable id (platform and
user id); the display name is only for people to read, and may change at any time."""

from __future__ import annotations

from dataclasses import dataclass

# Every column that stores an actor's display string is this wide, and no display is longer:
# a Telegram name alone may be 129 characters (first and last name, 64 each, and a space).
ACTOR_LENGTH = 160
# "platform:user_id": platform names are at most 16 characters, user ids at most 64.
ACTOR_ID_LENGTH = 96
ELLIPSIS = "…"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + ELLIPSIS


@dataclass(frozen=True)
class Actor:
    id: str  # what "the same person" means: "telegram:42", or a name such as "seed"
    display: str  # how the audit trail shows them: "telegram:42 (Ann Example)"

    def __post_init__(self) -> None:
        # Bounded here, so every writer stores what fits its column on every database.
        object.__setattr__(self, "id", self.id[:ACTOR_ID_LENGTH])
        object.__setattr__(self, "display", _shorten(self.display, ACTOR_LENGTH))

    @classmethod
    def user(cls, platform: str, user_id: str, name: str) -> Actor:
        """A person on a chat platform; a long name is clipped, never the id."""
        actor_id = f"{platform}:{user_id}"[:ACTOR_ID_LENGTH]
        room = ACTOR_LENGTH - len(actor_id) - len(" ()")
        return cls(actor_id, f"{actor_id} ({_shorten(name, room)})")

    @classmethod
    def system(cls, name: str) -> Actor:
        """The bot itself or an operator's command: the name is the id."""
        return cls(name, name)


SEED = Actor.system("seed")
