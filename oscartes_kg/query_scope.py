"""What one SPARQL query may read: its dataset, cut down to the graphs the caller may see, and
the ``SERVICE`` endpoints it may call.

The SPARQL 1.1 Protocol (section 2.1.4) lets a client name the dataset with
``default-graph-uri``/``named-graph-uri``, which override the query's own ``FROM``/``FROM NAMED``.
Either way, a graph the caller may not read is left out as if it did not exist: a private graph
stays invisible to plain patterns, ``GRAPH ?g``, ``FROM``, ``FROM NAMED`` and ``DESCRIBE`` alike,
because Oxigraph evaluates the query on exactly the dataset it is given.

Reading ``FROM`` and ``SERVICE`` needs a parse: rdflib's parser runs only when the text may hold
one of them (a word match, or a ``\\u`` escape that could spell one), so a plain query pays
nothing.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pyoxigraph import NamedNode

from . import graphs
from .errors import Forbidden, QueryError

__all__ = ["Scope", "inspect", "needs_parse", "scope", "EMPTY_GRAPH"]

#: A graph that never holds anything: an empty list would mean "the store's default graph".
EMPTY_GRAPH = NamedNode(graphs.BASE + "empty")

_MAY_NEED_PARSE = re.compile(r"(?i)\b(?:from|service)\b|\\[uU]")


@dataclass(frozen=True)
class Inspection:
    """The dataset clauses and ``SERVICE`` targets written in a query."""

    from_graphs: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()
    services: tuple[str | None, ...] = ()  # None: a variable (unknown endpoint)


@dataclass(frozen=True)
class Scope:
    """Arguments for ``Store.query``: either the union of every graph, or explicit lists."""

    union: bool
    default_graph: tuple[NamedNode, ...] | None = None
    named_graphs: tuple[NamedNode, ...] | None = None

    def query_options(self) -> dict:
        """Keyword arguments for :meth:`oscartes_kg.store.Store.query`."""
        if self.union:
            return {"union_default_graph": True}
        return {"default_graph": list(self.default_graph or (EMPTY_GRAPH,)),
                "named_graphs": list(self.named_graphs or (EMPTY_GRAPH,))}


def inspect(text: str) -> Inspection:
    """Read the ``FROM``, ``FROM NAMED`` and ``SERVICE`` IRIs of a query (or an update's WHERE).

    >>> inspect("SELECT * FROM <http://e/g> WHERE { SERVICE <http://e/s> { ?s ?p ?o } }")
    Inspection(from_graphs=('http://e/g',), from_named=(), services=('http://e/s',))
    >>> inspect("SELECT * WHERE { ?s ?p ?o }")
    Inspection(from_graphs=(), from_named=(), services=())

    :raises QueryError: the text mentions SERVICE or FROM but does not parse, so what it would
        read cannot be checked.
    """
    if not needs_parse(text):
        return Inspection()
    from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate, traverse
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        try:
            algebra = [translateQuery(parseQuery(text)).algebra]
        except Exception:  # not a query: maybe an update (its WHERE may call SERVICE)
            algebra = list(translateUpdate(parseUpdate(text)).algebra)
    except Exception as error:
        if re.search(r"(?i)\bservice\b|\\[uU]", text):
            raise QueryError(
                "requête illisible : impossible de vérifier ses appels SERVICE "
                f"/ the query cannot be checked for SERVICE calls: {error}", rule="service") from None
        return Inspection()  # FROM in a query rdflib cannot read: Oxigraph will judge it
    from_graphs, from_named, services = [], [], []

    def visit(node):
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                term = node["term"] if "term" in node else None
                services.append(str(term) if term is not None and not _is_variable(term) else None)
            elif node.name == "DatasetClause":
                if "default" in node:
                    from_graphs.append(str(node["default"]))
                if "named" in node:
                    from_named.append(str(node["named"]))
        return None

    for part in algebra:
        traverse(part, visitPre=visit)
        if isinstance(part, CompValue) and "datasetClause" in part:
            for clause in part["datasetClause"] or []:
                visit(clause)
    return Inspection(tuple(dict.fromkeys(from_graphs)), tuple(dict.fromkeys(from_named)),
                      tuple(dict.fromkeys(services)))


def needs_parse(text: str) -> bool:
    """Whether ``inspect`` must parse ``text`` (it may hold FROM or SERVICE); a plain query
    does not, and its inspection is empty.

    >>> needs_parse("SELECT * WHERE { ?s ?p ?o }"), needs_parse("SELECT * FROM <g> {}")
    (False, True)
    """
    return _MAY_NEED_PARSE.search(text) is not None


def _is_variable(term) -> bool:
    from rdflib.term import Variable

    return isinstance(term, Variable)


def check_services(inspection: Inspection, allowed: Iterable[str]) -> None:
    """Refuse any ``SERVICE`` call outside the partner allowlist: no request leaves otherwise.

    :raises Forbidden: names the endpoint refused.
    """
    allowed = set(allowed)
    for service in inspection.services:
        if service is None:
            raise Forbidden("SERVICE avec une variable refusé : seuls les points d'accès partenaires "
                            "nommés sont permis / SERVICE with a variable endpoint is refused",
                            rule="service")
        if service not in allowed:
            raise Forbidden(f"SERVICE <{service}> refusé : ce point d'accès n'est pas dans la liste "
                            f"des partenaires (réglage OSCARTES_FEDERATION_ALLOWLIST) / SERVICE "
                            f"<{service}> refused: not an allowed partner endpoint", rule="service")


def scope(readable: Sequence[NamedNode], every_graph: Sequence[NamedNode], *,
          inspection: Inspection = Inspection(),
          default_graph_uris: Sequence[str] = (), named_graph_uris: Sequence[str] = ()) -> Scope:
    """The dataset of one query for a caller who may read ``readable`` among ``every_graph``.

    Protocol parameters win over the query's ``FROM`` clauses; with neither, the default graph
    is the union of the readable graphs and every readable graph is a named graph.

    >>> a, b, p = (NamedNode(graphs.BASE + n) for n in ("a", "b", "private/c"))
    >>> scope([a, b], [a, b, p], default_graph_uris=[p.value, a.value])
    Scope(union=False, default_graph=(<NamedNode value=https://w3id.org/oscartes/graph/a>,), named_graphs=())
    >>> scope([a, b], [a, b]).union
    True
    """
    readable_iris = {g.value: g for g in readable}
    if default_graph_uris or named_graph_uris:
        chosen = (default_graph_uris, named_graph_uris)
    elif inspection.from_graphs or inspection.from_named:
        chosen = (inspection.from_graphs, inspection.from_named)
    elif len(readable_iris) == len(set(g.value for g in every_graph)):
        return Scope(union=True)  # nothing hidden: the union is the same dataset, and faster
    else:
        listed = tuple(readable_iris.values())
        return Scope(union=False, default_graph=listed, named_graphs=listed)
    default, named = (tuple(readable_iris[i] for i in dict.fromkeys(iris) if i in readable_iris)
                      for iris in chosen)
    return Scope(union=False, default_graph=default, named_graphs=named)
