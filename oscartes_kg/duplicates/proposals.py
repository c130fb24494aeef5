"""The probable duplicates waiting for a curator: a small SQLite file next to the catalogue.

Proposals are derived data, like the catalogue: detection writes them and can always write them
again (``oscartes-kg duplicates detect``). What a curator *decides* is not kept here but in the
store, through ``changes.apply`` (``decisions.py``), so it is validated, public and in the history.
"""
from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

from .. import catalogue
from .detect import Proposal
from .signals import Reason

__all__ = ["location", "replace_for", "replace_all", "page", "get", "remove", "FILE"]

FILE = "duplicates.sqlite"
SCHEMA = """CREATE TABLE IF NOT EXISTS proposal(
    a TEXT NOT NULL, b TEXT NOT NULL, score REAL NOT NULL, reasons TEXT NOT NULL,
    detected REAL NOT NULL, PRIMARY KEY(a, b));
CREATE INDEX IF NOT EXISTS proposal_score ON proposal(score DESC, a, b);
CREATE INDEX IF NOT EXISTS proposal_b ON proposal(b)"""


def location(store) -> Path:
    """The file: beside the store's catalogue (``DATA/`` for the embedded store)."""
    opened = catalogue._opened.get(store) if catalogue._is_weakrefable(store) else None
    return (Path(opened) if opened else catalogue.location(store)).with_name(FILE)


def _connect(store) -> sqlite3.Connection:
    path = location(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path), timeout=60.0, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    for statement in SCHEMA.split(";"):
        connection.execute(statement)
    return connection


def _write(store, proposals: Iterable[Proposal], clear) -> int:
    """Run ``clear(connection)`` then insert ``proposals``, in one transaction."""
    rows = [(p.a, p.b, p.score, p.reasons_json(), time.time()) for p in proposals]
    connection = _connect(store)
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            clear(connection)
            connection.executemany("INSERT OR REPLACE INTO proposal VALUES (?, ?, ?, ?, ?)", rows)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    finally:
        connection.close()
    return len(rows)


def replace_for(store, iris: Iterable[str], proposals: Iterable[Proposal]) -> int:
    """Replace the proposals about ``iris`` (detection after an import) by ``proposals``."""
    chosen = [(i,) for i in set(iris)]

    def clear(connection):
        connection.executemany("DELETE FROM proposal WHERE a = ?", chosen)
        connection.executemany("DELETE FROM proposal WHERE b = ?", chosen)
    return _write(store, proposals, clear)


def replace_all(store, proposals: Iterable[Proposal]) -> int:
    """Replace every proposal (detection over the whole store)."""
    return _write(store, proposals, lambda c: c.execute("DELETE FROM proposal"))


def _proposal(row) -> Proposal:
    a, b, score, reasons = row
    return Proposal(a, b, score, tuple(Reason.from_json(r) for r in json.loads(reasons)))


def page(store, *, offset: int = 0, limit: int = 50) -> tuple[list[Proposal], int]:
    """Proposals, highest score first, and how many there are."""
    connection = _connect(store)
    try:
        total = connection.execute("SELECT count(*) FROM proposal").fetchone()[0]
        rows = connection.execute("SELECT a, b, score, reasons FROM proposal ORDER BY score DESC, "
                                  "a, b LIMIT ? OFFSET ?", (limit, offset)).fetchall()
    finally:
        connection.close()
    return [_proposal(r) for r in rows], total


def get(store, a: str, b: str) -> Proposal | None:
    """The proposal about this pair (either order), if any."""
    a, b = sorted((a, b))
    connection = _connect(store)
    try:
        row = connection.execute("SELECT a, b, score, reasons FROM proposal WHERE a = ? AND b = ?",
                                 (a, b)).fetchone()
    finally:
        connection.close()
    return _proposal(row) if row else None


def remove(store, pairs: Iterable[tuple[str, str]]) -> None:
    """Forget proposals (decided, or about an entity that is gone)."""
    chosen = [tuple(sorted(p)) for p in pairs]
    _write(store, [], lambda c: c.executemany("DELETE FROM proposal WHERE a = ? AND b = ?", chosen))
