"""The catalogue: an index of the PUBLIC entities for search, facets and the map, kept in step
with writes.

SPARQL is too slow for these at 100,000 organisations (PITFALLS.md: 0.47 s for a ``CONTAINS``
scan, 3.1 s for facet counts over ``skos:broader*``), so a SQLite file holds what they need (see
``index.py``): full text with bm25 ranking, facet values closed over the hierarchies, an R*Tree
of points. It is derived data: it can always be rebuilt from the store, and it is only ever
built from the public graphs, so nothing private can be found through it.

Where it lives: ``DATA/catalogue.sqlite`` next to the embedded store; for a remote store (which
has no folder of ours), a file in a cache folder named after the endpoint, made again when older
than a maximum age, like the dumps (``oscartes_kg.dumps``).

How it follows the data:

- write paths call :func:`refresh` with the entities they touched (``changes.apply``, the CLI
  ``load``): their rows are read again from the public graphs, and those no longer public (or
  deleted) are removed; past ``REBUILD_FROM`` entities the whole file is rebuilt;
- on the embedded store, the index records the data version (the stamp every write path renews,
  ``dumps.stamp_change``) it follows; a reader that finds it missing, empty or behind builds it
  again before answering (the first request after ``init``, or after a load by other means);
- ``oscartes-kg reindex`` rebuilds it by hand.

>>> import tempfile; from pathlib import Path; from oscartes_kg import bootstrap
>>> from oscartes_kg.store import open_store
>>> with open_store(data=Path(tempfile.mkdtemp())) as store:
...     _ = bootstrap.init_store(store, demo=True)
...     found = open_catalogue(store).search("fete des possibles")
...     found.hits[0].label, found.hits[0].kind
('Fête des possibles 2021', 'event')
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
import tempfile
import threading
import time
import weakref
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from . import bits, index, query, records
from .query import FACET_FIELDS, Feature, Features, FacetValue, Filters, Hit, SearchResults
from .records import KIND_LABELS, kind_of

__all__ = ["Catalogue", "open_catalogue", "rebuild", "refresh", "location", "Filters", "Hit",
           "FacetValue", "SearchResults", "Feature", "Features", "FACET_FIELDS", "KIND_LABELS",
           "kind_of", "FILE", "DEFAULT_MAX_AGE", "REBUILD_FROM"]

FILE = "catalogue.sqlite"
#: Seconds a remote store's catalogue is used before being built again.
DEFAULT_MAX_AGE = 3600.0
#: From this many touched entities on, a refresh rebuilds the file: one pass over the store
#: costs less than reading each entity (a bulk load at 100k).
REBUILD_FROM = 20_000

#: Where each open store's catalogue is (so that ``refresh`` from a write path finds the file
#: the app reads, even in a configured cache folder).
_opened: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_thread_locks: dict = {}
_guard = threading.Lock()


def location(store, cache_dir: Path | str | None = None) -> Path:
    """The catalogue file of ``store``: ``DATA/catalogue.sqlite``, else one in a cache folder
    (default: ``oscartes-kg-catalogue`` in the system's temporary folder) named after the endpoint."""
    path = getattr(store, "path", None)
    if path is not None:
        return Path(path) / FILE
    where = Path(cache_dir) if cache_dir else Path(tempfile.gettempdir()) / "oscartes-kg-catalogue"
    key = getattr(store, "query_url", None) or f"memory-{os.getpid()}-{id(store)}"
    return where / hashlib.sha256(key.encode()).hexdigest()[:16] / FILE


def open_catalogue(store, *, cache_dir: Path | str | None = None,
                   max_age: float = DEFAULT_MAX_AGE) -> Catalogue:
    """The catalogue of ``store`` (nothing is read or built until it is used)."""
    catalogue = Catalogue(store, location(store, cache_dir), max_age=max_age)
    try:
        _opened[store] = catalogue.path
    except TypeError:  # a store object that cannot be weakly referenced: default location
        pass
    return catalogue


def rebuild(store, *, cache_dir: Path | str | None = None) -> int:
    """Build the catalogue of ``store`` from its public graphs; return the entities listed."""
    return open_catalogue(store, cache_dir=cache_dir).rebuild()


def refresh(store, entities: Iterable) -> None:
    """Bring the catalogue in step after a write that touched ``entities`` (IRIs or NamedNodes).

    Nothing to do when the catalogue was never built: the first reader builds it whole.
    """
    path = _opened.get(store) if _is_weakrefable(store) else None
    Catalogue(store, path or location(store)).refresh(entities)


def _is_weakrefable(store) -> bool:
    try:
        weakref.ref(store)
    except TypeError:
        return False
    return True


class Catalogue:
    """One store's catalogue file: search, map features, and the writes that keep it fresh."""

    def __init__(self, store, path: Path, *, max_age: float = DEFAULT_MAX_AGE):
        self.store = store
        self.path = Path(path)
        self.max_age = max_age
        self._local = threading.local()

    # --- reading ------------------------------------------------------------------------------

    def search(self, text: str = "", filters: Filters = Filters(), page: int = 1,
               size: int = 20) -> SearchResults:
        """Ranked results for ``text`` (every entity when empty) narrowed by ``filters``, one
        page of them, the total, and facet counts over all of them.

        :raises StoreError: the catalogue had to be built and the store could not be read.
        """
        connection = self.reader()
        sets = bits.load(connection, str(self.path), index.meta(connection, "generation") or "")
        return query.search(connection, sets, text, filters, page, size)

    def features(self, bbox: tuple[float, float, float, float] | None = None,
                 themes: Iterable[str] = (), kinds: Iterable[str] = (),
                 limit: int = 5000) -> Features:
        """Map points in ``bbox`` (min lon, min lat, max lon, max lat), filtered by any of
        ``themes`` (a broader theme includes its narrower ones) and any of ``kinds``."""
        return query.features(self.reader(), bbox, tuple(themes), tuple(kinds), limit)

    def terms(self, field: str) -> list[FacetValue]:
        """Every value of one facet field (e.g. the themes, for the map's filter), with the
        number of listed entities tagged with it, in label order."""
        rows = self.reader().execute(
            "SELECT t.iri, t.label, t.label_en, t.parent, (SELECT count(*) FROM facet f "
            "WHERE f.term = t.id) FROM term t WHERE t.field = ? ORDER BY t.label", (field,))
        return [FacetValue(iri, label, label_en, count, parent)
                for iri, label, label_en, parent, count in rows]

    def reader(self) -> sqlite3.Connection:
        """This thread's connection to an up-to-date file (built first if needed), for the
        modules that run their own SQL over the catalogue's tables (reconciliation, duplicate
        detection, the watch)."""
        connection = self._connection()
        if not self._is_fresh(connection):
            with self._locked():
                connection = self._connection()
                if not self._is_fresh(connection):  # another thread or process may have built it
                    self._rebuild_locked()
                    connection = self._connection()
        return connection

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened again if the file was replaced or deleted."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        cached = getattr(self._local, "connection", None)
        try:
            identity = self.path.stat().st_ino
        except FileNotFoundError:
            identity = None
        if cached is None or cached[1] != identity or identity is None:
            if cached is not None:
                cached[0].close()
            connection = index.connect(self.path)
            self._local.connection = (connection, self.path.stat().st_ino)
            return connection
        return cached[0]

    def _version(self) -> str:
        """The data version of the store (the embedded store's change stamp; "" otherwise)."""
        from .. import dumps

        if getattr(self.store, "path", None) is None:
            return ""
        return dumps.open_cache(self.store).version()

    def _is_fresh(self, connection: sqlite3.Connection) -> bool:
        version, built_at = index.meta(connection, "version"), index.meta(connection, "built_at")
        if version is None or built_at is None:
            return False
        if getattr(self.store, "path", None) is None:
            return time.time() - float(built_at) < self.max_age
        return version == self._version()

    # --- writing ------------------------------------------------------------------------------

    def rebuild(self) -> int:
        """Build the whole file from the public graphs, in one transaction; return the
        number of entities listed.

        :raises StoreError: the store cannot be read (the previous file is kept).
        """
        with self._locked():
            return self._rebuild_locked()

    def _rebuild_locked(self) -> int:
        version = self._version()  # read first: a write during the read makes the file stale
        context, facts = records.read_all(self.store)
        built = [r for r in (records.build(iri, values, context) for iri, values in facts.items()) if r]
        _complete(self.store, context, built)
        return index.write_all(self._connection(), context, built, version=version)

    def refresh(self, entities: Iterable) -> None:
        """Read ``entities`` again from the public graphs and replace their rows, in one
        transaction; rows of entities no longer public, or deleted, go away.

        Does nothing if the file was never built (its first reader builds it whole).
        """
        iris = sorted({e.value if isinstance(e, ox.NamedNode) else str(e) for e in entities
                       if isinstance(e, (ox.NamedNode, str))})
        if not iris or not self.path.exists():
            return
        with self._locked():
            connection = self._connection()
            saved = index.meta(connection, "context")
            if saved is None:
                return
            if len(iris) >= REBUILD_FROM:
                self._rebuild_locked()
                return
            context = records.Context.from_json(json.loads(saved))
            relocate = False
            if any(kind_of(i) in records.CONTEXT_KINDS or i in context.labels for i in iris):
                fresh = records.read_context(self.store)
                if fresh.shape() != context.shape():  # a hierarchy changed: facets of many entities
                    self._rebuild_locked()
                    return
                relocate = fresh.centroids != context.centroids
                context = fresh
            facts = records.read_some(self.store, iris)
            built = [r for r in (records.build(i, facts[i], context) for i in iris if i in facts) if r]
            _complete(self.store, context, built)
            version = index.meta(connection, "version") if getattr(self.store, "path", None) is None \
                else self._version()
            index.write_some(connection, context, iris, built, version=version or "",
                             relocate=relocate)

    @contextmanager
    def _locked(self):
        """One writer at a time, across threads (a lock) and processes (flock)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _guard:
            lock = _thread_locks.setdefault(self.path, threading.Lock())
        with lock, open(self.path.with_name(self.path.name + ".lock"), "wb") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _complete(store, context: records.Context, built: list) -> None:
    """Read the labels of facet values the context does not know yet (a theme without parent
    or child, a commune without ``osc:partOf``)."""
    missing = {v for r in built for values in r.facets.values() for v in values} - set(context.labels)
    missing |= {r.commune for r in built if r.commune and r.commune not in context.labels}
    if missing:
        records._add_term_details(store, context, missing, records._public(store))
