"""Make deleted data leave the disk, for a GDPR erase (art. 17): a deletion alone does not.

- The embedded store (RocksDB under pyoxigraph) keeps a removed quad's bytes in its write-ahead
  log and SST files until a compaction drops them, and it never removes a string once stored in
  its ``id2str`` table (literals and IRIs longer than 15 bytes: a name, an e-mail address).
  ``Store.optimize()`` (a full compaction) clears the short ones from the SST files but neither
  ``id2str`` nor the log (measured: see ``bench/RESULTS.md``). So :func:`rewrite_store` copies
  every remaining quad into a new store, which never saw the erased ones, and puts it in place
  of the old one. It needs the store closed (it takes RocksDB's lock) and takes about a minute
  at 100,000 organisations.
- The search index (SQLite): FTS5 keeps deleted terms in its index segments until they are
  merged, and freed pages keep their bytes. :func:`vacuum_catalogue` merges the segments
  (FTS5 ``optimize``), rewrites the file (``VACUUM``) and empties the write-ahead log.
"""
from __future__ import annotations

import fcntl
import gc
import os
import shutil
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from .durable import fsync_directory
from .errors import StoreError, StoreLocked

__all__ = ["rewrite_store", "vacuum_catalogue", "STORE_DIR", "REWRITING", "REPLACED"]

STORE_DIR = "oxigraph"
#: The new store while it is being written, and the old one between the two renames.
REWRITING, REPLACED = "oxigraph.rewriting", "oxigraph.replaced"


def rewrite_store(data: Path) -> int:
    """Copy the closed embedded store in ``data`` into a new one and replace it; return the
    number of quads. Blank nodes keep their identifiers (quads are copied as terms, not
    through a text dump that would rename them).

    Safe to run again after an interruption: a half-written copy is discarded, and a swap cut
    between its two renames is completed first.

    :raises StoreLocked: a process (a server) has the store open.
    :raises StoreError: the store cannot be read or the copy cannot be written.
    """
    data = Path(data)
    _finish_interrupted_swap(data)
    old, new = data / STORE_DIR, data / REWRITING
    shutil.rmtree(new, ignore_errors=True)
    try:
        source = ox.Store(str(old))
    except OSError as error:
        if "lock" in str(error).lower():
            raise StoreLocked(f"La base {data} est ouverte par un autre programme : arrêtez-le "
                              f"puis relancez / the store {data} is open in another process: stop "
                              "it and try again") from error
        raise StoreError(f"Cannot open the store in {data}: {error}") from error
    try:
        count = len(source)
        target = ox.Store(str(new))
        target.bulk_extend(source.quads_for_pattern(None, None, None, None))
        target.flush()
        target.optimize()
        if len(target) != count:
            raise StoreError(f"la copie de {data} a {len(target)} quads au lieu de {count} : "
                             "l'ancienne base est gardée / the copy lost quads, the old store is kept")
        del target
    except OSError as error:
        raise StoreError(f"Rewriting the store in {data} failed, it is unchanged: {error}") from error
    finally:
        del source
        gc.collect()  # pyoxigraph releases RocksDB (and its lock) when the object goes
    os.rename(old, data / REPLACED)
    os.rename(new, old)
    fsync_directory(data)
    shutil.rmtree(data / REPLACED)
    return count


def _finish_interrupted_swap(data: Path) -> None:
    """After a crash between the two renames, put the complete copy in place first."""
    replaced, new, old = data / REPLACED, data / REWRITING, data / STORE_DIR
    if replaced.exists() and not old.exists():
        os.rename(new if new.exists() else replaced, old)
    if replaced.exists():
        shutil.rmtree(replaced)


def vacuum_catalogue(path: Path) -> bool:
    """Rewrite the search index file so that deleted rows leave it; False if there is none."""
    path = Path(path)
    if not path.exists():
        return False
    with _catalogue_lock(path):
        connection = sqlite3.connect(str(path), isolation_level=None, timeout=60)
        try:
            connection.execute("PRAGMA secure_delete=ON")
            try:  # merge FTS5 segments: deleted terms go (https://sqlite.org/fts5.html#the_optimize_command)
                connection.execute("INSERT INTO text(text) VALUES('optimize')")
            except sqlite3.OperationalError:  # an index file without the text table (never built)
                pass
            connection.execute("VACUUM")
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
    return True


@contextmanager
def _catalogue_lock(path: Path):
    """The catalogue's writer lock (the same file ``oscartes_kg.catalogue`` locks)."""
    with open(path.with_name(path.name + ".lock"), "wb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

