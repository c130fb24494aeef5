"""Public dumps (N-Quads gzip, Turtle) and the dataset statistics, kept on disk until data change.

Generating a dump or counting the dataset takes seconds at 100,000 organisations, so each is made
once per version of the data and served from a file. On the embedded store the files live in
``DATA/dumps/`` and the version is a stamp that every write path renews
(:func:`stamp_change`); a remote store has no folder of ours and no write hook, so its files live
in a cache folder and are made again when older than a maximum age. Files are written to a
temporary name and renamed (a reader never sees half a file), under a lock held across threads
and processes (one generation at a time; the others wait, then use its result).

Only public graphs (:func:`oscartes_kg.graphs.is_public`) are ever read here.
"""
from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from . import graphs
from .namespaces import PREFIXES
from .statistics import Statistics, compute

__all__ = ["Dump", "DUMPS", "Cache", "stamp_change", "open_cache", "STAMP", "DEFAULT_MAX_AGE"]

#: The file that holds the current version of the embedded store's data (renewed on each write).
STAMP = "stamp"
#: Seconds a remote store's dumps and statistics are kept when no max age is configured.
DEFAULT_MAX_AGE = 3600.0


log = logging.getLogger("oscartes_kg.dumps")


@dataclass(frozen=True)
class Dump:
    """One public dump: its file name (also its URL's last segment) and media type."""

    name: str
    media_type: str
    write: Callable[[object, list, object], None]


def _write_nquads(store, public: list, output) -> None:
    """Every quad of every public graph, gzip-compressed N-Quads (graph names kept).

    Graphs are streamed (``lazy=True``: millions of quads at 100,000 organisations), and each
    lazy iterator is read to the end and dropped inside one call, on this thread: pyoxigraph's
    may only be freed where they were made (see :mod:`oscartes_kg.store`).
    """
    # Level 6 (gzip's own default) rather than Python's 9: much faster, a few % larger.
    with gzip.GzipFile(fileobj=output, mode="wb", mtime=0, compresslevel=6) as compressed:
        for graph in public:
            ox.serialize(store.quads(graph=graph, lazy=True), compressed, ox.RdfFormat.N_QUADS)


def _write_turtle(store, public: list, output) -> None:
    """The union of the public graphs as one Turtle document, with the project's prefixes.

    The triples are streamed (``lazy=True``), read to the end and dropped inside one call.
    """
    if not public:
        return
    # oscid: is left out: its local names hold slashes, which Turtle would escape (oscid:a\/b).
    prefixes = {name: iri for name, iri in PREFIXES.items() if name != "oscid"}
    # no local name for the lazy triples: an error's traceback (a full disk) would keep them
    ox.serialize(store.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graph=public,
                             named_graphs=public, lazy=True),
                 output, ox.RdfFormat.TURTLE, prefixes=prefixes)


DUMPS: dict[str, Dump] = {
    dump.name: dump for dump in (
        Dump("public.nq.gz", "application/n-quads", _write_nquads),
        Dump("public.ttl", "text/turtle", _write_turtle),
    )
}


def stamp_change(store) -> None:
    """Record that the data of ``store`` changed: its dumps and statistics are made again.

    Write paths call it after each successful write. A store without a folder (remote, or in
    memory) has nowhere to keep a stamp; its files expire by age instead, so this does nothing.

    >>> import tempfile; from pathlib import Path; from oscartes_kg.store import open_store
    >>> with open_store(data=Path(tempfile.mkdtemp())) as store:
    ...     stamp_change(store)
    ...     (store.path / "dumps" / STAMP).is_file()
    True
    """
    path = getattr(store, "path", None)
    if path is None:
        return
    folder = Path(path) / "dumps"
    folder.mkdir(parents=True, exist_ok=True)
    _replace(folder / STAMP, lambda output: output.write(uuid.uuid4().hex.encode()))


def open_cache(store, *, cache_dir: Path | None = None, max_age: float = DEFAULT_MAX_AGE) -> Cache:
    """The dump cache of ``store``: ``DATA/dumps`` on the embedded store, else a folder under
    ``cache_dir`` (default: the system's temporary folder) named after the remote endpoint."""
    path = getattr(store, "path", None)
    if path is not None:
        return Cache(store, Path(path) / "dumps", max_age=None)
    where = Path(cache_dir) if cache_dir else Path(tempfile.gettempdir()) / "oscartes-kg-dumps"
    key = getattr(store, "query_url", None) or f"memory-{id(store)}"
    folder = where / hashlib.sha256(key.encode()).hexdigest()[:16]
    return Cache(store, folder, max_age=max_age)


class Cache:
    """Files made from the public graphs of one store, each tagged with the data version."""

    #: One lock per file within this process (flock alone does not order threads reliably
    #: on every platform); flock orders processes.
    _thread_locks: dict[Path, threading.Lock] = {}
    _guard = threading.Lock()

    def __init__(self, store, folder: Path, *, max_age: float | None):
        """``max_age`` None: files are fresh while the stamp is unchanged (embedded store)."""
        self.store = store
        self.folder = folder
        self.max_age = max_age

    def dump(self, name: str) -> Path:
        """The path of an up-to-date dump ``name`` (a key of :data:`DUMPS`), made if needed."""
        dump = DUMPS[name]
        return self._fresh(name, lambda output: dump.write(self.store, self._public(), output))

    def statistics(self, *, stale_ok: bool = False) -> Statistics:
        """Counts over the public graphs for VoID and the service description, cached.

        ``stale_ok``: when counts from an earlier data version exist, return them at once and
        make the new ones in the background (counting takes about 20 s at 100,000
        organisations: a home page must not wait for it after each change).
        """
        name = "statistics.json"
        make = lambda output: output.write(  # noqa: E731
            json.dumps(compute(self.store, self._public()).to_json()).encode())
        target = self.folder / name
        if stale_ok and target.exists() and not self._is_fresh(name):
            self._refresh_in_background(name, make)
            return Statistics.from_json(json.loads(target.read_bytes()))
        return Statistics.from_json(json.loads(self._fresh(name, make).read_bytes()))

    _refreshing: set = set()

    def _refresh_in_background(self, name: str, write: Callable) -> None:
        """Make ``name`` again in a daemon thread, once at a time per file."""
        key = self.folder / name
        with Cache._guard:
            if key in Cache._refreshing:
                return
            Cache._refreshing.add(key)

        def work() -> None:
            try:
                self._fresh(name, write)
            except Exception:  # logged, and the next request tries again
                log.exception("remaking %s failed", key)
            finally:
                with Cache._guard:
                    Cache._refreshing.discard(key)

        threading.Thread(target=work, name=f"refresh-{name}", daemon=True).start()

    def _public(self) -> list:
        return graphs.public(self.store.graphs())

    def version(self) -> str:
        """The data version files are tagged with: the stamp's text, or "" before any change."""
        try:
            return (self.folder / STAMP).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return ""

    def _is_fresh(self, name: str) -> bool:
        target, tag = self.folder / name, self.folder / (name + ".version")
        try:
            if self.max_age is not None:
                return time.time() - target.stat().st_mtime < self.max_age
            return target.exists() and tag.read_text(encoding="utf-8") == self.version()
        except FileNotFoundError:
            return False

    def _fresh(self, name: str, write: Callable) -> Path:
        """Return ``folder/name``, first making it under the lock if it is missing or stale."""
        target = self.folder / name
        if self._is_fresh(name):
            return target
        with self._locked(name):
            if not self._is_fresh(name):  # another request may have made it while we waited
                version = self.version()  # read before: a change during the write makes it stale
                _replace(target, write)
                _replace(self.folder / (name + ".version"), lambda out: out.write(version.encode()))
        return target

    @contextmanager
    def _locked(self, name: str):
        """Hold the lock of one file: its makers wait for each other, not for other files
        (the counts for /void are not held up by a minute-long dump)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with Cache._guard:
            lock = Cache._thread_locks.setdefault(self.folder / name, threading.Lock())
        with lock, open(self.folder / f".{name}.lock", "wb") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _replace(target: Path, write: Callable) -> None:
    """Write ``target`` through a temporary file in the same folder, then rename it (atomic)."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as output:
            write(output)
            output.flush()
            os.fsync(output.fileno())
            os.fchmod(output.fileno(), 0o644)  # public data: readable like any served file
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
