"""Domain errors. Each carries what a caller needs to explain it; none carries user-facing prose."""

from __future__ import annotations


class BriefingError(Exception):
    """Something a user asked for cannot be done; nothing was changed."""


class UnknownTopic(BriefingError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class UnknownPoint(BriefingError):
    def __init__(self, point_id: int) -> None:
        super().__init__(point_id)
        self.point_id = point_id


class UnknownSource(BriefingError):
    def __init__(self, keys: list[str]) -> None:
        super().__init__(keys)
        self.keys = keys


class InvalidText(BriefingError):
    def __init__(self, reason: str, limit: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.limit = limit


class NothingToUndo(BriefingError):
    pass


class UndoConflict(BriefingError):
    """The point changed after the change being undone; undoing it would lose that work."""

    def __init__(self, point_id: int, action: str, changed_by: str) -> None:
        super().__init__(point_id, action, changed_by)
        self.point_id = point_id
        self.action = action
        self.changed_by = changed_by


class InvalidBriefingData(BriefingError):
    """A briefings file does not follow the schema; the message says where."""
