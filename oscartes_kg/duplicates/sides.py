"""One side of a probable duplicate, as curators compare them: the entity's public statements
(and those of its own nodes, ``IRI#address``) with the graph each comes from."""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from .. import graphs
from .decisions import IMPORT_PREFIX, LABEL

__all__ = ["Side", "Statement", "side", "label"]


@dataclass(frozen=True)
class Statement:
    subject: str
    predicate: str
    value: str
    is_iri: bool
    graph: str


@dataclass(frozen=True)
class Side:
    iri: str
    label: str
    imported: bool                   # described by an import graph (it may be merged into another)
    sources: tuple[str, ...] = ()    # graphs, in order
    statements: tuple[Statement, ...] = field(default=())


def label(store, iri: str) -> str:
    """The French (else any) public label of ``iri``; the IRI when it has none."""
    found = [q.object for q in store.quads(ox.NamedNode(iri), LABEL, None, None)
             if graphs.is_public(q.graph_name)]
    french = [o.value for o in found if getattr(o, "language", None) == "fr"]
    return (french or [o.value for o in found] or [iri])[0]


def side(store, iri: str) -> Side:
    """The public statements about ``iri`` and its own nodes (never a private graph)."""
    node = ox.NamedNode(iri)
    quads = [q for q in store.quads(node, None, None, None) if graphs.is_public(q.graph_name)
             and q.graph_name != graphs.DERIVED]
    parts = {q.object for q in quads if isinstance(q.object, ox.NamedNode)
             and q.object.value.startswith(iri + "#")}
    for part in sorted(parts, key=str):
        quads += [q for q in store.quads(part, None, None, None) if graphs.is_public(q.graph_name)]
    rows = tuple(Statement(q.subject.value, q.predicate.value, q.object.value,
                           isinstance(q.object, ox.NamedNode), q.graph_name.value)
                 for q in sorted(quads, key=lambda q: (q.subject.value != iri, q.predicate.value,
                                                       q.object.value)))
    sources = tuple(sorted({r.graph for r in rows}))
    return Side(iri, label(store, iri), any(g.startswith(IMPORT_PREFIX) for g in sources),
                sources, rows)
