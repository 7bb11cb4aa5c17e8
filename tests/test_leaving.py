"""The in-flight mark of one digest message (bot/leaving.py): written before the message leaves
when it is quick; when it is slow or fails, the message leaves anyway, and a late mark has
ended before the platform's answer is recorded. Nothing here is timed: a slow mark is one that
waits for the test to let it go."""

from __future__ import annotations

import asyncio

import pytest

from bot.leaving import LateMarks, LeavingMark

BOUND = 0.01  # how long the message waits for its mark at most


async def test_a_quick_mark_is_written_before_the_message_leaves() -> None:
    written: list[str] = []

    async def write() -> None:
        written.append("mark")

    mark = LeavingMark(write, "message 1", bound=60.0)
    await mark.leaving()  # back as soon as the mark is written, not after the bound
    assert written == ["mark"]
    await mark.settled()


async def test_a_slow_mark_lets_the_message_go_and_ends_before_the_answer_is_recorded(
    caplog: pytest.LogCaptureFixture,
) -> None:
    release = asyncio.Event()
    steps: list[str] = []

    async def write() -> None:
        await release.wait()  # the database does not answer until the test says so
        steps.append("mark written")

    mark = LeavingMark(write, "message 2", bound=BOUND, late=LateMarks())
    await mark.leaving()
    steps.append("message left")
    assert "message 2 leaves unmarked" in caplog.text

    settled = asyncio.create_task(mark.settled())
    await asyncio.sleep(0)
    assert not settled.done(), "the answer waits for the mark"
    release.set()
    await settled
    steps.append("answer recorded")
    assert steps == ["message left", "mark written", "answer recorded"]


async def test_a_failed_mark_lets_the_message_go(caplog: pytest.LogCaptureFixture) -> None:
    async def write() -> None:
        raise ConnectionResetError("the database went away")

    mark = LeavingMark(write, "message 3", bound=BOUND)
    await mark.leaving()  # no exception: the message goes
    await mark.settled()
    assert "message 3: its in-flight mark failed" in caplog.text
    assert "the database went away" in caplog.text


async def test_no_mark_asked_for_nothing_to_settle() -> None:
    async def write() -> None:
        raise AssertionError("never called")

    # The adapter never reached its pacing moment (it failed before): nothing was started.
    await LeavingMark(write, "message 4", bound=BOUND).settled()


async def test_a_send_cancelled_while_marking_leaves_the_write_to_end() -> None:
    release = asyncio.Event()
    written: list[str] = []

    async def write() -> None:
        await release.wait()
        written.append("mark")

    mark = LeavingMark(write, "message 5", bound=60.0)
    sending = asyncio.create_task(mark.leaving())
    await asyncio.sleep(0)
    sending.cancel()  # the worker stops while its message waits for the mark
    with pytest.raises(asyncio.CancelledError):
        await sending
    release.set()
    await mark.settled()  # a statement is not cut halfway: the write ends on its own
    assert written == ["mark"]


async def test_a_burst_of_late_marks_makes_one_warning_then_one_a_window(
    caplog: pytest.LogCaptureFixture,
) -> None:
    release = asyncio.Event()

    async def write() -> None:
        await release.wait()

    caplog.set_level("DEBUG", logger="bot.leaving")
    now = [1000.0]
    late = LateMarks(window=60.0, clock=lambda: now[0])
    marks = [LeavingMark(write, f"message {n}", bound=BOUND, late=late) for n in range(6, 11)]
    for mark in marks:
        await mark.leaving()
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == ["message 6 leaves unmarked: its in-flight mark took over 10 ms"]
    assert sum("leaves unmarked" in r.getMessage() for r in caplog.records) == 5  # each, at DEBUG

    caplog.clear()
    now[0] += 60.0  # the window is over: the next late mark warns, counting those it hid
    late.report("message 11", BOUND)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [
        "message 11 leaves unmarked: its in-flight mark took over 10 ms; "
        "4 more left unmarked in the 60 s before"
    ]
    release.set()
    for mark in marks:
        await mark.settled()
