"""The listed properties of a page of resources, with the labels of what they link to.

Listings first find which resources to show (a few dozen), then read their details: each
value of each property asked, and the labels of linked resources, so a page shows labels,
never raw IRIs. The quads are read by subject (``Store.outgoing``: one index lookup each on the
embedded store, batched on a remote one) and only those of public graphs are kept: at 100,000
organisations this takes about 20 ms for 100 events, where one SPARQL query over the list of
public graphs took 0.15 s to 100 s depending on the plan (bench/RESULTS.md).
"""
from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from . import graphs

__all__ = ["Details", "fetch", "LABELS"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: Properties that name a linked resource.
LABELS = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel")
_LABEL_NODES = tuple(map(ox.NamedNode, LABELS))


class Details:
    """``values[iri][prop]``: the terms of a property; ``names[iri]``: labels of a linked IRI."""

    def __init__(self) -> None:
        self.values: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self.names: dict[str, list[ox.Literal]] = defaultdict(list)

    def of(self, iri: str) -> dict[str, list]:
        """The properties found for ``iri`` (empty if it is not a public resource of the class)."""
        return self.values.get(iri, {})


def fetch(store, iris: list[ox.NamedNode], cls: str, props: list[str]) -> Details:
    """The values of ``props`` for those of ``iris`` that are public instances of ``cls``.

    >>> from oscartes_kg.store import open_store
    >>> store = open_store()
    >>> e = ox.NamedNode("https://w3id.org/oscartes/id/event/e")
    >>> _ = store.insert([ox.Quad(e, ox.NamedNode(RDF_TYPE), ox.NamedNode("urn:C"), graphs.DEMO),
    ...     ox.Quad(e, ox.NamedNode(LABELS[0]), ox.Literal("Fête"), graphs.DEMO),
    ...     ox.Quad(e, ox.NamedNode(LABELS[0]), ox.Literal("Secret"), graphs.PRIVATE_PROPOSALS)])
    >>> [t.value for t in fetch(store, [e], "urn:C", [LABELS[0]]).of(e.value)[LABELS[0]]]
    ['Fête']
    """
    found = Details()
    wanted = set(props)
    public = _public(store.outgoing(iris))
    members = {q.subject.value for q in public
               if q.predicate.value == RDF_TYPE and q.object.value == cls}
    linked = set()
    for quad in public:
        subject, prop = quad.subject.value, quad.predicate.value
        if subject in members and prop in wanted:
            listed = found.values[subject][prop]
            if quad.object not in listed:
                listed.append(quad.object)
            if isinstance(quad.object, ox.NamedNode):
                linked.add(quad.object)
    for quad in _public(_labels(store, sorted(linked, key=lambda node: node.value))):
        if quad.object not in found.names[quad.subject.value]:
            found.names[quad.subject.value].append(quad.object)
    return found


def _labels(store, nodes: list[ox.NamedNode]):
    """The label quads of ``nodes``: two index lookups each on the embedded store (an
    organisation or a commune has many other quads), batched reads on a remote one."""
    if store.backend == "embedded":
        return [q for node in nodes for prop in _LABEL_NODES for q in store.quads(node, prop)]
    return [q for q in store.outgoing(nodes) if q.predicate.value in LABELS]


def _public(quads) -> list[ox.Quad]:
    """The quads of public named graphs (private graphs never reach a page, rule of graphs.py)."""
    return [q for q in quads if isinstance(q.graph_name, ox.NamedNode) and graphs.is_public(q.graph_name)]
