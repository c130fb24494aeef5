"""One store API over two backends: pyoxigraph on disk ("embedded") and a SPARQL server ("remote").

Terms are pyoxigraph terms on both backends, and so are a query's rows (``QuerySolution``),
triples and booleans (``QueryBoolean``), so callers never see which backend answers. Callers use
:func:`open_store`; they never import a backend module directly.

``Store.query`` reads a SELECT or CONSTRUCT to the end inside the call and returns
:class:`Solutions` or :class:`Triples`, never pyoxigraph's lazy ``QuerySolutions``/``QueryTriples``
(nor ``quads()`` its ``QuadIter``). Those are PyO3 "unsendable" objects: freed on another thread
than the one that made them, they leak (their RocksDB snapshot stays pinned) and raise
"PyQuerySolutions is unsendable, but is being dropped on another thread". That happens without
any thread handing them over: rdflib's SPARQL parser (pyparsing) keeps exceptions whose
tracebacks hold every frame up the stack, so a frame holding a lazy result ends up in a
reference cycle, and the garbage collector frees the cycle on whichever thread allocates next (a
server thread, a query-pool thread). A few callers must stream (the SPARQL endpoint's query
pool, the public dumps): they ask ``lazy=True``, read the result to the end and drop it in one
function on their own thread.
"""
from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO, Protocol, Union, runtime_checkable

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Triple

from oscartes_kg.errors import QueryError
from oscartes_kg.store.results import LazyResult, QueryResult, Solutions, Triples, materialize

__all__ = ["Store", "open_store", "BACKENDS", "Term", "QueryResult", "LazyResult", "Solutions",
           "Triples", "materialize"]

Term = Union[NamedNode, BlankNode, Literal]

#: Backend name -> "module:class", imported on first use (rdflib's plugin registry, Skosmos's
#: getSparqlImplementation): adding a backend is one line here.
BACKENDS: dict[str, str] = {
    "embedded": "oscartes_kg.store.embedded:EmbeddedStore",
    "remote": "oscartes_kg.store.remote:RemoteStore",
}


@runtime_checkable
class Store(Protocol):
    """What the rest of oscartes-kg may ask of a store; both backends give the same answers."""

    backend: str

    def query(self, sparql: str, *, substitutions: Mapping[str, Term] | None = None,
              default_graph: Sequence[NamedNode] | None = None,
              named_graphs: Sequence[NamedNode] | None = None,
              union_default_graph: bool = False, lazy: bool = False) -> QueryResult | LazyResult:
        """Run a SPARQL query; values in ``substitutions`` are bound, never formatted into text.

        A SELECT gives :class:`Solutions`, a CONSTRUCT or DESCRIBE :class:`Triples`, both read
        to the end inside the call, and an ASK pyoxigraph's ``QueryBoolean``: objects any thread
        may free. pyoxigraph's lazy results may only be freed on the thread that made them, and
        one caught in a reference cycle (rdflib's SPARQL parser keeps tracebacks that hold
        every frame up the stack) is freed by the garbage collector on any thread: a leak and
        an "unsendable" RuntimeError. ``lazy=True`` returns pyoxigraph's own lazy results on
        the embedded store (the same as without it on the remote one), for a caller that
        streams many rows and reads them to the end and drops them within one function.

        When ``default_graph`` or ``named_graphs`` is given the dataset is exactly these graphs
        (SPARQL 1.1 Protocol, section 2.1.4): a graph not listed is invisible, also to ``GRAPH ?g``.
        ``union_default_graph`` makes the default graph the union of every graph, private ones
        included (for validation and operators, never for public routes); it is much faster
        than listing the graphs on the embedded store.

        :raises QueryError: the query is malformed (the message has the parser's text) or
            failed while its rows were read (a failing ``SERVICE``).
        :raises StoreError: the store cannot be read.
        """

    def update(self, sparql: str) -> None:
        """Run a SPARQL update, all or nothing.

        :raises QueryError: the update is malformed.
        :raises StoreError: the store cannot be written; nothing was changed.
        """

    def insert(self, quads: Iterable[Quad]) -> int:
        """Add quads all or nothing and return how many were given.

        :raises StoreError: the store cannot be written; nothing was added.
        """

    def apply(self, removed: Iterable[Quad], added: Iterable[Quad],
              dropped: Iterable[NamedNode] = ()) -> None:
        """Remove ``removed``, drop the (then empty) graphs ``dropped``, then add ``added``, in
        one all-or-nothing write.

        Blank nodes are kept as they are on the embedded store. A server cannot be told which
        stored blank node is meant, so the remote backend refuses to remove one, and a blank
        node it adds becomes a new one (the same one for every quad naming it).

        :raises QueryError: a blank node to remove on a remote store.
        :raises StoreError: the store cannot be written; nothing was changed.
        """

    def quads(self, subject: NamedNode | BlankNode | None = None,
              predicate: NamedNode | None = None, object: Term | None = None,
              graph: NamedNode | BlankNode | DefaultGraph | None = None, *,
              lazy: bool = False) -> Iterator[Quad]:
        """Iterate over the quads matching a pattern (None matches anything, in any graph),
        read to the end inside the call (an iterator over a list, which any thread may free);
        ``lazy=True`` streams them on the embedded store, for a caller that reads them to the
        end and drops them within one function (see ``query``)."""

    def outgoing(self, nodes: Iterable[NamedNode | BlankNode]) -> list[Quad]:
        """Return every quad whose subject is one of ``nodes``, in any graph."""

    def graphs(self) -> list[NamedNode]:
        """Return the named graphs, sorted by IRI."""

    def count(self, graph: NamedNode | None = None) -> int:
        """Count the quads of one graph, or of the whole store when ``graph`` is None."""

    def remove_graph(self, graph: NamedNode) -> None:
        """Drop a named graph and its quads (no error if it does not exist)."""

    def replace_graph(self, graph: NamedNode, quads: Iterable[Quad | Triple]) -> None:
        """Make ``graph`` hold exactly ``quads`` (their own graph name is ignored), atomically."""

    def dump(self, output: BinaryIO, format: RdfFormat) -> None:
        """Write the store: every graph for N-Quads, TriG and JSON-LD; the union of all graphs
        for formats without named graphs (Turtle, N-Triples, RDF/XML)."""

    def flush(self) -> None:
        """Make every write durable on disk (or on the server)."""

    def close(self) -> None:
        """Flush and release the store; the object cannot be used afterwards."""

    def __enter__(self) -> Store:
        """Use the store in a ``with`` block that closes it."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the store at the end of the ``with`` block."""
        self.close()


def open_store(*, data: Path | None = None, remote_url: str | None = None,
               remote_update_url: str | None = None, remote_store_url: str | None = None,
               read_only: bool = False, timeout: float = 30.0) -> Store:
    """Open the remote store when ``remote_url`` is given, else the embedded store in ``data``.

    ``data=None`` without ``remote_url`` gives an in-memory store (nothing is written to disk).

    :raises StoreLocked: another process already has the embedded store open.
    :raises StoreError: the store cannot be opened.

    >>> import tempfile
    >>> from pyoxigraph import NamedNode, Literal, Quad
    >>> with tempfile.TemporaryDirectory() as tmp, open_store(data=Path(tmp)) as store:
    ...     store.insert([Quad(NamedNode("http://example.org/a"), NamedNode("http://example.org/p"),
    ...                        Literal("1"), NamedNode("http://example.org/g"))])
    ...     store.backend, store.count(), store.graphs()
    1
    ('embedded', 1, [<NamedNode value=http://example.org/g>])
    """
    if remote_url:
        return _backend("remote")(remote_url, update_url=remote_update_url,
                                  store_url=remote_store_url, timeout=timeout, read_only=read_only)
    return _backend("embedded")(data, read_only=read_only)


def _backend(name: str) -> type:
    """Import and return the backend class registered under ``name``."""
    module_name, class_name = BACKENDS[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)


# --- SPARQL parser messages, in words a person can act on ---------------------------------

_PARSER_ERROR = re.compile(r"error at (\d+):(\d+): (.*)", re.S)


def syntax_message(message: str, sparql: str) -> str:
    """Rewrite Oxigraph's "error at L:C: expected one of ..." into French and English, naming
    the line and column, the unknown prefix when that is the fault, and a short expectation.

    >>> print(syntax_message("error at 1:32: expected one of Prefix not found, [':']",
    ...                      "SELECT ?s WHERE { ?s nope:thing ?o }"))
    préfixe inconnu « nope: » (ligne 1, colonne 32) : déclarez-le avec PREFIX nope: <...> / unknown prefix 'nope:' at line 1, column 32: declare it with PREFIX
    >>> print(syntax_message("error at 1:10: expected CONSTRUCT", "SELEC * {}"))
    erreur de syntaxe SPARQL ligne 1, colonne 10 : expected CONSTRUCT / SPARQL syntax error at line 1, column 10
    """
    match = _PARSER_ERROR.search(message)
    if not match:
        return message
    line, column, detail = int(match[1]), int(match[2]), " ".join(match[3].split())
    if "Prefix not found" in detail:
        lines = sparql.splitlines() or [""]
        before = lines[min(line, len(lines)) - 1][:max(column - 1, 0)]
        found = re.search(r"([A-Za-z][\w.-]*)?:[^\s:]*$", before)
        prefix = (found[1] or "") if found else ""
        return (f"préfixe inconnu « {prefix}: » (ligne {line}, colonne {column}) : déclarez-le avec "
                f"PREFIX {prefix}: <...> / unknown prefix '{prefix}:' at line {line}, column "
                f"{column}: declare it with PREFIX")
    if len(detail) > 160:
        detail = detail[:160].rsplit(",", 1)[0] + ", …"
    return (f"erreur de syntaxe SPARQL ligne {line}, colonne {column} : {detail} / SPARQL syntax "
            f"error at line {line}, column {column}")


# --- SPARQL text written from pyoxigraph terms (shared by both backends) --------------------
# Terms are written with str(term), pyoxigraph's N-Triples serialization, which escapes quotes,
# newlines and backslashes: user text is never formatted into SPARQL by hand.

def sparql_term(term: object) -> str:
    r"""Write an IRI, literal or blank node in SPARQL/N-Triples syntax.

    >>> print(sparql_term(Literal('say "hi" }\n', language="en")))
    "say \"hi\" }\n"@en
    """
    if not isinstance(term, (NamedNode, Literal, BlankNode)):
        raise QueryError(f"Cannot write {term!r} in SPARQL: an IRI, literal or blank node was expected")
    return str(term)


def values_clause(substitutions: Mapping[str, Term]) -> str:
    """Write ``VALUES (?a ?b) { (term term) }`` binding each variable to its term.

    >>> values_clause({"name": Literal("Brin de Terre"), "?org": NamedNode("http://example.org/o")})
    'VALUES (?name ?org) { ("Brin de Terre" <http://example.org/o>) }'
    """
    names, terms = [], []
    for name, term in substitutions.items():
        if isinstance(term, BlankNode):  # SPARQL's DataBlockValue has no blank nodes (section 19.8)
            raise QueryError(f"Cannot bind ?{name} to a blank node on a remote store")
        names.append("?" + name.lstrip("?$"))
        terms.append(sparql_term(term))
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


def triple_text(quad: Quad | Triple) -> str:
    """Write the subject, predicate and object of a quad or triple as one triple line."""
    if not isinstance(quad, (Quad, Triple)):
        raise TypeError(f"Expected pyoxigraph Quads or Triples, not {type(quad).__name__}")
    return f"{sparql_term(quad.subject)} {sparql_term(quad.predicate)} {sparql_term(quad.object)} ."


def insert_data(quads: Iterable[Quad | Triple], graph: NamedNode | None = None) -> tuple[str, int]:
    """Write ``INSERT DATA`` for ``quads`` (all put in ``graph`` when given) and count them.

    >>> text, n = insert_data([Quad(NamedNode("http://e/s"), NamedNode("http://e/p"), Literal("x"),
    ...                             NamedNode("http://e/g"))])
    >>> print(text)
    INSERT DATA {
    GRAPH <http://e/g> {
    <http://e/s> <http://e/p> "x" .
    }
    }
    """
    groups: dict[str, list[str]] = {}
    count = 0
    for quad in quads:
        target = graph if graph is not None else getattr(quad, "graph_name", DefaultGraph())
        key = "" if isinstance(target, DefaultGraph) else sparql_term(target)
        groups.setdefault(key, []).append(triple_text(quad))
        count += 1
    parts = ["INSERT DATA {"]
    for key, lines in groups.items():
        parts.extend([f"GRAPH {key} {{", *lines, "}"] if key else lines)
    parts.append("}")
    return "\n".join(parts), count


def data_update(removed: Iterable[Quad], added: Iterable[Quad],
                dropped: Iterable[NamedNode] = ()) -> str:
    """Write one update, ``DELETE DATA`` then ``INSERT DATA``, that applies a change.

    >>> q = Quad(NamedNode("http://e/s"), NamedNode("http://e/p"), Literal("x"), NamedNode("http://e/g"))
    >>> print(data_update([q], []))
    DELETE DATA {
    GRAPH <http://e/g> {
    <http://e/s> <http://e/p> "x" .
    }
    }
    """
    parts = []
    removed_text, removed_count = insert_data(removed)
    if removed_count:
        parts.append("DELETE" + removed_text.removeprefix("INSERT"))
    parts.extend(f"DROP SILENT GRAPH {sparql_term(graph)}" for graph in dropped)
    added_text, added_count = insert_data(added)
    if added_count:
        parts.append(added_text)
    return " ;\n".join(parts)


def replace_graph_update(graph: NamedNode, quads: Iterable[Quad | Triple]) -> str:
    """Write one update that empties ``graph`` then fills it with ``quads`` (atomic on the server)."""
    text, _ = insert_data(quads, graph)
    return f"DROP SILENT GRAPH {sparql_term(graph)} ;\n{text}"
