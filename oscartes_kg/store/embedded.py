"""The embedded backend: pyoxigraph's RocksDB store in ``DIR/oxigraph/``, with a journal for bulk loads.

Large inserts use pyoxigraph's ``bulk_extend``, which is not transactional (PITFALLS.md: about
6x faster than a transaction). To keep "all or nothing", a journal written and fsynced before the
load lists what the load adds (``DIR/pending-load.nq``: quads not yet in the store;
``DIR/pending-load.graphs``: graphs that did not exist). The journal is deleted once the load is
flushed; if it is still there when the store is opened, the load was interrupted and is undone.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from pyoxigraph import (
    BlankNode, DefaultGraph, NamedNode, Quad, RdfFormat, Triple, Variable, parse, serialize,
)
from pyoxigraph import Store as OxigraphStore

from oscartes_kg.durable import fsync_directory
from oscartes_kg.errors import QueryError, StoreError, StoreLocked
from oscartes_kg.store import (
    LazyResult, QueryResult, Store, Term, data_update, materialize, replace_graph_update,
    sparql_term, syntax_message,
)

__all__ = ["EmbeddedStore", "BULK_THRESHOLD", "JOURNAL_QUADS", "JOURNAL_GRAPHS"]

#: From this many quads on, insert() bulk-loads under a journal instead of one transaction.
BULK_THRESHOLD = 200_000
JOURNAL_QUADS = "pending-load.nq"
JOURNAL_GRAPHS = "pending-load.graphs"
# The graphs journal is N-Quads too, one "<journal> <graph> G ." line per new graph, so that the
# real parser reads it back (no hand-written term syntax).
_JOURNAL = NamedNode("urn:oscartes-kg:pending-load")
_JOURNAL_GRAPH = NamedNode("urn:oscartes-kg:pending-load#graph")

LOCKED_MESSAGE = (
    "La base de données {dir} est déjà ouverte par un autre programme (par exemple "
    "`oscartes-kg serve`). Arrêtez-le puis réessayez. / The store {dir} is already open in "
    "another process (for example `oscartes-kg serve`). Stop it and try again."
    " — Si le serveur doit continuer, passez par un serveur SPARQL avec `--remote URL`. / "
    "If the server must keep running, keep the data on a SPARQL server and use `--remote URL`."
)
READ_ONLY_MESSAGE = (
    "La base de données {dir} est ouverte en lecture seule. / The store {dir} is open read-only."
)


class EmbeddedStore(Store):
    """pyoxigraph on disk (``path/oxigraph``), or in memory when ``path`` is None.

    >>> store = EmbeddedStore(None)
    >>> store.update('INSERT DATA { GRAPH <http://e/g> { <http://e/s> <http://e/p> "1" } }')
    >>> bool(store.query("ASK { GRAPH ?g { ?s ?p ?o } }"))
    True
    """

    backend = "embedded"

    def __init__(self, path: Path | None, read_only: bool = False,
                 bulk_threshold: int = BULK_THRESHOLD):
        """Open (creating if needed) the store in ``path``; undo an interrupted bulk load.

        :raises StoreLocked: another process has this store open.
        :raises StoreError: the directory cannot be used, or it is read-only with a load to undo.
        """
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        self.bulk_threshold = bulk_threshold
        self._graphs: list[NamedNode] | None = None  # the listing of a read-only store
        self._store: OxigraphStore | None = self._open()
        if self.path is not None:
            self._recover()

    def __repr__(self) -> str:
        """Name the backend and directory."""
        return f"<EmbeddedStore {self.path or 'in memory'}>"

    # --- opening and errors -------------------------------------------------------------------

    def _open(self) -> OxigraphStore:
        """Open pyoxigraph's store, translating its lock and I/O errors."""
        if self.path is None:
            return OxigraphStore()
        location = self.path / "oxigraph"
        try:
            if self.read_only:
                return OxigraphStore.read_only(str(location))
            self.path.mkdir(parents=True, exist_ok=True)
            return OxigraphStore(str(location))
        except OSError as error:
            # RocksDB reports "While lock file: DIR/LOCK: Resource temporarily unavailable"
            # (another process) or "lock hold by current process" (this one).
            if "lock" in str(error).lower():
                raise StoreLocked(LOCKED_MESSAGE.format(dir=self.path)) from error
            raise StoreError(f"Cannot open the store in {self.path}: {error}") from error

    @contextmanager
    def _translated(self, refused: type[Exception] = StoreError):
        """Turn pyoxigraph's SyntaxError into QueryError, OSError into StoreError, and its
        RuntimeError (a query it refuses, an update that fails midway) into ``refused``."""
        try:
            yield
        except SyntaxError as error:
            raise QueryError(str(error.msg or error)) from error
        except RuntimeError as error:
            raise refused(f"Store {self.path or 'in memory'}: {error}") from error
        except OSError as error:
            raise StoreError(f"Store {self.path or 'in memory'}: {error}") from error

    @property
    def _db(self) -> OxigraphStore:
        """The open pyoxigraph store (StoreError once closed)."""
        if self._store is None:
            raise StoreError(f"The store {self.path} is closed")
        return self._store

    def _writable(self) -> OxigraphStore:
        """The pyoxigraph store, or StoreError if it was opened read-only."""
        if self.read_only:
            raise StoreError(READ_ONLY_MESSAGE.format(dir=self.path))
        return self._db

    # --- reading --------------------------------------------------------------------------------

    def query(self, sparql: str, *, substitutions: Mapping[str, Term] | None = None,
              default_graph: Sequence[NamedNode] | None = None,
              named_graphs: Sequence[NamedNode] | None = None,
              union_default_graph: bool = False, lazy: bool = False) -> QueryResult | LazyResult:
        """Run a SPARQL query with pyoxigraph (substitutions follow SEP-0007), and read its
        results to the end here (``lazy=True``: pyoxigraph's own lazy results; see ``Store``).

        Unlike pyoxigraph, giving only ``default_graph`` hides every named graph too (SPARQL
        1.1 Protocol semantics, same as the remote backend): nothing unlisted is reachable.
        In a SELECT, a substituted variable must be projected (pyoxigraph's rule; keep it for
        the remote backend too). Lazy results raise pyoxigraph's own errors while they are read.

        :raises QueryError: the query is malformed or refused, or failed while read.
        :raises StoreError: the store cannot be read.
        """
        options: dict = {}
        if substitutions:
            options["substitutions"] = {Variable(name.lstrip("?$")): term
                                        for name, term in substitutions.items()}
        if union_default_graph:
            options["use_default_graph_as_union"] = True
        elif default_graph is not None or named_graphs is not None:
            options["default_graph"] = list(default_graph or [])
            options["named_graphs"] = list(named_graphs or [])
        try:
            with self._translated(refused=QueryError):
                results = self._db.query(sparql, **options)
        except QueryError as error:
            raise QueryError(syntax_message(error.message, sparql), rule="syntax") from None
        if lazy:
            return results
        try:
            with self._translated(refused=QueryError):
                return materialize(results)
        finally:
            del results  # an error's traceback keeps this frame: it must not keep them too

    def quads(self, subject: NamedNode | BlankNode | None = None,
              predicate: NamedNode | None = None, object: Term | None = None,
              graph: NamedNode | BlankNode | DefaultGraph | None = None, *,
              lazy: bool = False) -> Iterator[Quad]:
        """Iterate over the quads matching a pattern (None matches anything, in any graph),
        read to the end here, or pyoxigraph's lazy iterator with ``lazy=True`` (see
        ``Store.quads``)."""
        with self._translated():
            if lazy:
                return self._db.quads_for_pattern(subject, predicate, object, graph)
            return iter(list(self._db.quads_for_pattern(subject, predicate, object, graph)))

    def outgoing(self, nodes: Iterable[NamedNode | BlankNode]) -> list[Quad]:
        """Return every quad whose subject is one of ``nodes``, in any graph."""
        with self._translated():
            return [quad for node in dict.fromkeys(nodes)
                    for quad in self._db.quads_for_pattern(node, None, None, None)]

    def graphs(self) -> list[NamedNode]:
        """Return the named graphs (including empty ones), sorted by IRI.

        A read-only store never changes (pyoxigraph reads a fixed state), so its listing is
        read once: every public query asks for it (0.1 ms at 100k, bench/RESULTS.md).
        """
        if self.read_only and self._graphs is not None:
            return list(self._graphs)
        with self._translated():
            names = sorted((g for g in self._db.named_graphs() if isinstance(g, NamedNode)),
                           key=lambda graph: graph.value)
        if self.read_only:
            self._graphs = names
        return list(names)

    def count(self, graph: NamedNode | None = None) -> int:
        """Count the quads of one graph, or of the whole store."""
        with self._translated():
            if graph is None:
                return len(self._db)
            # no local name for pyoxigraph's lazy results: an error's traceback would keep them
            text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {sparql_term(graph)} {{ ?s ?p ?o }} }}"
            return int(next(self._db.query(text))["n"].value)

    def dump(self, output: BinaryIO, format: RdfFormat) -> None:
        """Write every graph (N-Quads, TriG, JSON-LD) or the union of all graphs (Turtle...)."""
        with self._translated():
            if format.supports_datasets:
                self._db.dump(output, format)
            else:
                self._db.query("CONSTRUCT WHERE { ?s ?p ?o }",
                               use_default_graph_as_union=True).serialize(output, format)

    # --- writing --------------------------------------------------------------------------------

    def update(self, sparql: str) -> None:
        """Run a SPARQL update in one pyoxigraph transaction (all or nothing)."""
        with self._translated():
            self._writable().update(sparql)

    def insert(self, quads: Iterable[Quad] | OxigraphStore) -> int:
        """Add quads all or nothing: one transaction, or a journaled bulk load when many.

        ``quads`` may be an in-memory ``pyoxigraph.Store`` (what ``ingest`` validated): a big
        one then goes to the bulk loader as N-Quads bytes, without a Python object per quad.
        """
        if isinstance(quads, OxigraphStore) and self.path is not None and len(quads) >= self.bulk_threshold:
            return self._bulk_insert_store(quads)
        quads = list(quads)
        store = self._writable()
        for quad in quads:  # fail before writing anything
            if not isinstance(quad, Quad):
                raise TypeError(f"insert() takes pyoxigraph Quads, not {type(quad).__name__}")
        if self.path is None or len(quads) < self.bulk_threshold:
            with self._translated():
                store.extend(quads)
        else:
            self._bulk_insert(quads)
        return len(quads)

    def apply(self, removed: Iterable[Quad], added: Iterable[Quad],
              dropped: Iterable[NamedNode] = ()) -> None:
        """Remove then add quads in ONE pyoxigraph update, hence one transaction.

        Without blank nodes the update is plain ``DELETE DATA``/``INSERT DATA`` text. SPARQL
        text cannot name a stored blank node, so with blank nodes the quads are handed to the
        update by a Python function called from ``BIND`` (pyoxigraph's ``custom_functions``):
        the very same blank nodes are removed and added, still in one transaction.
        """
        removed, added, dropped = list(removed), list(added), list(dropped)
        for quad in removed + added:  # fail before writing anything
            if not isinstance(quad, Quad):
                raise TypeError(f"apply() takes pyoxigraph Quads, not {type(quad).__name__}")
        if not removed and not added and not dropped:
            return
        if not any(isinstance(term, BlankNode) for quad in removed + added for term in quad):
            with self._translated():
                self._writable().update(data_update(removed, added, dropped))
            return
        terms = removed + added
        operations = [_by_function(verb, range(start, start + len(quads)), terms)
                      for verb, start, quads in (("DELETE", 0, removed), ("INSERT", len(removed), added))
                      if quads]
        operations.insert(1, [f"DROP SILENT GRAPH {sparql_term(graph)}" for graph in dropped])
        with self._translated():
            self._writable().update(" ;\n".join(op for ops in operations for op in ops),
                                    custom_functions={_QUAD_TERM: lambda i, k: terms[int(i.value)][int(k.value)]})

    def remove_graph(self, graph: NamedNode) -> None:
        """Drop a named graph and its quads in one transaction (no error if it is absent)."""
        with self._translated():
            self._writable().remove_graph(graph)

    def replace_graph(self, graph: NamedNode, quads: Iterable[Quad | Triple]) -> None:
        """Make ``graph`` hold exactly ``quads`` in one update (blank nodes get new ids)."""
        self.update(replace_graph_update(graph, quads))

    def snapshot(self, target: Path) -> Path:
        """Write a consistent copy of the store into the new folder ``target`` (RocksDB
        checkpoint: hard links where possible, so it takes milliseconds), for read-only servers.

        :raises StoreError: ``target`` exists, or the store is in memory.
        """
        target = Path(target)
        if self.path is None:
            raise StoreError("une base en mémoire n'a pas d'instantané / an in-memory store "
                             "has no snapshot")
        if target.exists():
            raise StoreError(f"{target} existe déjà : choisissez un dossier nouveau / {target} "
                             "already exists: choose a new folder")
        target.mkdir(parents=True)
        with self._translated():
            if not self.read_only:
                self._db.flush()
            self._db.backup(str(target / "oxigraph"))
        return target

    def flush(self) -> None:
        """Write every buffered change to disk."""
        if self._store is not None and not self.read_only:
            with self._translated():
                self._store.flush()

    def close(self) -> None:
        """Flush and release the store (and its RocksDB lock)."""
        self.flush()
        self._store = None

    # --- the bulk-load journal ------------------------------------------------------------------

    def _journal(self, name: str) -> Path:
        """Path of a journal file in the data directory."""
        return self.path / name

    def _bulk_insert(self, quads: list[Quad]) -> None:
        """Bulk-load ``quads`` under a journal; undo the load if it fails."""
        self._write_journal(quads)
        try:
            self._db.bulk_extend(quads)
            self._db.flush()
        except OSError as error:
            self._undo_journal()
            raise StoreError(f"Bulk load into {self.path} failed, nothing was added: {error}") from error
        self._delete_journal()

    def _bulk_insert_store(self, staging: OxigraphStore) -> int:
        """Bulk-load an in-memory store's quads under a journal; undo the load if it fails."""
        existing = set(self._db.named_graphs())
        new_graphs = [g for g in staging.named_graphs() if g not in existing]
        pending = [q for g in staging.named_graphs() if g in existing
                   for q in staging.quads_for_pattern(None, None, None, g) if q not in self._db]
        pending += [q for q in staging.quads_for_pattern(None, None, None, DefaultGraph())
                    if q not in self._db]
        self._write_journal_entries(new_graphs, pending)
        try:
            self._db.bulk_load(staging.dump(format=RdfFormat.N_QUADS), format=RdfFormat.N_QUADS)
            self._db.flush()
        except OSError as error:
            self._undo_journal()
            raise StoreError(f"Bulk load into {self.path} failed, nothing was added: {error}") from error
        self._delete_journal()
        return len(staging)

    def begin_first_load(self, staging: OxigraphStore, graphs: Iterable[NamedNode]) -> "FirstLoad":
        """Start writing ``staging`` into graphs the store does not have yet, in a background
        thread, while the caller validates it; :meth:`FirstLoad.keep` or :meth:`FirstLoad.undo`
        then decides. The journal names every graph in ``graphs`` (those of ``staging`` and any
        the caller adds to later): a refusal, or a process killed before ``keep``, removes them
        all, as for any bulk load.

        Only for a first load (no graph of ``staging`` exists yet): validating reads the store,
        which must not yet hold what is being validated for anything but a fresh store.
        pyoxigraph's bulk loader releases the GIL, so on two cores the write and the validation
        run side by side (bench/RESULTS.md: the 100k load took ~115 s one after the other).
        """
        new = [g for g in dict.fromkeys(graphs) if isinstance(g, NamedNode)]
        existing = set(self._writable().named_graphs())
        clash = [g.value for g in new if g in existing]
        if clash or any(g not in new for g in staging.named_graphs() if isinstance(g, NamedNode)):
            raise StoreError(f"a first load writes new graphs only: {clash or 'unlisted graphs'}")
        self._write_journal_entries(new, [])
        return FirstLoad(self, staging, new)

    def _write_journal(self, quads: list[Quad]) -> None:
        """Record what the load adds: new graphs by name, other quads one by one if absent."""
        existing = set(self._db.named_graphs())
        new_graphs: dict = {}
        pending = []
        for quad in quads:
            graph = quad.graph_name
            if not isinstance(graph, DefaultGraph) and graph not in existing:
                new_graphs[graph] = None
            elif quad not in self._db:
                pending.append(quad)
        self._write_journal_entries(list(new_graphs), pending)

    def _write_journal_entries(self, new_graphs: list, pending: list[Quad]) -> None:
        """Durably record the graphs a load creates and the other quads it adds."""
        _write_durably(self._journal(JOURNAL_GRAPHS),
                       [Quad(_JOURNAL, _JOURNAL_GRAPH, graph) for graph in new_graphs])
        _write_durably(self._journal(JOURNAL_QUADS), pending)
        fsync_directory(self.path)

    def _recover(self) -> None:
        """Undo a bulk load that was interrupted (its journal is still there)."""
        for name in (JOURNAL_GRAPHS, JOURNAL_QUADS):
            self._journal(name + ".tmp").unlink(missing_ok=True)  # the load never started
        if not any(self._journal(name).exists() for name in (JOURNAL_GRAPHS, JOURNAL_QUADS)):
            return
        if self.read_only:
            raise StoreError(
                f"La base de données {self.path} contient un chargement interrompu : ouvrez-la "
                f"en écriture pour l'annuler. / The store {self.path} holds an interrupted load: "
                "open it read-write to undo it.")
        self._undo_journal()

    def _undo_journal(self) -> None:
        """Remove what the journal lists, flush, then delete the journal (safe to repeat)."""
        with self._translated():
            quads_file, graphs_file = self._journal(JOURNAL_QUADS), self._journal(JOURNAL_GRAPHS)
            if quads_file.exists():
                for quad in parse(path=quads_file, format=RdfFormat.N_QUADS):
                    self._db.remove(quad)
            if graphs_file.exists():
                for line in parse(path=graphs_file, format=RdfFormat.N_QUADS):
                    self._db.remove_graph(line.object)
            self._db.flush()
        self._delete_journal()

    def _delete_journal(self) -> None:
        """Delete the journal files once the store no longer depends on them."""
        for name in (JOURNAL_QUADS, JOURNAL_GRAPHS):
            self._journal(name).unlink(missing_ok=True)
        fsync_directory(self.path)


class FirstLoad:
    """A first load being written (see :meth:`EmbeddedStore.begin_first_load`)."""

    def __init__(self, store: EmbeddedStore, staging: OxigraphStore, graphs: list[NamedNode]):
        self.store, self.graphs = store, set(graphs)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._write, args=(staging,), daemon=True,
                                       name="first-load")
        self.thread.start()

    def _write(self, staging: OxigraphStore) -> None:
        # N-Quads bytes to the bulk loader: both steps release the GIL (bulk_extend over the
        # staging store's quads would hold it for each quad, and the validation would wait)
        try:
            self.store._db.bulk_load(staging.dump(format=RdfFormat.N_QUADS), format=RdfFormat.N_QUADS)
        except BaseException as error:  # reported by keep()
            self.error = error

    def keep(self, more: Iterable[Quad] = ()) -> None:
        """Wait for the write, add ``more`` (in the journaled graphs), flush, drop the journal.

        :raises StoreError: the write failed; what it wrote is removed.
        """
        self.thread.join()
        try:
            if self.error is not None:
                raise self.error
            more = list(more)
            outside = {q.graph_name for q in more} - self.graphs
            if outside:
                raise StoreError(f"a first load writes its journaled graphs only, not {outside}")
            self.store._db.bulk_extend(more)
            self.store._db.flush()
        except OSError as error:
            self.store._undo_journal()
            raise StoreError(f"Bulk load into {self.store.path} failed, nothing was added: "
                             f"{error}") from error
        except BaseException:
            self.store._undo_journal()
            raise
        self.store._delete_journal()

    def undo(self) -> None:
        """Wait for the write, then remove everything it wrote (the validation refused it)."""
        self.thread.join()
        self.store._undo_journal()


#: The function an update calls to fetch term ``k`` of quad ``i`` of a change (see ``apply``).
_QUAD_TERM = NamedNode("urn:oscartes-kg:quad-term")
_BIND_QUAD = " ".join(f"BIND(<{_QUAD_TERM.value}>(?i, {k}) AS ?{v})" for k, v in enumerate("spog"))


def _by_function(verb: str, indexes: range, quads: list[Quad]) -> list[str]:
    """``DELETE``/``INSERT`` operations whose solutions are the quads at ``indexes`` (named graphs
    and default graph apart: a template cannot put an unbound ``?g`` in the default graph)."""
    named = [str(i) for i in indexes if not isinstance(quads[i].graph_name, DefaultGraph)]
    default = [str(i) for i in indexes if isinstance(quads[i].graph_name, DefaultGraph)]
    operations = []
    for chosen, template in ((named, "GRAPH ?g { ?s ?p ?o }"), (default, "?s ?p ?o")):
        if chosen:
            operations.append(f"{verb} {{ {template} }} WHERE {{ VALUES ?i {{ {' '.join(chosen)} }} "
                              f"{_BIND_QUAD} }}")
    return operations


def _write_durably(path: Path, quads: list[Quad]) -> None:
    """Write N-Quads to ``path`` atomically (temporary file, fsync, rename)."""
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as output:
        serialize(quads, output, RdfFormat.N_QUADS)
        output.flush()
        os.fsync(output.fileno())
    os.replace(temporary, path)

