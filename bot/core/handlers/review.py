"""Reviewing proposals: /proposals lists what waits, /approve publishes (or cites the article
on the points a proposal repeats), /reject drops. Buttons send the same commands."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core import texts
from bot.core.clip import clip
from bot.core.commands import Command
from bot.core.context import Context
from bot.core.ingest_args import ArgsError, parse_choice
from bot.core.messages import Button, Item, Reply, Section
from briefings.proposals import Decision, ProposalView
from briefings.views import Catalog

# Per-proposal buttons (approve, reject, move) for at most this many proposals per list;
# Telegram allows 100 buttons under a message, and a long keyboard helps nobody.
BUTTONS_FOR = 8
LIST_LIMIT = 40
MATCH_PREVIEW = 90


def _second_choice(p: ProposalView) -> str | None:
    """The next-best existing topic, shown beside the first and offered as a button."""
    return next((a for a in p.alternatives if a != p.topic), None)


def _item(p: ProposalView, catalog: Catalog) -> Item:
    if p.corroborates is not None:
        point = catalog.point(p.corroborates)
        shown = clip(point.text, MATCH_PREVIEW) if point else "?"
        where = texts.PROPOSAL_SAME_AS.format(id=p.corroborates, text=shown)
        tag = f"p{p.id} → #{p.corroborates}"
    elif p.new_topic is not None:
        where = texts.PROPOSAL_NEW_TOPIC.format(slug=p.new_topic[0], title=p.new_topic[1])
        tag = f"p{p.id} new /{p.new_topic[0]}"
    else:
        second = _second_choice(p)
        where = texts.PROPOSAL_OR.format(second=f"/{second}") if second else ""
        tag = f"p{p.id} /{p.topic}"
    notes = [where] if where else []
    if p.also_corroborates:
        ids = ", ".join(f"#{i}" for i in p.also_corroborates)
        notes.append(texts.PROPOSAL_ALSO_CITED.format(ids=ids))
    if "needs-context" in p.flags:
        notes.append(texts.PROPOSAL_NEEDS_CONTEXT)
    text = p.text + (f" ({'; '.join(notes)})" if notes else "")
    return Item(text=text, tag=tag)


def _buttons(proposals: Sequence[ProposalView]) -> tuple[Button, ...]:
    buttons = [Button(texts.APPROVE_ALL, "/approve all"), Button(texts.REJECT_ALL, "/reject all")]
    for p in proposals[:BUTTONS_FOR]:
        buttons.append(Button(f"✓ p{p.id}", f"/approve {p.id}"))
        buttons.append(Button(f"✗ p{p.id}", f"/reject {p.id}"))
        second = _second_choice(p)
        if p.corroborates is None and second:
            buttons.append(Button(f"p{p.id} → /{second}", f"/approve {p.id} {second}"))
    return tuple(buttons)


def review_replies(
    proposals: Sequence[ProposalView],
    catalog: Catalog,
    *,
    title: str,
    intro: str,
    too_long: Sequence[str] = (),
) -> list[Reply]:
    shown = list(proposals[:LIST_LIMIT])
    sections = [Section(None, tuple(_item(p, catalog) for p in shown))]
    if too_long:
        items = tuple(Item(clip(s, 160)) for s in too_long[:3])
        sections.append(Section(texts.PROPOSALS_TOO_LONG, items))
    more = len(proposals) - len(shown)
    # What a fold means, told with one from this list (an invented example read as a real one).
    example = next((p for p in shown if p.corroborates is not None), None)
    notes = [texts.PROPOSALS_FOOTER]
    if example is not None:
        notes.append(texts.PROPOSALS_FOLD_NOTE.format(id=example.id, point=example.corroborates))
    if more:
        notes.append(texts.PROPOSALS_MORE.format(count=more))
    footer = " ".join(notes)
    return [
        Reply(
            title=title,
            body=(intro,),
            sections=tuple(sections),
            footer=footer,
            buttons=_buttons(shown),
        )
    ]


async def proposals(ctx: Context) -> list[Reply]:
    pending = await ctx.store.proposals.pending()
    if not pending:
        return [Reply.text(texts.PROPOSALS_NONE)]
    return review_replies(
        pending,
        ctx.catalog,
        title=texts.PROPOSALS_TITLE,
        intro=texts.counted(texts.PROPOSALS_INTRO, count=len(pending)),
    )


def summary_lines(decision: Decision) -> list[str]:
    lines = []
    if decision.published:
        ids = ", ".join(f"#{i}" for i in decision.published)
        lines.append(
            texts.counted(texts.APPROVED_PUBLISHED, count=len(decision.published), ids=ids)
        )
    # Where a point went instead of where it was proposed, and why (never silently).
    for point_id, slug, removed in decision.refiled:
        lines.append(texts.APPROVED_REFILED.format(id=point_id, slug=slug, removed=removed))
    for point_id, removed_point in decision.unfolded:
        lines.append(texts.APPROVED_UNFOLDED.format(id=point_id, removed=removed_point))
    if decision.corroborated:
        ids = ", ".join(f"#{i}" for i in decision.corroborated)
        lines.append(texts.counted(texts.APPROVED_CITED, count=len(decision.corroborated), ids=ids))
    if decision.topics_created:
        names = ", ".join(f"/{s}" for s in decision.topics_created)
        lines.append(texts.APPROVED_TOPICS.format(names=names))
    if decision.rejected:
        lines.append(texts.counted(texts.REJECTED_DONE, count=len(decision.rejected)))
    if decision.skipped:
        ids = ", ".join(f"p{i}" for i in decision.skipped)
        lines.append(texts.DECIDED_ALREADY.format(ids=ids))
    return lines


async def approve(ctx: Context) -> list[Reply]:
    try:
        chosen = parse_choice(ctx.args, set(ctx.catalog.topic_names), allow_topic=True)
    except ArgsError as bad:
        return [Reply.text(str(bad), tone="error")]
    decision = await ctx.store.proposals.approve(chosen.ids, ctx.incoming.actor, chosen.topic)
    lines = summary_lines(decision) or [texts.NOTHING_PENDING]
    if decision.published or decision.corroborated:
        lines.append(texts.UNDO_HINT)
    return [Reply.text(*lines)]


async def reject(ctx: Context) -> list[Reply]:
    try:
        chosen = parse_choice(ctx.args, set(), allow_topic=False)
    except ArgsError as bad:
        return [Reply.text(str(bad), tone="error")]
    decision = await ctx.store.proposals.reject(chosen.ids, ctx.incoming.actor)
    lines = summary_lines(decision) or [texts.NOTHING_PENDING]
    if decision.rejected:
        lines.append(texts.UNDO_HINT)
    return [Reply.text(*lines)]


COMMANDS = [
    Command("proposals", "Proposed key points waiting for review", proposals, admin=True),
    Command(
        "approve",
        "Publish proposals (or cite the article on the points they repeat)",
        approve,
        usage="<ids|all> [topic]",
        admin=True,
    ),
    Command("reject", "Drop proposals", reject, usage="<ids|all>", admin=True),
]
