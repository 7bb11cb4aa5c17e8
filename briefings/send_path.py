"""The send path's own connections to PostgreSQL, apart from the store's pool.

Two writes sit on the way of every paced message: the shared pacer's reservation, which sets
its moment (briefings/pacing.py), and the ledger's in-flight mark, written between that moment
and the departure (`DeliveryLedger.mark_leaving`). The store's pool is shared by 32 delivery
workers, commands and the scheduler; a message that waited there for a connection would leave
late and bunch up with the next, and the platform counts that against its limits. So the App
builds this small pool once, for those two writes alone, and closes it.

Its connections run in autocommit (each statement is its own transaction: no BEGIN and COMMIT
round trips), skip the pre-ping the store's engine does on each checkout, and commit with
`synchronous_commit = off`: a commit returns without waiting for its WAL flush. Other sessions
see the write at once; only a crash of the database server itself loses the last moments of
them (at most three `wal_writer_delay`s, 600 ms by default). What that costs is small for both:
a lost reservation lets a message share its moment with another, as if the pacer had not been
asked (a 429 then pushes the chat back); a lost mark makes a replica that takes the delivery
over send that message again, as it would have without the mark.

Every statement ends within STATEMENT_TIMEOUT seconds, and a connection is waited for no
longer: a database that stopped answering fails the write (the pacer then paces locally; a
mark is given up, see bot/leaving.py) instead of holding sends.

SQLite has no replicas and one writer: there is no send path pool (`send_path_engine` returns
None); the pacing is in-process and the mark goes through the store's engine.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

STATEMENT_TIMEOUT = 5.0
# Few writes, each one round trip, at most a platform's pace (tens a second): a couple of
# connections serve them; a burst (every worker reserving at once) borrows a few more.
POOL_SIZE = 2
MAX_OVERFLOW = 4


def send_path_engine(engine: AsyncEngine) -> AsyncEngine | None:
    """A pool of the send path's own on `engine`'s PostgreSQL database; None on SQLite. Whoever
    builds it disposes of it (the App, on close)."""
    if engine.dialect.name != "postgresql":
        return None
    return create_async_engine(
        engine.url,
        isolation_level="AUTOCOMMIT",
        pool_pre_ping=False,  # a dropped connection fails one write and is replaced
        pool_size=POOL_SIZE,
        max_overflow=MAX_OVERFLOW,
        pool_timeout=STATEMENT_TIMEOUT,
        connect_args={
            "timeout": STATEMENT_TIMEOUT,  # asyncpg: connecting
            "command_timeout": STATEMENT_TIMEOUT,  # asyncpg: each statement
            "server_settings": {"synchronous_commit": "off"},
        },
    )
