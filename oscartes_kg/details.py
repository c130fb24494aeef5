"""The listed properties of a page of resources, with the labels of what they link to.

Listings first find which resources to show (a few dozen), then read their details in one
query: each value of each property asked, and the labels of linked resources, so a page shows
labels, never raw IRIs. Only public graphs are read (:func:`oscartes_kg.queries.run_text`).
"""
from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from .queries import run_text
from .store import sparql_term

__all__ = ["Details", "fetch"]

_QUERY = """SELECT ?s ?p ?o ?name WHERE {
  VALUES ?s { %(subjects)s }
  ?s a %(cls)s .
  VALUES ?p { %(props)s }
  ?s ?p ?o .
  OPTIONAL { ?o <http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel> ?name }
}"""


class Details:
    """``values[iri][prop]``: the terms of a property; ``names[iri]``: labels of a linked IRI."""

    def __init__(self) -> None:
        self.values: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self.names: dict[str, list[ox.Literal]] = defaultdict(list)

    def of(self, iri: str) -> dict[str, list]:
        """The properties found for ``iri`` (empty if it is not a public resource of the class)."""
        return self.values.get(iri, {})


def fetch(store, iris: list[ox.NamedNode], cls: str, props: list[str]) -> Details:
    """The values of ``props`` for those of ``iris`` that are public instances of ``cls``."""
    found = Details()
    if not iris:
        return found
    text = _QUERY % {"subjects": " ".join(map(sparql_term, iris)),
                     "cls": sparql_term(ox.NamedNode(cls)),
                     "props": " ".join(sparql_term(ox.NamedNode(p)) for p in props)}
    for row in run_text(store, text):
        obj, prop = row["o"], row["p"].value
        listed = found.values[row["s"].value][prop]
        if obj not in listed:
            listed.append(obj)
        if row["name"] is not None and row["name"] not in found.names[obj.value]:
            found.names[obj.value].append(row["name"])
    return found
