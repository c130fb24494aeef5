"""Named graphs of the knowledge base, and the one rule that decides which are public.

Every quad lives in a named graph: the store's default graph stays empty. A graph is private
when its IRI starts with ``PRIVATE_PREFIX`` (personal contact data, unpublished proposals,
accounts and tokens, history holding personal data); every other graph is public.
"""
from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import NamedNode

__all__ = [
    "BASE", "ONTOLOGY", "THESAURI", "SHAPES", "META", "DEMO", "TERRITORIES", "CONTRIBUTIONS",
    "PRIVATE_PREFIX", "PRIVATE_CONTACTS", "PRIVATE_PROPOSALS", "PRIVATE_ACCOUNTS",
    "PRIVATE_HISTORY", "PRIVATE_WATCH", "SCHEMA_GRAPHS", "import_graph", "is_public", "public", "data_graphs",
]

BASE = "https://w3id.org/oscartes/graph/"

ONTOLOGY = NamedNode(BASE + "ontology")
THESAURI = NamedNode(BASE + "thesauri")
SHAPES = NamedNode(BASE + "shapes")
META = NamedNode(BASE + "meta")
DEMO = NamedNode(BASE + "demo")
TERRITORIES = NamedNode(BASE + "territories")
CONTRIBUTIONS = NamedNode(BASE + "contributions")
DERIVED = NamedNode(BASE + "derived")  # oscartes_kg.derived: index triples kept in step with writes

PRIVATE_PREFIX = BASE + "private/"
PRIVATE_CONTACTS = NamedNode(PRIVATE_PREFIX + "contacts")
PRIVATE_PROPOSALS = NamedNode(PRIVATE_PREFIX + "proposals")
PRIVATE_ACCOUNTS = NamedNode(PRIVATE_PREFIX + "accounts")
PRIVATE_HISTORY = NamedNode(PRIVATE_PREFIX + "history")
PRIVATE_WATCH = NamedNode(PRIVATE_PREFIX + "watch")  # saved searches and their e-mail (oscartes_kg.watch)

#: Graphs written by ``init`` from the shipped files, not by users.
SCHEMA_GRAPHS = (ONTOLOGY, THESAURI, SHAPES, META)


def import_graph(source: str) -> NamedNode:
    """The graph that holds one imported source, e.g. ``import_graph("transiscope")``."""
    return NamedNode(BASE + "import/" + source)


def is_public(graph: NamedNode) -> bool:
    """Whether anyone may read this graph.

    >>> is_public(DEMO), is_public(PRIVATE_CONTACTS)
    (True, False)
    >>> is_public(NamedNode("https://w3id.org/oscartes/graph/privateer"))
    True
    """
    return not graph.value.startswith(PRIVATE_PREFIX)


def public(graphs: Iterable[NamedNode]) -> list[NamedNode]:
    """The public graphs among ``graphs``, in order."""
    return [g for g in graphs if isinstance(g, NamedNode) and is_public(g)]


def data_graphs(graphs: Iterable[NamedNode]) -> list[NamedNode]:
    """Every graph whose triples are checked by the shapes: all but the shapes graph itself."""
    return [g for g in graphs if isinstance(g, NamedNode) and g != SHAPES]
