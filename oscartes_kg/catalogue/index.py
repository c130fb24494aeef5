"""The catalogue's SQLite file: its schema, and writing records into it (whole or in part).

Tables (SQLite from the standard library: FTS5 and R*Tree are compiled in):

- ``entity``: one row per listed entity (kind, labels, commune, dates, coordinates, sort key);
- ``text``: FTS5 over labels, alternative names and descriptions, ``rowid`` = ``entity.id``,
  tokenizer ``unicode61 remove_diacritics 2`` (case and accents folded: "fete" finds "Fête");
- ``term``: facet values (themes, competences, territories, statuses) with labels and parent;
- ``facet``: (term, entity) pairs, closed upwards over the hierarchies, so filtering by a broad
  theme finds entities tagged with a narrower one without walking ``skos:broader`` at query time;
- ``place``: an R*Tree of entity points for map bounding boxes;
- ``meta``: the data version the index follows, when it was built, and the context (JSON).

Every write runs in one SQLite transaction (all or nothing); the file is in WAL mode, so
readers keep reading the previous state while a write is under way.
"""
from __future__ import annotations

import json
import sqlite3
import time
import unicodedata
from collections.abc import Iterable

from .records import MAP_EXCLUDED_KINDS, Context, Record

__all__ = ["connect", "create", "write_all", "write_some", "remove", "meta", "set_meta", "sort_key"]

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE entity(
    id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
    label TEXT NOT NULL, label_en TEXT NOT NULL, sort TEXT NOT NULL,
    commune TEXT, start TEXT, "end" TEXT, lat REAL, lon REAL, located TEXT, mapped INTEGER NOT NULL);
CREATE VIRTUAL TABLE text USING fts5(labels, alt, description,
    tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE term(
    id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, field TEXT NOT NULL,
    label TEXT NOT NULL, label_en TEXT NOT NULL, parent TEXT);
CREATE TABLE facet(term INTEGER NOT NULL, entity INTEGER NOT NULL,
    PRIMARY KEY(term, entity)) WITHOUT ROWID;
CREATE VIRTUAL TABLE place USING rtree(id, min_lon, max_lon, min_lat, max_lat);
"""
#: Made after a full build's rows are in (faster than growing them row by row).
INDEXES = """
CREATE INDEX entity_sort ON entity(sort);
CREATE INDEX entity_kind ON entity(kind, sort);
CREATE INDEX facet_entity ON facet(entity, term);
"""
TABLES = ("meta", "entity", "text", "term", "facet", "place")


def connect(path, *, timeout: float = 60.0) -> sqlite3.Connection:
    """Open the file for this thread (WAL: readers are never blocked by a writer)."""
    connection = sqlite3.connect(str(path), timeout=timeout, isolation_level=None,
                                 check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


def create(connection: sqlite3.Connection) -> None:
    """Drop and create every table (inside the caller's transaction)."""
    for table in TABLES:
        connection.execute(f"DROP TABLE IF EXISTS {table}")
    # executescript() would COMMIT the caller's transaction: run the statements one by one.
    for statement in filter(str.strip, SCHEMA.split(";")):
        connection.execute(statement)


def sort_key(label: str) -> str:
    """Lower-case, accent-free form of a label, for alphabetical order ("Écluse" near "ecole").

    >>> sort_key("Éco-Lieu")
    'eco-lieu'
    """
    folded = unicodedata.normalize("NFKD", label.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


def meta(connection: sqlite3.Connection, key: str) -> str | None:
    """One value of the ``meta`` table (None when absent or before the first build)."""
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError:  # no table yet
        return None
    return row[0] if row else None


def set_meta(connection: sqlite3.Connection, **values: str) -> None:
    """Set ``meta`` values (inside the caller's transaction)."""
    connection.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", values.items())


def _next_generation() -> str:
    """A new value for ``meta.generation``: readers keep in-memory facet sets per generation."""
    import uuid

    return uuid.uuid4().hex


def write_all(connection: sqlite3.Connection, context: Context, records: list[Record],
              *, version: str) -> int:
    """Replace the whole index by ``records`` in one transaction; return how many were written."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        create(connection)
        terms = _write_terms(connection, context)
        rows = _rows(records, terms, first_id=1)
        connection.executemany(_INSERT_ENTITY, rows[0])
        connection.executemany(_INSERT_TEXT, rows[1])
        connection.executemany(_INSERT_FACET, sorted(rows[2]))
        connection.executemany(_INSERT_PLACE, rows[3])
        for statement in filter(str.strip, INDEXES.split(";")):
            connection.execute(statement)
        set_meta(connection, version=version, built_at=str(time.time()), generation=_next_generation(),
                 context=json.dumps(context.to_json(), ensure_ascii=False))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("PRAGMA optimize")
    return len(records)


def write_some(connection: sqlite3.Connection, context: Context, iris: Iterable[str],
               records: Iterable[Record], *, version: str, relocate: bool = False) -> None:
    """Replace the rows of ``iris`` by ``records`` (IRIs without a record are removed), and
    update the context's labels (and, with ``relocate``, the points placed at a commune
    centroid that moved), in one transaction."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        _delete(connection, iris)
        terms = _write_terms(connection, context)
        _insert(connection, list(records), terms)
        if relocate:
            _relocate(connection, context)
        set_meta(connection, version=version, generation=_next_generation(),
                 context=json.dumps(context.to_json(), ensure_ascii=False))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def remove(connection: sqlite3.Connection, iris: Iterable[str]) -> None:
    """Delete the rows of ``iris`` (in the caller's transaction)."""
    _delete(connection, iris)


def _delete(connection: sqlite3.Connection, iris: Iterable[str]) -> None:
    for iri in iris:
        row = connection.execute("SELECT id FROM entity WHERE iri = ?", (iri,)).fetchone()
        if row is None:
            continue
        for statement in ("DELETE FROM entity WHERE id = ?", "DELETE FROM text WHERE rowid = ?",
                          "DELETE FROM facet WHERE entity = ?", "DELETE FROM place WHERE id = ?"):
            connection.execute(statement, row)


def _write_terms(connection: sqlite3.Connection, context: Context) -> dict:
    """Upsert every facet value the context knows; return IRI -> term id."""
    rows = [(iri, _field(iri), label, label_en, context.broader.get(iri))
            for iri, (label, label_en) in context.labels.items() if _field(iri)]
    connection.executemany(
        "INSERT INTO term(iri, field, label, label_en, parent) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(iri) DO UPDATE SET label = excluded.label, label_en = excluded.label_en, "
        "parent = excluded.parent, field = excluded.field", rows)
    return dict(connection.execute("SELECT iri, id FROM term"))


def _field(iri: str) -> str | None:
    """The facet a value belongs to, from its IRI (``/id/theme/...`` is a theme, and so on)."""
    from .records import OSC, kind_of

    kind = kind_of(iri)
    if kind in ("theme", "competence", "status"):
        return kind
    if kind == "territory":
        return "commune"
    if iri in (OSC + "open", OSC + "fulfilled"):  # needs and offers: osc:needOfferStatus
        return "status"
    return None


_INSERT_ENTITY = ('INSERT INTO entity(id, iri, kind, label, label_en, sort, commune, start, "end", '
                  "lat, lon, located, mapped) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_TEXT = "INSERT INTO text(rowid, labels, alt, description) VALUES (?, ?, ?, ?)"
_INSERT_FACET = "INSERT OR IGNORE INTO facet(term, entity) VALUES (?, ?)"
_INSERT_PLACE = "INSERT INTO place(id, min_lon, max_lon, min_lat, max_lat) VALUES (?, ?, ?, ?, ?)"


def _rows(records: list[Record], terms: dict, first_id: int) -> tuple[list, list, list, list]:
    """The rows of ``records`` for the entity, text, facet and place tables (ids from ``first_id``)."""
    entities, texts, facets, places = [], [], [], []
    for entity, record in enumerate(records, first_id):
        mapped = int(record.lat is not None and record.kind not in MAP_EXCLUDED_KINDS)
        entities.append((entity, record.iri, record.kind, record.label, record.label_en,
                         sort_key(record.label), record.commune, record.start, record.end,
                         record.lat, record.lon, record.located, mapped))
        texts.append((entity, record.labels, record.alt, record.description))
        facets.extend((terms[v], entity) for values in record.facets.values()
                      for v in values if v in terms)
        if mapped:
            places.append((entity, record.lon, record.lon, record.lat, record.lat))
    return entities, texts, facets, places


def _insert(connection: sqlite3.Connection, records: list[Record], terms: dict) -> None:
    """Add ``records`` after the existing rows (a refresh)."""
    last = connection.execute("SELECT coalesce(max(id), 0) FROM entity").fetchone()[0]
    for sql, rows in zip((_INSERT_ENTITY, _INSERT_TEXT, _INSERT_FACET, _INSERT_PLACE),
                         _rows(records, terms, first_id=last + 1)):
        connection.executemany(sql, rows)


def _relocate(connection: sqlite3.Connection, context: Context) -> None:
    """Move entities placed at their commune's centroid when that centroid changed."""
    rows = connection.execute(
        "SELECT id, commune, lat, lon, mapped FROM entity WHERE located = 'commune'").fetchall()
    for entity, commune, lat, lon, mapped in rows:
        point = context.centroids.get(commune)
        if point and tuple(point) != (lat, lon):
            connection.execute("UPDATE entity SET lat = ?, lon = ? WHERE id = ?", (*point, entity))
            if mapped:
                connection.execute("UPDATE place SET min_lat = ?, max_lat = ?, min_lon = ?, "
                                   "max_lon = ? WHERE id = ?", (point[0], point[0], point[1],
                                                                point[1], entity))
