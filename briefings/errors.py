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


class UnknownProposal(BriefingError):
    def __init__(self, proposal_id: int) -> None:
        super().__init__(proposal_id)
        self.proposal_id = proposal_id


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


class ArticleRejected(BriefingError):
    """An article cannot be turned into proposals; `reason` is a short code the chat layer
    words (briefings.ingest.limits.REJECTION_REASONS has a plain sentence for each)."""

    reason = "rejected"

    def __init__(self, detail: str = "") -> None:
        super().__init__(f"{self.reason}: {detail}" if detail else self.reason)
        self.detail = detail


class EmptyArticle(ArticleRejected):
    reason = "empty"


class NoStoryFound(ArticleRejected):
    reason = "no_story"


class ArticleTooLong(ArticleRejected):
    reason = "too_long"


class DocumentTooLarge(ArticleRejected):
    reason = "too_large"


class BinaryDocument(ArticleRejected):
    reason = "binary"


class NotEnglish(ArticleRejected):
    reason = "not_english"


class BadSlug(BriefingError):
    """A name that cannot be a topic's command (slug or alias)."""

    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


class InvalidTitle(BriefingError):
    def __init__(self, reason: str, limit: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.limit = limit


class ReservedName(BriefingError):
    """The name is one of the bot's fixed commands or their aliases."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class TopicExists(BriefingError):
    """The name already leads to a topic (`holder`), as its slug or an alias."""

    def __init__(self, name: str, holder: str) -> None:
        super().__init__(name, holder)
        self.name = name
        self.holder = holder


class UnknownAlias(BriefingError):
    def __init__(self, slug: str, alias: str) -> None:
        super().__init__(slug, alias)
        self.slug = slug
        self.alias = alias


class TopicNotEmpty(BriefingError):
    def __init__(self, slug: str, count: int) -> None:
        super().__init__(slug, count)
        self.slug = slug
        self.count = count


class BadImportance(BriefingError):
    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


class AlreadyInTopic(BriefingError):
    def __init__(self, point_id: int, slug: str) -> None:
        super().__init__(point_id, slug)
        self.point_id = point_id
        self.slug = slug


class SameImportance(BriefingError):
    def __init__(self, point_id: int, importance: int) -> None:
        super().__init__(point_id, importance)
        self.point_id = point_id
        self.importance = importance
