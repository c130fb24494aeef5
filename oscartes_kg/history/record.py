"""Writing the history: the changeset of a change (``record``) or of a file load (``start_load``)."""
from __future__ import annotations

import gzip
import os
import secrets
import shutil
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..durable import fsync_directory
from ..errors import Forbidden, OscartesError
from .model import (
    ADDED_COUNT, ADDED_FILE, ADDED_QUADS, ASSOCIATED, CHANGED, CHANGED_GRAPH, CHANGESET, CHANNEL,
    ENDED, FOLDER, HISTORY, INLINE_LIMIT, NO_DELTA, RDF_TYPE, RDFS_COMMENT, REMOVED_COUNT,
    REMOVED_FILE, REMOVED_QUADS, REVERTS, DATETIME, INTEGER, agent_iri, new_id, changeset_iri,
)

# --- writing -------------------------------------------------------------------------------

def guard(targets: Iterable) -> None:
    """Refuse a change through ``changes.apply`` that would write the history graph.

    :raises Forbidden: the history is append-only and written only by this module.
    """
    if HISTORY in set(targets):
        raise Forbidden("l'historique ne s'écrit pas directement : il enregistre chaque écriture "
                        "et rien ne s'y perd / the history graph is not written directly: it "
                        f"records every write, and nothing in it is ever lost ({HISTORY.value})",
                        entity=HISTORY.value, rule="history")


@dataclass
class Recording:
    """A changeset ready to be written with its change: ``quads`` go in the same store write.

    ``discard()`` removes a delta file already written when the store write then fails.
    """

    quads: list = field(default_factory=list)
    files: list = field(default_factory=list)
    id: str | None = None

    def discard(self) -> None:
        for path in self.files:
            Path(path).unlink(missing_ok=True)


def record(store, removed: Sequence[ox.Quad], added: Sequence[ox.Quad], *, author=None,
           message: str | None = None, channel: str = "update", reverts: str | None = None,
           exact: bool = False) -> Recording:
    """Prepare the changeset of a write that removes ``removed`` and adds ``added``.

    Only quads the write really changes are kept (``exact`` says the caller already knows them
    all to be stored / absent). A large delta file is written and fsynced here, before the
    store write; nothing else is written: the caller puts ``Recording.quads`` in its own store
    write. An empty change gives an empty recording.

    >>> from oscartes_kg.store import open_store
    >>> store = open_store()
    >>> from oscartes_kg import graphs
    >>> q = ox.Quad(ox.NamedNode("https://w3id.org/oscartes/id/event/e"),
    ...             ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("Fête"),
    ...             graphs.CONTRIBUTIONS)
    >>> recording = record(store, [], [q], author="cli", channel="load")
    >>> _ = store.insert(recording.quads + [q])
    >>> from oscartes_kg.history import for_entity
    >>> [c.author for c in for_entity(store, "https://w3id.org/oscartes/id/event/e")]
    ['https://w3id.org/oscartes/id/agent/cli']
    """
    if not exact:
        removed = [q for q in dict.fromkeys(removed) if _stored(store, q)]
        added = [q for q in dict.fromkeys(added) if not _stored(store, q)]
    if not removed and not added:
        return Recording()
    changed = _owners(store, list(removed) + list(added))
    touched = {q.graph_name for q in (*removed, *added) if isinstance(q.graph_name, ox.NamedNode)}
    return _describe(store, removed, added, author=author, message=message, channel=channel,
                     reverts=reverts, changed=changed, touched=touched)


def _describe(store, removed, added, *, author, message, channel, reverts, changed, touched,
              added_file: Path | None = None, added_count: int | None = None) -> Recording:
    """The description quads, with the delta inline or in files. ``added_file`` is a delta file
    written already (a bulk load's, holding ``added_count`` quads); it is renamed to its id."""
    changeset_id, when = new_id()
    node = changeset_iri(changeset_id)
    added_count = len(added) if added_count is None else added_count
    quads = [(RDF_TYPE, CHANGESET), (ENDED, ox.Literal(when, datatype=DATETIME)),
             (CHANNEL, ox.Literal(channel)),
             (ADDED_COUNT, ox.Literal(str(added_count), datatype=INTEGER)),
             (REMOVED_COUNT, ox.Literal(str(len(removed)), datatype=INTEGER))]
    agent = agent_iri(author)
    if agent is not None:
        quads.append((ASSOCIATED, agent))
    if message:
        quads.append((RDFS_COMMENT, ox.Literal(message)))
    if reverts:
        quads.append((REVERTS, changeset_iri(reverts)))
    quads += [(CHANGED_GRAPH, g) for g in sorted(touched, key=lambda g: g.value)]
    recording = Recording(id=changeset_id)
    if channel not in NO_DELTA:
        quads += [(CHANGED, e) for e in sorted(changed, key=lambda e: e.value)]
        folder = _folder(store)
        for quads_of, inline, in_file, suffix in ((added, ADDED_QUADS, ADDED_FILE, "added"),
                                                  (removed, REMOVED_QUADS, REMOVED_FILE, "removed")):
            if suffix == "added" and added_file is not None:
                final = folder / f"{changeset_id}.added.nq.gz"
                os.replace(added_file, final)
                fsync_directory(folder)
                recording.files.append(final)
                quads.append((in_file, ox.Literal(f"{FOLDER}/{final.name}")))
            elif not quads_of:
                continue
            elif len(quads_of) <= INLINE_LIMIT or folder is None:
                quads.append((inline, ox.Literal(_text(quads_of))))
            else:
                path = folder / f"{changeset_id}.{suffix}.nq.gz"
                _write_gzip(path, quads_of)
                recording.files.append(path)
                quads.append((in_file, ox.Literal(f"{FOLDER}/{path.name}")))
    recording.quads = [ox.Quad(node, p, o, HISTORY) for p, o in quads]
    return recording


class PendingLoad:
    """The changeset of a file load, prepared while the load validates (see :func:`start_load`)."""

    def __init__(self, store, staging: ox.Store, author, message, channel):
        self.store, self.staging = store, staging
        self.author, self.message, self.channel = author, message, channel
        self.skip = staging.contains_named_graph(HISTORY) or len(staging) == 0
        self.existing = set(store.graphs())
        self.graphs = {g for g in staging.named_graphs() if isinstance(g, ox.NamedNode)}
        self.added: list | None = None
        self.thread: threading.Thread | None = None
        self.raw: Path | None = None
        self.error: BaseException | None = None
        if self.skip:
            return
        self.count = len(staging)  # before validation adds the stored context to it
        folder = _folder(store)
        if folder is not None and not (self.graphs & self.existing) and len(staging) > INLINE_LIMIT:
            self._dump_in_background(folder)
        else:  # now, before validation adds the stored context to ``staging``
            self.added = [q for q in staging if q.graph_name not in self.existing
                          or not _stored(store, q)]

    def _dump_in_background(self, folder: Path) -> None:
        """Every staged quad is new (all its graphs are): dump them to a gzip file in a thread."""
        self.raw = folder / f".pending-{secrets.token_hex(6)}.nq"

        def work():
            try:
                self.staging.dump(str(self.raw), ox.RdfFormat.N_QUADS)
                with open(self.raw, "rb") as source, open(self.raw.with_suffix(".nq.gz"), "wb") as out:
                    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=1, mtime=0) as packed:
                        shutil.copyfileobj(source, packed, 1 << 22)
                    out.flush()
                    os.fsync(out.fileno())
            except BaseException as error:  # reported by finish()
                self.error = error
            finally:
                self.raw.unlink(missing_ok=True)

        self.thread = threading.Thread(target=work, name="history-delta", daemon=True)
        self.thread.start()
        # the dump reads a snapshot once it has started writing: wait for that, so that the
        # stored context validation adds to ``staging`` is never part of it
        while self.thread.is_alive() and not (self.raw.exists() and self.raw.stat().st_size):
            time.sleep(0.001)

    def finish(self, entities: Iterable) -> Recording:
        """Wait for the delta file and return the changeset quads (add them to ``staging``)."""
        if self.skip:
            return Recording()
        if self.thread is not None:
            self.thread.join()
            packed = self.raw.with_suffix(".nq.gz")
            if self.error is not None:
                packed.unlink(missing_ok=True)
                raise OscartesError(f"historique : écriture du delta impossible / history: could "
                                    f"not write the delta ({self.error})", rule="history")
            return _describe(self.store, [], [], author=self.author, message=self.message,
                             channel=self.channel, reverts=None, changed=set(entities),
                             touched=self.graphs, added_file=packed, added_count=self.count)
        if not self.added:
            return Recording()
        return _describe(self.store, [], self.added, author=self.author, message=self.message,
                         channel=self.channel, reverts=None,
                         changed=_owners(self.store, self.added, set(entities)),
                         touched={q.graph_name for q in self.added})

    def discard(self) -> None:
        """The load was refused: drop the delta being written."""
        if self.thread is not None:
            self.thread.join()
            self.raw.with_suffix(".nq.gz").unlink(missing_ok=True)


def start_load(store, staging: ox.Store, *, author=None, message: str | None = None,
               channel: str = "load") -> PendingLoad:
    """Start recording a load of ``staging`` (call before validating it; see ``ingest.load``)."""
    return PendingLoad(store, staging, author, message, channel)


def _stored(store, quad: ox.Quad) -> bool:
    return any(True for _ in store.quads(quad.subject, quad.predicate, quad.object, quad.graph_name))


def _owners(store, quads: Sequence[ox.Quad], known: set | None = None) -> set:
    """The entities (IRIs) a delta writes about: its IRI subjects, and for a blank-node subject
    the IRI it hangs from (in the delta, else in the store), up to three levels."""
    owners = set(known) if known is not None else {q.subject for q in quads
                                                   if isinstance(q.subject, ox.NamedNode)}
    blanks = {q.subject for q in quads if isinstance(q.subject, ox.BlankNode)}
    parents = {}
    for q in quads:
        if isinstance(q.object, ox.BlankNode):
            parents.setdefault(q.object, set()).add(q.subject)
    for blank in blanks:
        frontier = {blank}
        for _ in range(3):
            found = set()
            for node in frontier:
                found |= parents.get(node) or {q.subject for q in store.quads(None, None, node, None)}
            owners |= {n for n in found if isinstance(n, ox.NamedNode)}
            frontier = {n for n in found if isinstance(n, ox.BlankNode)}
            if not frontier:
                break
    return owners


def _folder(store) -> Path | None:
    """``DATA/history`` of an embedded store on disk (created), else None."""
    path = getattr(store, "path", None)
    if path is None:
        return None
    folder = Path(path) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _text(quads: Iterable[ox.Quad]) -> str:
    return ox.serialize(quads, None, ox.RdfFormat.N_QUADS).decode("utf-8")


def _write_gzip(path: Path, quads: Iterable[ox.Quad]) -> None:
    """Write N-Quads to ``path`` gzip-compressed, atomically and durably."""
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as out:
        with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=1, mtime=0) as packed:
            ox.serialize(quads, packed, ox.RdfFormat.N_QUADS)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    fsync_directory(path.parent)



