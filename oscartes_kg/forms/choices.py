"""What a form offers to pick: thesaurus concepts (as a tree) and communes (with their centroid)."""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from .. import graphs, versioned

__all__ = ["concept_choices", "Commune", "communes", "find_commune"]

SKOS = "http://www.w3.org/2004/02/skos/core#"
IN_SCHEME, PREF, BROADER = (ox.NamedNode(SKOS + n) for n in ("inScheme", "prefLabel", "broader"))
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
COMMUNE = ox.NamedNode("https://w3id.org/oscartes/ns#Commune")
INSEE = ox.NamedNode("https://w3id.org/oscartes/ns#inseeCode")
LAT = ox.NamedNode("http://www.w3.org/2003/01/geo/wgs84_pos#lat")
LONG = ox.NamedNode("http://www.w3.org/2003/01/geo/wgs84_pos#long")


def concept_choices(store, scheme: str) -> list[tuple]:
    """The concepts of ``scheme`` as (IRI, {lang: label}, depth), each after its broader one,
    siblings in French alphabetical order: a hierarchy shown as indented options."""
    scheme_node = ox.NamedNode(scheme)
    members = [q.subject for q in store.quads(None, IN_SCHEME, scheme_node, graphs.THESAURI)]
    labels = {m: {(q.object.language or ""): q.object.value
                  for q in store.quads(m, PREF, None, graphs.THESAURI)} for m in members}
    parent = {}
    for member in members:
        broader = [q.object for q in store.quads(member, BROADER, None, graphs.THESAURI) if q.object in labels]
        parent[member] = broader[0] if broader else None
    children: dict = {}
    for member in members:
        children.setdefault(parent[member], []).append(member)
    ordered: list = []

    def visit(node, depth: int) -> None:
        for child in sorted(children.get(node, []), key=lambda c: (labels[c].get("fr") or c.value).lower()):
            ordered.append((child.value, labels[child], depth))
            visit(child, depth + 1)
    visit(None, 0)
    return ordered


@dataclass(frozen=True)
class Commune:
    """A commune of the territories graph: where its centroid is, and how users name it."""

    iri: str
    label: str
    insee: str
    lat: str | None
    long: str | None

    @property
    def option(self) -> str:
        """What the datalist shows and the input sends back: « Les Ulis (91692) »."""
        return f"{self.label} ({self.insee})"


def communes(store) -> list[Commune]:
    """Every commune of the territories graph, by name (cached per data version)."""
    def read() -> list[Commune]:
        found = []
        for quad in store.quads(None, RDF_TYPE, COMMUNE, graphs.TERRITORIES):
            node = quad.subject
            first = lambda p: next((q.object.value for q in store.quads(node, p, None, graphs.TERRITORIES)), None)  # noqa: E731
            found.append(Commune(node.value, first(RDFS_LABEL) or node.value, first(INSEE) or "",
                                 first(LAT), first(LONG)))
        return sorted(found, key=lambda c: (c.label.lower(), c.insee))
    return versioned.cached(store, "forms-communes", read)


def find_commune(store, text: str) -> Commune | None:
    """The commune a user typed: « Les Ulis (91692) », its INSEE code, its name or its IRI."""
    text = (text or "").strip()
    if not text:
        return None
    every = communes(store)
    for test in (lambda c: c.option == text, lambda c: c.iri == text, lambda c: c.insee == text,
                 lambda c: c.label.casefold() == text.casefold()):
        matches = [c for c in every if test(c)]
        if len(matches) == 1:
            return matches[0]
    return None
