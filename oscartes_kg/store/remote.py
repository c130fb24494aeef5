"""The remote backend: a SPARQL 1.1 server (Oxigraph, Fuseki...) over the Protocol and the Graph Store Protocol.

Answers are parsed with pyoxigraph and read to the end inside ``query`` (the embedded backend's
:class:`~oscartes_kg.store.Solutions` and :class:`~oscartes_kg.store.Triples`; ``lazy=True``
changes nothing here, the body is already fetched whole). Differences from the embedded backend,
all due to SPARQL itself:

- ``substitutions`` become a trailing ``VALUES`` clause, joined after the WHERE clause (SPARQL
  1.1 section 18.2.4.3) instead of substituted before it (SEP-0007): a substituted variable must
  appear in a triple pattern; one used only in FILTER/BIND, or not grouped by, is not bound there.
  Blank nodes cannot be substituted (SPARQL's VALUES has none).
- Blank nodes cannot be looked up (``quads``/``outgoing`` skip them), and inserted blank nodes get
  new ids from the server.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import BinaryIO

import requests
from pyoxigraph import (
    BlankNode, DefaultGraph, NamedNode, Quad, QueryResultsFormat, RdfFormat, Triple, parse,
    parse_query_results, serialize,
)

from oscartes_kg.errors import QueryError, StoreError
from oscartes_kg.store import (
    QueryResult, Store, Term, Triples, data_update, insert_data, materialize,
    replace_graph_update, sparql_term, syntax_message, values_clause,
)

__all__ = ["RemoteStore", "default_update_url"]

ACCEPT_RESULTS = ("application/sparql-results+json, application/n-triples;q=0.9, "
                  "application/sparql-results+xml;q=0.5, text/turtle;q=0.5")
#: Named as the default graph when a caller gives no graph at all, so that the dataset really is
#: empty: the Protocol cannot say "no default graph" (omitting the parameter means "all").
EMPTY_GRAPH = NamedNode("urn:oscartes-kg:no-graph")
BATCH = 200
ANY_GRAPH = "{{ {triple} }} UNION {{ GRAPH ?g {{ {triple} }} }}"


def default_update_url(query_url: str) -> str:
    """Guess the update endpoint: ``.../query`` becomes ``.../update`` (Oxigraph, Fuseki).

    >>> default_update_url("http://127.0.0.1:7878/query")
    'http://127.0.0.1:7878/update'
    >>> default_update_url("https://example.org/sparql")
    'https://example.org/sparql'
    """
    return query_url[: -len("/query")] + "/update" if query_url.endswith("/query") else query_url


class RemoteStore(Store):
    """A store on a SPARQL server; ``store_url`` (Graph Store Protocol) speeds up dump/replace_graph."""

    backend = "remote"

    def __init__(self, query_url: str, update_url: str | None = None,
                 store_url: str | None = None, timeout: float = 30.0, read_only: bool = False):
        """Remember the endpoints; no request is made until the store is used."""
        self.query_url = query_url
        self.update_url = update_url or default_update_url(query_url)
        self.store_url = store_url
        self.timeout = timeout
        self.read_only = read_only
        self._session = requests.Session()
        self._session.headers["User-Agent"] = "oscartes-kg"

    def __repr__(self) -> str:
        """Name the backend and endpoint."""
        return f"<RemoteStore {self.query_url}>"

    # --- HTTP -----------------------------------------------------------------------------------

    def _request(self, method: str, url: str, **options) -> requests.Response:
        """Send one request; 400 becomes QueryError, any other failure StoreError naming the URL."""
        try:
            response = self._session.request(method, url, timeout=self.timeout, **options)
        except requests.Timeout:
            raise StoreError(f"Le serveur SPARQL {url} n'a pas répondu en {self.timeout:g} s. / "
                             f"The SPARQL server {url} did not answer within {self.timeout:g} s.") from None
        except requests.RequestException as error:
            raise StoreError(f"Le serveur SPARQL {url} est injoignable. / The SPARQL server {url} "
                             f"cannot be reached: {_reason(error)}") from None
        if response.status_code == 400:
            raise QueryError(_excerpt(response.text))
        if not response.ok:
            raise StoreError(f"The SPARQL server {url} answered HTTP {response.status_code}: "
                             f"{_excerpt(response.text)}")
        return response

    def _writable(self) -> None:
        """Refuse writes on a store opened read-only."""
        if self.read_only:
            raise StoreError(f"Le serveur {self.query_url} est ouvert en lecture seule. / "
                             f"The store {self.query_url} is open read-only.")

    # --- reading --------------------------------------------------------------------------------

    def query(self, sparql: str, *, substitutions: Mapping[str, Term] | None = None,
              default_graph: Sequence[NamedNode] | None = None,
              named_graphs: Sequence[NamedNode] | None = None,
              union_default_graph: bool = False, lazy: bool = False) -> QueryResult:
        """Run a query with a SPARQL 1.1 Protocol POST; answers are parsed by pyoxigraph and
        read to the end here, whatever ``lazy`` says (see ``Store.query``).

        :raises QueryError: the server refused the query (its parser's message is kept).
        :raises StoreError: the server cannot be reached or gave a broken answer.
        """
        if substitutions:
            sparql = f"{sparql}\n{values_clause(substitutions)}"
        form = [("query", sparql)]
        if union_default_graph:  # the protocol has no "union": list every graph instead, and
            default_graph = self.graphs()  # keep every graph reachable by GRAPH, as pyoxigraph does
            named_graphs = default_graph if named_graphs is None else named_graphs
        if default_graph is not None or named_graphs is not None:
            form += [("default-graph-uri", graph.value) for graph in default_graph or [EMPTY_GRAPH]]
            form += [("named-graph-uri", graph.value) for graph in named_graphs or []]
        try:
            response = self._request("POST", self.query_url, data=form,
                                     headers={"Accept": ACCEPT_RESULTS})
        except QueryError as error:
            raise QueryError(syntax_message(error.message, sparql), rule="syntax") from None
        return self._results(response)

    def _results(self, response: requests.Response) -> QueryResult:
        """Parse an answer by its content type and read it to the end.

        Reading it here also surfaces a cut body as a StoreError: Oxigraph answers a failing
        SERVICE with HTTP 200 and a cut body (PITFALLS.md).
        """
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        results_format = QueryResultsFormat.from_media_type(media_type) if media_type else None
        rdf_format = RdfFormat.from_media_type(media_type) if media_type else None
        try:
            if results_format is not None:
                # no local name for the lazy results: an error's traceback would keep them
                return materialize(parse_query_results(response.content, results_format))
            if rdf_format is not None:
                return Triples([quad.triple for quad in parse(response.content, rdf_format)])
        except SyntaxError as error:
            raise StoreError(f"The SPARQL server {response.url} gave a broken answer: {error}") from None
        raise StoreError(f"The SPARQL server {response.url} answered with an unexpected type "
                         f"{media_type or '(none)'}")

    def quads(self, subject: NamedNode | BlankNode | None = None,
              predicate: NamedNode | None = None, object: Term | None = None,
              graph: NamedNode | BlankNode | DefaultGraph | None = None, *,
              lazy: bool = False) -> Iterator[Quad]:
        """Iterate over the quads matching a pattern (None matches anything, in any graph),
        read to the end here whatever ``lazy`` says.

        Blank nodes cannot be looked up on a server: a pattern with one finds nothing.
        """
        if any(isinstance(term, BlankNode) for term in (subject, object, graph)):
            return iter(())
        fixed = (subject, predicate, object)
        triple = " ".join(sparql_term(term) if term is not None else variable
                          for term, variable in zip(fixed, ("?s", "?p", "?o")))
        if graph is None:
            where = ANY_GRAPH.format(triple=triple)
        elif isinstance(graph, DefaultGraph):
            where = triple
        else:
            where = f"GRAPH {sparql_term(graph)} {{ {triple} }}"
        rows = self.query(f"SELECT * WHERE {{ {where} }}")
        return iter([_quad(row, fixed, graph) for row in rows])

    def outgoing(self, nodes: Iterable[NamedNode | BlankNode]) -> list[Quad]:
        """Return every quad whose subject is one of ``nodes`` (IRIs only), in batches of 200."""
        iris = [node for node in dict.fromkeys(nodes) if isinstance(node, NamedNode)]
        found: list[Quad] = []
        for start in range(0, len(iris), BATCH):
            values = " ".join(sparql_term(node) for node in iris[start:start + BATCH])
            where = ANY_GRAPH.format(triple="?s ?p ?o")
            rows = self.query(f"SELECT * WHERE {{ VALUES ?s {{ {values} }} {where} }}")
            found.extend(_quad(row, (None, None, None), None) for row in rows)
        return found

    def graphs(self) -> list[NamedNode]:
        """Return the named graphs, sorted by IRI."""
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return sorted((row["g"] for row in rows if isinstance(row["g"], NamedNode)),
                      key=lambda graph: graph.value)

    def count(self, graph: NamedNode | None = None) -> int:
        """Count the quads of one graph, or of the whole store."""
        if graph is None:
            where = ANY_GRAPH.format(triple="?s ?p ?o")
        else:
            where = f"GRAPH {sparql_term(graph)} {{ ?s ?p ?o }}"
        rows = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
        return int(next(iter(rows))["n"].value)

    def dump(self, output: BinaryIO, format: RdfFormat) -> None:
        """Write every graph (N-Quads, TriG, JSON-LD) or the union of all graphs (Turtle...)."""
        if not format.supports_datasets:
            union = self.query("CONSTRUCT { ?s ?p ?o } WHERE { "
                               + ANY_GRAPH.format(triple="?s ?p ?o") + " }")
            union.serialize(output, format)
        elif self.store_url:
            response = self._request("GET", self.store_url,
                                     headers={"Accept": RdfFormat.N_QUADS.media_type})
            try:
                serialize(parse(response.content, RdfFormat.N_QUADS), output, format)
            except SyntaxError as error:
                raise StoreError(f"The Graph Store {self.store_url} gave a broken answer: {error}") from None
        else:
            serialize(self.quads(), output, format)

    # --- writing --------------------------------------------------------------------------------

    def update(self, sparql: str) -> None:
        """Send one SPARQL update request (atomic on the server).

        :raises QueryError: the server refused the update as malformed.
        :raises StoreError: the server cannot be reached or failed; it changed nothing.
        """
        self._writable()
        self._request("POST", self.update_url, data=sparql.encode("utf-8"),
                      headers={"Content-Type": "application/sparql-update; charset=utf-8"})

    def insert(self, quads: Iterable[Quad]) -> int:
        """Add quads with ONE ``INSERT DATA`` request, so the server adds all or nothing."""
        text, count = insert_data(quads)
        if count:
            self.update(text)
        return count

    def apply(self, removed: Iterable[Quad], added: Iterable[Quad],
              dropped: Iterable[NamedNode] = ()) -> None:
        """Remove then add quads with ONE update request, which the server applies atomically.

        :raises QueryError: a quad to remove holds a blank node (a server's blank nodes cannot
            be named in an update); nothing was sent.
        """
        removed, added, dropped = list(removed), list(added), list(dropped)
        for quad in removed + added:  # fail before sending anything
            if not isinstance(quad, Quad):
                raise TypeError(f"apply() takes pyoxigraph Quads, not {type(quad).__name__}")
        if any(isinstance(term, BlankNode) for quad in removed for term in quad):
            raise QueryError("impossible de supprimer un nœud anonyme sur un serveur SPARQL distant "
                             "/ cannot delete a blank node on a remote SPARQL server", rule="blank-node")
        if removed or added or dropped:
            self.update(data_update(removed, added, dropped))

    def remove_graph(self, graph: NamedNode) -> None:
        """Drop a named graph (no error if it is absent)."""
        self.update(f"DROP SILENT GRAPH {sparql_term(graph)}")

    def replace_graph(self, graph: NamedNode, quads: Iterable[Quad | Triple]) -> None:
        """Make ``graph`` hold exactly ``quads``: one Graph Store PUT, or one SPARQL update."""
        if not self.store_url:
            self.update(replace_graph_update(graph, quads))
            return
        self._writable()
        body = serialize((Triple(q.subject, q.predicate, q.object) for q in quads), None,
                         RdfFormat.N_TRIPLES)
        self._request("PUT", self.store_url, params={"graph": graph.value}, data=body,
                      headers={"Content-Type": RdfFormat.N_TRIPLES.media_type})

    def flush(self) -> None:
        """Nothing to do: the server makes each request durable itself."""

    def close(self) -> None:
        """Close the HTTP connections."""
        self._session.close()


def _quad(row, fixed: tuple, graph) -> Quad:
    """Build a quad from a solution of ``?s ?p ?o ?g``, filling in the terms fixed in the pattern."""
    subject, predicate, object_ = (term if term is not None else row[name]
                                   for term, name in zip(fixed, ("s", "p", "o")))
    if graph is None:
        graph = row["g"] if row["g"] is not None else DefaultGraph()
    return Quad(subject, predicate, object_, graph)


def _reason(error: Exception) -> str:
    """The useful end of a requests error (e.g. "[Errno 111] Connection refused")."""
    found = re.search(r"\[Errno -?\d+\][^'\")]*", str(error))
    return found.group(0).strip() if found else type(error).__name__


def _excerpt(text: str, limit: int = 500) -> str:
    """The start of a server's error text, enough to show a parser message."""
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"
